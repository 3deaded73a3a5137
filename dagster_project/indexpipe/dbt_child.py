"""``indexpipe-dbt``: dbt's command line, as a child that dies with the process that started it.

dagster-dbt runs dbt as a subprocess. If the run's process is killed (kill -9, OOM killer), a plain dbt child
keeps running for minutes, still writing. This entry point asks Linux to SIGKILL it when its parent dies
(``PR_SET_PDEATHSIG``, kept across exec and set before dbt starts), and elsewhere watches its parent from a thread;
then it is dbt's own ``main``.

``child_environment`` hands a dbt child the variables it alone reads (the warehouse path of profiles.yml, the day
of an incremental run, this parent's pid). dagster-dbt 0.29's ``DbtCliResource.cli`` takes no environment: it
copies ``os.environ`` when it starts dbt. So the variables are set for that call only, under a lock (two runs in
one process never start dbt with each other's values), and the previous environment is restored as soon as dbt
has started.

``warm_dbt`` (the daily run, and a build once its input check passed) starts this process's dbt server early: an
``indexpipe-dbt`` that imports dbt and its DuckDB adapter (~1.8 s of CPU) on the second core, once, and waits on a
Unix socket. Each ``indexpipe-dbt`` that dagster-dbt then starts finds it (``SERVER_VARIABLE``), hands it its argv,
environment, working directory and standard streams (SCM_RIGHTS) and waits for its exit status; the server forks a
process for the command, which runs dbt writing to dagster-dbt's pipe, so a process running several builds (a test
session, two runs of one command) pays dbt's imports once. The server dies with the process that started it (it
is started from a thread that lives as long as it does, and checks its parent), a command's process dies with the
server and exits when the one that handed it the command does (a killed or cancelled dbt step). Without a server,
``indexpipe-dbt`` runs dbt itself.

dbt throws its partial-parse state away (a full parse: ~2 s more per build) when the profile's connection differs
from the state's, and the DuckDB ``path`` is part of it. ``indexpipe-dbt`` therefore starts dbt in the directory of
the DuckDB file it is given (an absolute ``DUCKDB_PATH``) and hands the profile the file's name alone. A run's copy
has the same name for every warehouse (indexpipe.warehouse.staging), so one state serves every warehouse; the file
DuckDB opens, and its WAL beside it, are the same as with the absolute path. dagster-dbt passes dbt its project,
profiles, target and log directories as absolute paths, so the working directory changes nothing else.
"""

from __future__ import annotations

import atexit
import contextlib
import ctypes
import json
import logging
import os
import signal
import socket
import struct
import subprocess
import sys
import threading
import time
import uuid
from collections.abc import Iterator, Mapping

_PR_SET_PDEATHSIG = 1
_WATCH_SECONDS = 0.5
# set by the process that starts dbt, for the moment it starts it: a child whose parent is already another process
# (the starter died before this line ran) exits at once
PARENT_VARIABLE = "INDEXPIPE_DBT_PARENT_PID"
_STARTING = threading.Lock()
# the abstract Unix socket the dbt server waits on: set on the server (serve) and on the dbt command that
# hands it its work (run there)
SERVE_VARIABLE = "INDEXPIPE_DBT_SERVE"
SERVER_VARIABLE = "INDEXPIPE_DBT_SERVER"
_server: dict[str, subprocess.Popen] = {}  # socket name -> this process's dbt server (one at most)
_STATUS = struct.Struct("!i")
DUCKDB_PATH_VARIABLE = "DUCKDB_PATH"  # indexpipe.settings' (not imported: this module starts before dbt)


@contextlib.contextmanager
def warm_dbt() -> Iterator[None]:
    """This process's dbt server, started now if it is not running, so dbt's imports overlap the caller's work; every
    dbt command started from here on (``child_environment``) runs in a process forked from it."""
    start_dbt_server()
    yield


