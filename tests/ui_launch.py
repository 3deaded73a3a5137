"""build_all as the Dagster UI's launchpad runs it: the job loaded from the code location, no partition, no tags, no
run config; the input folder and the warehouse come from the environment, as in `indexpipe dev`."""

from __future__ import annotations

from pathlib import Path

import dagster as dg
import pytest
from dagster._core.definitions.reconstruct import ReconstructableRepository
from indexpipe.instance import project_instance
from indexpipe.rules import DBT_VARS_ENV
from indexpipe.settings import REPO_ROOT


def launch_build_all(input_dir: Path, db: Path, dagster_home: Path) -> Path:
    """Build ``input_dir`` into ``db``, the run recorded in the Dagster instance ``dagster_home``; ``db``."""
    job = ReconstructableRepository.for_module(
        "indexpipe.definitions", "defs", working_directory=str(REPO_ROOT)
    ).get_reconstructable_job("build_all")
    with pytest.MonkeyPatch.context() as env:
        env.setenv("INDEXPIPE_DATA_DIR", str(input_dir))
        env.setenv("DUCKDB_PATH", str(db))
        env.delenv(DBT_VARS_ENV, raising=False)
        with project_instance(dagster_home) as instance, dg.execute_job(job, instance=instance) as result:
            if not result.success:
                raise RuntimeError(f"build_all of {input_dir} failed (run {result.run_id} in {dagster_home})")
    return db
