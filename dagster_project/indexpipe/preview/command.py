"""What `indexpipe preview` does: a preview of one date (run.py, printed by show.py), or the back-test of the
marts' previews against the changes their rank days determined (backtest.py)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from indexpipe.preview.data import load_preview
from indexpipe.preview.run import PreviewError, run_preview
from indexpipe.preview.show import preview_lines, write_csv
from indexpipe.settings import Settings, current_settings, default_dagster_home
from indexpipe.warehouse import connect_read_only


def preview_date(
    db: Path, day: date, recon_id: str | None, show: int, out: Path | None, dagster_home: Path | None = None
) -> list[str]:
    """The preview of ``day``, made first if the marts lack it (a run recorded in the project's Dagster instance,
    or ``dagster_home``'s); the lines to print."""
    # a preview ingests nothing: the input directory is only the run's setting
    settings = Settings(
        input_dir=current_settings().input_dir,
        duckdb_path=db.resolve(),
        dagster_home=dagster_home.expanduser().resolve() if dagster_home else default_dagster_home(),
    )
    result = run_preview(settings, day, recon_id)
    with connect_read_only(settings.duckdb_path) as con:
        preview = load_preview(con, result.preview_id)
        written = write_csv(con, result.preview_id, out) if out is not None else None
    how = "made by a run of the preview models" if result.ran_models else "read from the marts"
    moved = "" if result.session == day else f" ({day} is not a trading day)"
    lines = preview_lines(preview, show)
    lines.append(
        f"{len(preview.companies):,} companies in preview {result.preview_id}{moved}, {how} in {result.seconds:.1f} s"
    )
    if out is not None:
        lines.append(f"csv:         {out} ({written:,} rows)")
    return lines


def backtest_lines(
    db: Path,
    recon_type: str,
    holdings: list[Path] | None = None,
    indexes: list[str] | None = None,
    recon_id: str | None = None,
) -> list[str]:
    """The back-test table: against the rank days' own changes, or (``holdings``) against ETF holdings files of
    ``recon_id``'s reconstitution (real data)."""
    from indexpipe.preview.backtest import score_against_holdings, score_lines, score_warehouse

    with connect_read_only(db.resolve()) as con:
        if not holdings:
            return score_lines(score_warehouse(con, recon_type))
        if recon_id is None:
            raise PreviewError(
                "--backtest with --holdings needs --recon (the reconstitution the files follow)"
            )
        if len(holdings) != len(indexes or []):
            raise PreviewError("give one --index per --holdings file, in the same order")
        for path in holdings:
            if not path.is_file():
                raise PreviewError(f"no such file: {path}")
        try:
            scores, left_out = score_against_holdings(
                con, recon_id, list(zip(holdings, indexes or [], strict=True))
            )
        except ValueError as exc:
            raise PreviewError(str(exc)) from exc
    return [
        *score_lines(scores),
        f"R1000/R2000 members of the composition before, on either side in the files; {left_out:,} preview rows "
        "of members the files hold on neither side left out",
    ]