def start_dbt_server() -> None:
    """Start the server unless it runs (or ``indexpipe-dbt`` is not the dbt executable: dbt starts the usual way)."""
    with _STARTING:
        if any(child.poll() is None for child in _server.values()):
            return
        _server.clear()
        from indexpipe.dbt_manifest import dbt_executable

        executable = dbt_executable()
        if not executable.endswith("indexpipe-dbt"):
            return
        started: list[tuple[str, subprocess.Popen]] = []
        ready = threading.Event()

        def keep() -> None:
            # Linux kills the server (PR_SET_PDEATHSIG) when the thread that started it ends: this one lives as long
            # as the server, so the server ends with this process and not with the caller's thread
            try:
                started.extend(_start_server(executable))
            finally:
                ready.set()
            for _, child in started:
                child.wait()

        threading.Thread(target=keep, daemon=True, name="dbt-server").start()
        ready.wait()
        _server.update(started)


def _stop_servers() -> None:
    """Stop the server and wait for it as this process ends: its own CPU time and memory and those of the commands'
    processes it waited for are then this process's children's (what `time` and the bench's peak memory read)."""
    for child in list(_server.values()):
        with contextlib.suppress(OSError):
            # not SIGTERM: a process may have inherited it ignored or blocked (the server was left running so in a
            # whole test-suite run), and the server holds nothing to close (no command runs when its process ends)
            child.kill()
        with contextlib.suppress(subprocess.TimeoutExpired):
            child.wait(timeout=10)


atexit.register(_stop_servers)  # nothing to do in a process that started no server


def _start_server(executable: str) -> list[tuple[str, subprocess.Popen]]:
    name = f"indexpipe-dbt-{os.getpid()}-{uuid.uuid4().hex}"
    # bound here, before the server starts: a command started at once connects and waits for it to accept
    listener = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        listener.bind("\0" + name)
        listener.listen(8)
        env = {
            **os.environ,
            SERVE_VARIABLE: str(listener.fileno()),
            PARENT_VARIABLE: str(os.getpid()),
            "PYTHONUNBUFFERED": "1",
        }
        child = subprocess.Popen(
            [executable],
            env=env,
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            pass_fds=[listener.fileno()],
        )
    except OSError:
        return []  # dbt starts the usual way
    finally:
        listener.close()  # the server's copy alone: when it is gone, a command cannot connect and runs dbt itself
    return [(name, child)]


@contextlib.contextmanager
def child_environment(values: Mapping[str, str]) -> Iterator[None]:
    """``values`` (and this process as the child's parent) in the environment while a dbt child is started."""
    values = {**values, PARENT_VARIABLE: str(os.getpid())}
    with _STARTING:
        for name, child in _server.items():
            if child.poll() is None:
                values[SERVER_VARIABLE] = name
        saved = {name: os.environ.get(name) for name in values}
        os.environ.update(values)
        try:
            yield
        finally:
            for name, value in saved.items():
                if value is None:
                    os.environ.pop(name, None)
                else:
                    os.environ[name] = value


def _watch(parent: int) -> None:
    while os.getppid() == parent:
        time.sleep(_WATCH_SECONDS)
    os._exit(137)


def die_with_parent() -> None:
    parent = os.getppid()
    if sys.platform.startswith("linux"):
        with contextlib.suppress(OSError, AttributeError):
            ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
    # the parent may have died before prctl took effect; the thread also covers systems without prctl
    expected = os.environ.pop(PARENT_VARIABLE, "")
    if os.getppid() != parent or (expected.isdigit() and int(expected) != parent):
        os._exit(137)
    threading.Thread(target=_watch, args=(parent,), daemon=True, name="parent-watch").start()


def _serve(listening_fd: str) -> int:
    """The dbt server: import dbt once, then fork a process for each command taken from the socket."""
    listener = socket.socket(fileno=int(listening_fd))
    import dbt.adapters.duckdb  # noqa: F401  (dbt imports its adapter after the parse; 0.8 s)
    from dbt.cli.main import cli

    server = os.getpid()
    signal.signal(signal.SIGCHLD, _reap)
    while True:
        connection, _ = listener.accept()
        if os.fork() == 0:
            listener.close()
            signal.signal(signal.SIGCHLD, signal.SIG_DFL)  # dbt waits for processes of its own
            if sys.platform.startswith("linux"):
                with contextlib.suppress(OSError, AttributeError):
                    ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG, signal.SIGKILL)
            if os.getppid() != server:
                os._exit(137)  # the server died before prctl took effect
            _run_command(connection, cli)
        connection.close()


