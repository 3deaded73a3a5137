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
"""

from __future__ import annotations

import contextlib
import ctypes
import os
import signal
import sys
import threading
import time
from collections.abc import Iterator, Mapping

_PR_SET_PDEATHSIG = 1
_WATCH_SECONDS = 0.5
# set by the process that starts dbt, for the moment it starts it: a child whose parent is already another process
# (the starter died before this line ran) exits at once
PARENT_VARIABLE = "INDEXPIPE_DBT_PARENT_PID"
_STARTING = threading.Lock()


@contextlib.contextmanager
def child_environment(values: Mapping[str, str]) -> Iterator[None]:
    """``values`` (and this process as the child's parent) in the environment while a dbt child is started."""
    values = {**values, PARENT_VARIABLE: str(os.getpid())}
    with _STARTING:
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


def main() -> int:
    die_with_parent()
    from dbt.cli.main import cli

    sys.argv[0] = "dbt"
    return cli()


if __name__ == "__main__":
    sys.exit(main())
