"""The process's dbt server (indexpipe.dbt_child.warm_dbt): every dbt command started once it runs runs in a process
forked from it, with the command's own streams and exit status; the server serves command after command and dies
with the process that started it."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import textwrap
import time

from indexpipe.dbt_child import _server, child_environment, warm_dbt
from indexpipe.settings import DBT_PROJECT_DIR

# `indexpipe-dbt` as dagster-dbt starts it, except that this one cannot import dbt: a command that ran dbt itself
# instead of handing it to the server fails with ModuleNotFoundError
NO_DBT_HERE = "import sys; sys.modules['dbt'] = None; from indexpipe.dbt_child import main; sys.exit(main())"


def _the_server() -> subprocess.Popen:
    (server,) = _server.values()
    return server


def _command(*argv: str) -> subprocess.Popen:
    with child_environment({}):
        # a pipe for the output, the project as cwd (as dagster-dbt starts it)
        return subprocess.Popen(
            [sys.executable, "-c", NO_DBT_HERE, *argv],
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            cwd=DBT_PROJECT_DIR,
        )


def test_dbt_commands_run_one_after_another_in_processes_of_the_server() -> None:
    with warm_dbt():
        server = _the_server()
        with warm_dbt():  # nested (the command line and calculate_day): the same server, not a second one
            assert _the_server() is server
        for _ in range(2):
            command = _command("--version")
            output, _ = command.communicate(timeout=120)
            # dbt's version report, written by the server's fork into this command's pipe
            assert command.returncode == 0 and b"installed:" in output, output[-2000:]
    # still serving after the block and both commands
    assert _the_server() is server and server.poll() is None
    with warm_dbt():
        assert _the_server() is server


def test_a_failing_command_fails_with_dbt_s_status() -> None:
    with warm_dbt():
        command = _command("no-such-command")
    output, _ = command.communicate(timeout=120)
    assert command.returncode == 2 and b"No such command" in output, output[-2000:]  # click's usage error


def test_without_a_server_the_command_runs_dbt_itself() -> None:
    # the negative of the first test: with the server gone, the same command tries to import dbt here and fails
    with warm_dbt():
        server = _the_server()
    server.kill()
    server.wait(timeout=30)
    command = _command("--version")
    output, _ = command.communicate(timeout=120)
    assert command.returncode != 0 and b"ModuleNotFoundError" in output, output[-2000:]
    with warm_dbt():  # a dead server is replaced
        assert _the_server() is not server and _the_server().poll() is None


def test_the_server_dies_with_the_process_that_started_it() -> None:
    starter = subprocess.Popen(
        [
            sys.executable,
            "-c",
            textwrap.dedent(
                """
                import threading, time
                from indexpipe.dbt_child import _server, warm_dbt
                def start():
                    with warm_dbt():
                        time.sleep(3)  # the server is running (and has asked Linux to kill it with its parent)
                # from a thread that ends: the server must outlive it and die with the process
                worker = threading.Thread(target=start)
                worker.start()
                worker.join()
                (server,) = _server.values()
                print(server.pid, flush=True)
                time.sleep(600)
                """
            ),
        ],
        stdout=subprocess.PIPE,
        text=True,
    )
    server_pid = int(starter.stdout.readline())
    time.sleep(1)
    assert _alive(server_pid), "the server died with the thread that started it"
    os.kill(starter.pid, signal.SIGKILL)
    starter.wait(timeout=30)
    gone_by = time.monotonic() + 5
    while _alive(server_pid) and time.monotonic() < gone_by:
        time.sleep(0.1)
    assert not _alive(server_pid), f"the dbt server (pid {server_pid}) survived its process"


def _alive(pid: int) -> bool:
    try:
        with open(f"/proc/{pid}/stat") as stat:
            return stat.read().split(") ")[1].split()[0] != "Z"  # a zombie has exited
    except FileNotFoundError:
        return False


def test_the_server_is_waited_for_when_its_process_ends() -> None:
    # `time` and the bench's peak memory read a process's children: the server (and the commands' processes it
    # waited for) must be among them once the process that started it has ended normally. A fresh wrapper reads them:
    # the starter and the command (which cannot import dbt) stay far below dbt's ~110 MB
    starter = textwrap.dedent(
        f"""
        import subprocess, sys
        from indexpipe.dbt_child import child_environment, warm_dbt
        with warm_dbt():
            with child_environment({{}}):
                command = subprocess.run([sys.executable, "-c", {NO_DBT_HERE!r}, "--version"], capture_output=True)
        assert command.returncode == 0, command.stdout[-2000:]
        from indexpipe.dbt_child import _server
        print("servers:", [(child.pid, child.poll()) for child in _server.values()], file=sys.stderr)
        """
    )
    # SIGTERM ignored, as the starter's parent may hand it down (it did in a whole suite run): the server must stop
    wrapper = (
        "import resource, signal, subprocess, sys;"
        "signal.signal(signal.SIGTERM, signal.SIG_IGN);"
        "starter = subprocess.run([sys.executable, '-c', sys.argv[1]], capture_output=True, text=True);"
        "print(resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss, starter.returncode);"
        "print(starter.stderr[-3000:])"
    )
    # this process's own server (started by earlier tests) is named in no environment a child inherits
    leaked = {k: v for k, v in os.environ.items() if k.startswith("INDEXPIPE_DBT_")}
    assert leaked == {}, leaked
    run = subprocess.run([sys.executable, "-c", wrapper, starter], capture_output=True, text=True)
    first, _, starter_stderr = run.stdout.partition("\n")
    peak_kib, starter_status = map(int, first.split())
    assert starter_status == 0, starter_stderr
    assert peak_kib > 90_000, (
        f"the largest child was {peak_kib} KiB: the server was not waited for\n{starter_stderr}"
    )