def _reap(_signum: int, _frame: object) -> None:
    # waited for (not left to the kernel), so their CPU time and peak memory count among the server's children
    with contextlib.suppress(ChildProcessError):
        while os.waitpid(-1, os.WNOHANG)[0]:
            pass


def _run_command(connection: socket.socket, cli) -> None:
    """Take one command from ``connection`` and run it with the sender's streams, argv, environment and directory;
    exit with dbt's status."""
    header, fds, _, _ = socket.recv_fds(connection, 8, 3)
    with connection.makefile("rb") as stream:
        command = json.loads(_read_exactly(stream, struct.unpack("!Q", header)[0]))
    connection.sendall(_STATUS.pack(os.getpid()))  # taken: from here the sender waits for dbt's status
    for target, fd in enumerate(fds):
        os.dup2(fd, target)
        os.close(fd)
    os.chdir(command["cwd"])
    os.environ.clear()
    os.environ.update(command["env"])
    # the sender died or was stopped (dagster-dbt terminating the step): stop dbt too
    finished = threading.Event()
    threading.Thread(
        target=_watch_sender, args=(connection, finished), daemon=True, name="sender-watch"
    ).start()
    sys.argv = ["dbt", *command["argv"]]
    try:
        status = cli()
    except SystemExit as exit_:
        status = exit_.code
    code = status if isinstance(status, int) else (0 if status is None else 1)
    logging.shutdown()
    sys.stdout.flush()
    sys.stderr.flush()
    # the sender exits once it has the status: its closed connection must not turn this exit into 137
    finished.set()
    with contextlib.suppress(OSError):
        connection.sendall(_STATUS.pack(code))
    os._exit(code)


def _read_exactly(stream, size: int) -> bytes:
    data = stream.read(size)
    if len(data) != size:
        os._exit(137)
    return data


def _watch_sender(connection: socket.socket, finished: threading.Event) -> None:
    with contextlib.suppress(OSError):
        while connection.recv(1):
            pass
    if not finished.is_set():
        os._exit(137)


def _run_in(name: str) -> int | None:
    """Hand this command to the dbt server ``name`` and wait for its status; None when there is none."""
    connection = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    try:
        connection.connect("\0" + name)
    except OSError:
        connection.close()
        return None
    command = json.dumps({"argv": sys.argv[1:], "env": dict(os.environ), "cwd": os.getcwd()}).encode()
    try:
        socket.send_fds(connection, [struct.pack("!Q", len(command))], [0, 1, 2])
        connection.sendall(command)
        pid = _receive_int(connection)  # the server's fork took the command (its pid)
    except OSError:
        pid = None
    if pid is None:
        connection.close()
        return None  # it died before it took the command: run dbt here

    def forward(signum: int, _frame: object) -> None:
        # dagster-dbt stops a cancelled step with SIGINT, then SIGTERM: to the dbt that runs it
        with contextlib.suppress(OSError):
            os.kill(pid, signum)

    for signum in (signal.SIGINT, signal.SIGTERM):
        signal.signal(signum, forward)
    status = _receive_int(connection)
    return (
        137 if status is None else status
    )  # None: the command's process died (killed with the run, or by a signal)


def _receive_int(connection: socket.socket) -> int | None:
    data = b""
    while len(data) < _STATUS.size:
        part = connection.recv(_STATUS.size - len(data))
        if not part:
            return None
        data += part
    return _STATUS.unpack(data)[0]


def enter_database_directory() -> None:
    """Run dbt in the directory of its DuckDB file, with the file's name alone in ``DUCKDB_PATH``."""
    path = os.environ.get(DUCKDB_PATH_VARIABLE, "")
    if not os.path.isabs(path):
        return
    directory, name = os.path.split(path)
    try:
        os.chdir(directory)
    except OSError:
        return  # no such directory yet (a parse before the first build): the absolute path serves as well
    os.environ[DUCKDB_PATH_VARIABLE] = name


def main() -> int:
    die_with_parent()
    enter_database_directory()
    if serve := os.environ.pop(SERVE_VARIABLE, ""):
        return _serve(serve)
    if (server := os.environ.pop(SERVER_VARIABLE, "")) and (status := _run_in(server)) is not None:
        return status
    from dbt.cli.main import cli

    sys.argv[0] = "dbt"
    return cli()


if __name__ == "__main__":
    sys.exit(main())
