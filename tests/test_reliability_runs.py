"""Whole runs under stress, as separate `indexpipe` processes on small generated markets: two builds at once on one
warehouse, kill -9 while dbt runs, a full disk, and every path the command line takes spelled with quotes, spaces
and non-ASCII letters. Each asserts what docs/reliability.md promises: one writer at a time, all or nothing, readers
never blocked, no process left behind. Market A and its warehouse, which every test starts from, are made by
`indexpipe generate` and `indexpipe build` under paths with quotes, spaces, a semicolon, an SQL comment and
non-ASCII letters, so every command here takes such paths."""

from __future__ import annotations

import hashlib
import os
import shutil
import signal
import subprocess
import sys
import threading
import time
from datetime import date
from pathlib import Path

import duckdb
import pytest
from indexpipe.dbt_manifest import mart_models
from indexpipe.generator import MarketConfig, generate_market, write_market
from indexpipe.warehouse.lock import current_holder
from indexpipe.warehouse.published import published_link
from indexpipe.warehouse.state import check_warehouse_state

# two different 18-month markets (the generator needs 300 sessions): B has more companies, so its raw tables can be told from A's by their row counts
MARKET_A = MarketConfig(seed=11, start=date(2023, 7, 1), end=date(2024, 12, 31), companies=100)
MARKET_B = MarketConfig(seed=12, start=date(2023, 7, 1), end=date(2024, 12, 31), companies=120)
INDEXPIPE = str(Path(sys.executable).parent / "indexpipe")
ODD = 'it\'s "odd" dïr; drop table x; --'  # the folder every path of market A and its warehouse is in


def _sha(path: Path) -> str:
    return hashlib.sha256(path.read_bytes()).hexdigest()


def _env(**extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if k not in ("DUCKDB_PATH", "INDEXPIPE_DATA_DIR")}
    env.update(GX_ANALYTICS_ENABLED="false", **extra)
    return env


