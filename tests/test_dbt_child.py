"""The warm dbt child of the daily run (indexpipe.dbt_child.warm_dbt): the dbt command started while it waits runs in
it, with the command's own streams and exit status; a child no command took is stopped."""

from __future__ import annotations

import subprocess

from indexpipe.dbt_child import _warm, child_environment, warm_dbt
from indexpipe.dbt_manifest import dbt_executable
from indexpipe.settings import DBT_PROJECT_DIR


def _the_warm_child() -> subprocess.Popen:
    (child,) = _warm.values()
    return child


def test_a_dbt_command_runs_in_the_warm_child() -> None:
    with warm_dbt():
        child = _the_warm_child()
        with warm_dbt():  # nested (the command line and calculate_day): the same child, not a second one
            assert _the_warm_child() is child
        with child_environment({}):
            # dagster-dbt starts `indexpipe-dbt ...` like this: a pipe for the output, the project as cwd
            command = subprocess.Popen(
                [dbt_executable(), "--version"],
                stdout=subprocess.PIPE,
                stderr=subprocess.STDOUT,
                cwd=DBT_PROJECT_DIR,
            )
        assert _warm == {}  # taken by that command: a second command starts dbt itself
        output, _ = command.communicate(timeout=120)
        assert command.returncode == 0, output[-2000:]
        assert (
            b"installed:" in output
        )  # dbt's version report, written by the warm child into the command's pipe
        # the warm child ran the command and exited with its status by itself (a child nobody used is killed: -9)
        assert child.wait(timeout=60) == 0


def test_a_failing_command_fails_with_dbt_s_status() -> None:
    with warm_dbt():
        child = _the_warm_child()
        with child_environment({}):
            command = subprocess.Popen(
                [dbt_executable(), "no-such-command"], stdout=subprocess.PIPE, stderr=subprocess.STDOUT
            )
        output, _ = command.communicate(timeout=120)
        assert command.returncode == 2 and b"No such command" in output, output[-2000:]  # click's usage error
        assert child.wait(timeout=60) == 2


def test_an_unused_warm_child_is_stopped() -> None:
    with warm_dbt():
        child = _the_warm_child()
    assert child.poll() is not None and _warm == {}
