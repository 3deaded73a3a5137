"""The published snapshot: ``data/warehouse.published`` is a symlink to ``data/warehouse.snapshots/<id>``, swapped
in one rename.

Both are named after the warehouse file, so two warehouses in one folder never replace each other's snapshot. A
reader sees the old snapshot or the new one, never a mix or nothing, and never takes the warehouse's lock.
"""

from __future__ import annotations

import json
import os
import shutil
from pathlib import Path

PUBLISHED = ".published"
SNAPSHOTS = ".snapshots"


def published_link(db_path: Path) -> Path:
    """``<folder>/<warehouse name without .duckdb>.published``: the checked marts as Parquet files."""
    db_path = Path(db_path)
    return db_path.with_name(db_path.stem + PUBLISHED)


def snapshots_dir(db_path: Path) -> Path:
    db_path = Path(db_path)
    return db_path.with_name(db_path.stem + SNAPSHOTS)


def _snapshots_of(link: Path) -> Path:
    return link.with_name(link.name.removesuffix(PUBLISHED) + SNAPSHOTS)


def previous_manifest(link: Path) -> dict:
    try:
        return json.loads((link / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def swap_published(snapshot: Path, link: Path) -> Path:
    """Point ``link`` at ``snapshot`` in one atomic rename of a symlink, then remove the older snapshots."""
    staging = link.with_name(link.name + ".new")
    staging.unlink(missing_ok=True)
    staging.symlink_to(snapshot.relative_to(link.parent), target_is_directory=True)
    if link.exists() and not link.is_symlink():
        shutil.rmtree(link)  # a snapshot directory from before snapshots were linked
    os.replace(staging, link)
    _fsync_dir(link.parent)
    remove_unpublished_snapshots(link)
    return link


def remove_unpublished_snapshots(link: Path) -> None:
    """Delete every snapshot ``link`` does not point at (older ones, or one a failed or killed run left)."""
    root = _snapshots_of(link)
    if not root.is_dir():
        return
    current = link.resolve() if link.is_symlink() else None
    for old in root.iterdir():
        if old.resolve() != current:
            shutil.rmtree(old, ignore_errors=True)
    link.with_name(link.name + ".new").unlink(missing_ok=True)


def _fsync_dir(directory: Path) -> None:
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    finally:
        os.close(fd)