def _cli(*args: str, **extra: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run([INDEXPIPE, *args], capture_output=True, text=True, env=_env(**extra), timeout=1200)


def _reason(stderr: str) -> str:
    """The command's one-line reason (Dagster's log and Python warnings come before it)."""
    lines = [line for line in stderr.splitlines() if line.startswith("indexpipe ")]
    assert len(lines) == 1, stderr[-3000:]
    return lines[0]


def _raw_rows(db: Path, table: str = "prices") -> int:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(f"select count(*) from raw.{table}").fetchone()[0]


def _build_records(db: Path) -> list[tuple[str, str]]:
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(
            "select job_name, raw_fingerprints->>'$.\"raw.prices\"' from _indexpipe.build_state order by recorded_at"
        ).fetchall()


def _leftovers(db: Path) -> list[str]:
    return sorted(p.name for p in db.parent.iterdir() if p.name.startswith("indexpipe_staging_"))


@pytest.fixture(scope="module")
def odd_dir(tmp_path_factory: pytest.TempPathFactory) -> Path:
    odd = tmp_path_factory.mktemp("odd") / ODD
    odd.mkdir()
    return odd


@pytest.fixture(scope="module")
def generated(odd_dir: Path) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """Market A, written by `indexpipe generate`."""
    market = odd_dir / "mär'ket dir"
    span = ("--start", MARKET_A.start.isoformat(), "--end", MARKET_A.end.isoformat())
    return market, _cli("generate", "--out", str(market), "--seed", str(MARKET_A.seed),
                        "--companies", str(MARKET_A.companies), *span)  # fmt: skip


@pytest.fixture(scope="module")
def markets(
    generated: tuple[Path, subprocess.CompletedProcess[str]], tmp_path_factory: pytest.TempPathFactory
) -> tuple[Path, Path]:
    a_dir, proc = generated
    assert proc.returncode == 0, proc.stderr[-2000:]
    b_dir = tmp_path_factory.mktemp("markets") / "b"
    write_market(generate_market(MARKET_B), b_dir)
    return a_dir, b_dir


@pytest.fixture(scope="module")
def baseline_build(
    markets: tuple[Path, Path], odd_dir: Path
) -> tuple[Path, subprocess.CompletedProcess[str]]:
    """Market A built once by `indexpipe build`; each test copies the directory (warehouse, snapshot, link)."""
    db = odd_dir / "wäre 'house'" / 'w\'h "1".duckdb'
    return db, _cli("build", "--data-dir", str(markets[0]), "--db", str(db))


@pytest.fixture(scope="module")
def baseline(baseline_build: tuple[Path, subprocess.CompletedProcess[str]]) -> Path:
    db, proc = baseline_build
    assert proc.returncode == 0, proc.stderr[-3000:]
    return db


def _copy_of(baseline: Path, target_dir: Path) -> Path:
    shutil.copytree(baseline.parent, target_dir, symlinks=True)
    return target_dir / baseline.name


def _state(db: Path) -> tuple[str, str]:
    """The warehouse's bytes and the snapshot readers see."""
    return _sha(db), os.readlink(published_link(db))


class _Readers:
    """Threads reading, while builds run, the published snapshot and the live warehouse file (read-only)."""

    def __init__(self, db: Path) -> None:
        self.db, self.reads, self.failures = db, 0, []
        self._stop = threading.Event()
        self._threads = [threading.Thread(target=self._loop, args=(kind,)) for kind in ("published", "live")]

    def _loop(self, kind: str) -> None:
        published = published_link(self.db) / "fct_index_levels.parquet"
        # each read of the snapshot opens the file through the link again; one in-memory database serves them all
        # (a new one costs 15 ms of CPU, most of a read, taken from the builds on a 2-core machine). The warehouse
        # file is opened anew for every read: a connection keeps reading the version it opened
        with duckdb.connect() as memory:
            while not self._stop.is_set():
                try:
                    if kind == "published":
                        memory.execute("select count(*) from read_parquet(?)", [str(published)]).fetchone()
                    else:
                        with duckdb.connect(str(self.db), read_only=True) as con:
                            con.execute("select count(*) from main.fct_index_levels").fetchone()
                    self.reads += 1
                except Exception as exc:  # any failure is what the test counts
                    self.failures.append(f"{kind}: {exc}")
                time.sleep(0.05)

    def __enter__(self) -> _Readers:
        for thread in self._threads:
            thread.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self._stop.set()
        for thread in self._threads:
            thread.join()


def test_two_builds_at_once_run_one_after_the_other(
    markets: tuple[Path, Path], baseline: Path, tmp_path: Path
) -> None:
    db = _copy_of(baseline, tmp_path / "wh")
    a_dir, b_dir = markets
    with _Readers(db) as readers:
        first = subprocess.Popen(
            [INDEXPIPE, "build", "--data-dir", str(a_dir), "--db", str(db)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
            text=True,
            env=_env(),
        )
        deadline = time.monotonic() + 300
        while (holder := current_holder(db)) is None or holder.pid != first.pid:
            assert first.poll() is None and time.monotonic() < deadline, "the first build never took the lock"
            time.sleep(0.1)

        # a writer that will not wait: one line naming the holder
        impatient = _cli("build", "--data-dir", str(b_dir), "--db", str(db), INDEXPIPE_LOCK_WAIT_SECONDS="1")
        assert impatient.returncode == 1
        reason = _reason(impatient.stderr)
        assert f"is being written by pid {first.pid}" in reason, reason
        assert f"indexpipe build --data-dir {a_dir}" in reason and "running since" in reason, reason

        # a writer that waits runs after the first one, on its own input only
        second = _cli("build", "--data-dir", str(b_dir), "--db", str(db))
        out, err = first.communicate(timeout=1200)
        assert first.returncode == 0, err[-3000:]
        assert second.returncode == 0, second.stderr[-3000:]

    assert readers.reads > 20 and readers.failures == [], readers.failures[:3]
    records = _build_records(db)
    b_prices = _raw_rows(db)
    a_prices = duckdb.execute(
        "select count(*) from read_parquet(?)", [str(a_dir / "prices.parquet")]
    ).fetchall()[0][0]
    assert b_prices != a_prices  # the two markets differ, so the records below tell the runs apart
    # baseline (A), first (A), second (B): each run's marts were built from its own prices
    assert [(job, fp.split(":")[0]) for job, fp in records] == [
        ("build_all", str(a_prices)),
        ("build_all", str(a_prices)),
        ("build_all", str(b_prices)),
    ]
    assert _leftovers(db) == []
    # the build-state line of `indexpipe validate`, in this process (each build ran every suite before its commit;
    # the validate command itself, on such paths, is in test_every_cli_path_may_hold_quotes_spaces_and_non_ascii)
    state = check_warehouse_state(db, mart_models())
    assert state.success and state.message.startswith("marts match the raw tables"), state.message


def _children(pid: int) -> list[tuple[int, str]]:
    found = []
    for entry in Path("/proc").iterdir():
        if not entry.name.isdigit():
            continue
        try:
            stat = (entry / "stat").read_text()
            cmdline = (entry / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
        except OSError:
            continue
        ppid = int(stat.rsplit(")", 1)[1].split()[1])
        if ppid == pid:
            found.append((int(entry.name), cmdline))
    return found


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state not in ("Z", "X")  # a zombie has exited; only its parent's reaping is missing


@pytest.mark.skipif(not Path("/proc/self/stat").exists(), reason="needs /proc to find the dbt child (Linux)")
def test_kill_9_during_dbt_leaves_no_dbt_and_the_warehouse_as_it_was(
    markets: tuple[Path, Path], baseline: Path, tmp_path: Path
) -> None:
    db = _copy_of(baseline, tmp_path / "wh")
    before = _state(db)
    run = subprocess.Popen(
        [INDEXPIPE, "build", "--data-dir", str(markets[1]), "--db", str(db)],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_env(),
        start_new_session=True,
    )
    # killed as soon as dbt is there: the run's raw tables are in its copy already, so a run that wrote the
    # warehouse itself would have changed it, and dbt must die with the run whatever it is doing
    _kill_when_dbt_runs_and_see_dbt_die(run)
    assert _state(db) == before  # the warehouse and the published snapshot are the ones from before the run
    assert current_holder(db) is None  # the kernel released the lock with the process
    assert _leftovers(db)  # the killed run's copy is still there ...

    recovered = _cli("build", "--data-dir", str(markets[1]), "--db", str(db))
    assert recovered.returncode == 0, recovered.stderr[-3000:]
    assert _leftovers(db) == []  # ... until the next run removes it
    b_lines = duckdb.execute(
        "select count(*) from read_csv(?)", [str(markets[1] / "securities.csv")]
    ).fetchall()[0][0]
    assert _raw_rows(db, "securities") == b_lines  # B's input, loaded by the recovering run
    assert [job for job, _ in _build_records(db)] == ["build_all", "build_all"]


@pytest.mark.skipif(
    not Path("/proc/self/stat").exists(), reason="needs /proc to find the dbt children (Linux)"
)
def test_kill_9_during_the_day_s_dbt_leaves_no_dbt_and_the_warehouse_as_it_was(
    markets: tuple[Path, Path], baseline: Path, tmp_path: Path
) -> None:
    # the daily run's dbt runs in a fork of the run's dbt server (indexpipe.dbt_child.warm_dbt), to which the command
    # dagster-dbt starts hands its work: all of them must die with the run
    db = _copy_of(baseline, tmp_path / "wh")
    with duckdb.connect(str(db), read_only=True) as con:
        last_day = con.execute("select max(date) from raw.prices").fetchone()[0]
    before = _state(db)
    run = subprocess.Popen(
        [INDEXPIPE, "day", "--data-dir", str(markets[0]), "--db", str(db), "--date", last_day.isoformat()],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        env=_env(),
        start_new_session=True,
    )
    _kill_when_dbt_runs_and_see_dbt_die(run)
    assert _state(db) == before
    assert current_holder(db) is None


def _kill_when_dbt_runs_and_see_dbt_die(run: subprocess.Popen) -> None:
    """kill -9 ``run`` as soon as dagster-dbt's dbt command is there; its dbt processes must be gone within 5 s."""
    deadline = time.monotonic() + 600
    # dagster-dbt's command (`indexpipe-dbt build ...`; this test's folder, in the run's own command line and so in
    # that of a child between fork and exec, has "dbt" in its name)
    while not any("indexpipe-dbt build " in cmd for _, cmd in _children(run.pid)):
        assert run.poll() is None and time.monotonic() < deadline, "the run ended before dbt started"
        time.sleep(0.05)
    dbt = [pid for pid, cmd in _children(run.pid) if "indexpipe-dbt" in cmd]
    assert len(dbt) == 2, _children(run.pid)  # the command dagster-dbt started, and the dbt server
    dbt += [pid for parent in dbt for pid, _ in _children(parent)]  # the server's fork running the command
    os.kill(run.pid, signal.SIGKILL)
    run.wait(timeout=30)

    gone_by = time.monotonic() + 5
    while any(_alive(pid) for pid in dbt) and time.monotonic() < gone_by:
        time.sleep(0.1)
    assert not [pid for pid in dbt if _alive(pid)], f"a dbt child (of {dbt}) survived the run"


def _mount_tmpfs(path: Path, megabytes: int, remount: bool = False) -> str | None:
    """Mount (or resize) a tmpfs; the reason it cannot be done, else None."""
    if shutil.which("mount") is None:
        return "no mount command"
    options = f"{'remount,' if remount else ''}size={megabytes}m"
    result = subprocess.run(
        ["mount", "-t", "tmpfs", "-o", options, "tmpfs", str(path)], capture_output=True, text=True
    )
    return None if result.returncode == 0 else f"cannot mount a tmpfs here: {result.stderr.strip()}"


def test_a_full_disk_fails_cleanly_and_keeps_the_warehouse(
    markets: tuple[Path, Path], baseline: Path, tmp_path: Path
) -> None:
    disk = tmp_path / "small_disk"
    disk.mkdir()
    size_mb = baseline.stat().st_size // 2**20 + 1
    if reason := _mount_tmpfs(disk, size_mb + 2):
        pytest.skip(reason)
    try:
        db = _copy_of(baseline, disk / "wh")
        before = _state(db)
        # no room for the run's copy of the warehouse
        refused = _cli("build", "--data-dir", str(markets[1]), "--db", str(db))
        assert refused.returncode == 1
        assert "no space left for a copy of it" in _reason(refused.stderr)
        assert _state(db) == before and _leftovers(db) == []

        # room for the copy, not for what the run writes into it: it fails loading the raw tables (No space left
        # on device), after the copy and before dbt; a failure inside dbt is tests/test_cli_and_ui.py's and
        # tests/test_warehouse_promises.py's
        assert _mount_tmpfs(disk, 2 * size_mb + 2, remount=True) is None
        failed = _cli("build", "--data-dir", str(markets[1]), "--db", str(db))
        assert failed.returncode == 1
        assert "space" in _reason(failed.stderr).lower(), failed.stderr[-2000:]
        assert _state(db) == before and _leftovers(db) == []

        # with room again the same build succeeds
        assert _mount_tmpfs(disk, 4 * size_mb + 64, remount=True) is None
        rebuilt = _cli("build", "--data-dir", str(markets[1]), "--db", str(db))
        assert rebuilt.returncode == 0, rebuilt.stderr[-3000:]
        assert _state(db) != before and _leftovers(db) == []
    finally:
        subprocess.run(["umount", "-l", str(disk)], check=False)


def test_every_cli_path_may_hold_quotes_spaces_and_non_ascii(
    generated: tuple[Path, subprocess.CompletedProcess[str]],
    baseline_build: tuple[Path, subprocess.CompletedProcess[str]],
    baseline: Path,
    tmp_path: Path,
) -> None:
    # generate and build (the module's market A and its warehouse), then day, validate, compare, report and
    # holdings; `import public` reads files outside the repository and has its own tests
    market, generated_proc = generated
    assert generated_proc.returncode == 0, generated_proc.stderr[-2000:]
    assert (market / "prices.parquet").exists() and (market / "securities.csv").exists()
    built_db, built = baseline_build
    assert built.returncode == 0, built.stderr[-3000:]
    assert (published_link(built_db) / "fct_index_levels.parquet").exists()
    assert ODD in str(market) and ODD in str(built_db) and "'" in built_db.name and '"' in built_db.name
    # the commands below change the warehouse: a copy, under the same kind of path
    odd = tmp_path / ODD
    db = _copy_of(baseline, odd / "wäre 'house'")
    with duckdb.connect(str(db), read_only=True) as con:
        last_day, levels = con.execute(
            "select max(date), count(*) from main.fct_index_levels where index_code = 'R3000'"
        ).fetchone()
        series = con.execute(
            "select date, price_level from main.fct_index_levels where index_code = 'R3000' order by date"
        ).fetchall()
    day = _cli("day", "--data-dir", str(market), "--db", str(db), "--date", last_day.isoformat())
    assert day.returncode == 0, day.stderr[-3000:]
    validated = _cli("validate", "--db", str(db))
    assert validated.returncode == 0, validated.stdout[-2000:] + validated.stderr[-2000:]
    published = odd / 'pub\'lished "R3000".csv'
    published.write_text("Date,Close\n" + "".join(f"{d},{v!r}\n" for d, v in series))
    out = odd / "cömpare 'out'.md"
    compared = _cli(
        "compare", "--db", str(db), "--prices", str(published), "--index", "R3000", "--out", str(out)
    )
    assert compared.returncode == 0, compared.stderr[-2000:]
    assert out.exists() and levels == len(series)
    chartbook, holdings = odd / 'rép\'ort "R3000".html', odd / "höld'ings.csv"
    reported = _cli("report", "--db", str(db), "--index", "R3000", "--out", str(chartbook))
    assert reported.returncode == 0 and chartbook.exists(), reported.stderr[-2000:]
    held = _cli(
        "holdings",
        "--index",
        "R3000",
        "--date",
        last_day.isoformat(),
        "--db",
        str(db),
        "--out",
        str(holdings),
    )
    assert held.returncode == 0 and holdings.exists(), held.stderr[-2000:]
