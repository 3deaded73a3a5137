"""Peak memory of a command, by process and by moment: where a build's peak comes from.

Runs the command, samples the resident memory (``VmRSS``) of it and every process under it every ``--every``
seconds from ``/proc``, stamps each line the command prints with the time it appeared (``--timings`` stage lines
say which step just ended), and afterwards lines up the largest process's samples with dbt's node timings from the
newest ``run_results.json`` under ``dbt_project/target`` (which models ran while the memory rose). Linux only.

    python bench/memory_profile.py -- indexpipe demo --timings
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _status(pid: int) -> dict[str, int]:
    values = {}
    try:
        for line in Path(f"/proc/{pid}/status").read_text().splitlines():
            key, _, rest = line.partition(":")
            if key in ("VmRSS", "VmHWM", "PPid"):
                values[key] = int(rest.split()[0])
    except (OSError, ValueError, IndexError):
        return {}
    return values


def _name(pid: int) -> str:
    try:
        argv = Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0")
    except OSError:
        return "?"
    words = [Path(a.decode(errors="replace")).name for a in argv[:3] if a]
    return " ".join(words)[:60]


def _descendants(root: int) -> list[int]:
    children: dict[int, list[int]] = {}
    for entry in os.listdir("/proc"):
        if entry.isdigit():
            ppid = _status(int(entry)).get("PPid")
            if ppid is not None:
                children.setdefault(ppid, []).append(int(entry))
    found, todo = [], [root]
    while todo:
        pid = todo.pop()
        found.append(pid)
        todo.extend(children.get(pid, []))
    return found


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--every", type=float, default=0.2)
    parser.add_argument("--out", type=Path, help="write the samples as JSON here")
    parser.add_argument("command", nargs=argparse.REMAINDER)
    args = parser.parse_args()
    command = args.command[1:] if args.command[:1] == ["--"] else args.command
    started = time.time()
    proc = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    lines: list[tuple[float, str]] = []

    def read() -> None:
        for line in proc.stdout:
            lines.append((time.time() - started, line.rstrip("\n")))
            sys.stdout.write(line)
            sys.stdout.flush()

    reader = threading.Thread(target=read, daemon=True)
    reader.start()
    samples: list[tuple[float, int, str, int]] = []  # seconds, pid, name, rss KiB
    hwm: dict[int, tuple[str, int]] = {}
    while proc.poll() is None:
        now = time.time() - started
        for pid in _descendants(proc.pid):
            status = _status(pid)
            if "VmRSS" in status:
                name = hwm.get(pid, (_name(pid), 0))[0]
                samples.append((now, pid, name, status["VmRSS"]))
                hwm[pid] = (name, max(hwm.get(pid, ("", 0))[1], status.get("VmHWM", 0)))
        time.sleep(args.every)
    reader.join()
    wall = time.time() - started
    print(f"\nexit {proc.returncode}, {wall:.1f} s")
    print("largest resident memory seen per process (VmHWM, MiB):")
    for pid, (name, kib) in sorted(hwm.items(), key=lambda kv: -kv[1][1])[:8]:
        print(f"  {pid:>7} {kib / 1024:8,.0f}  {name}")
    if not samples:
        return
    top_pid = max(hwm, key=lambda p: hwm[p][1])
    top = [(t, kib) for t, pid, _, kib in samples if pid == top_pid]
    peak_t, peak_kib = max(top, key=lambda s: s[1])
    print(f"largest process {top_pid} peaked at {peak_kib / 1024:,.0f} MiB (sampled) at {peak_t:.1f} s")
    print("after the output line:", next((ln for t, ln in reversed(lines) if t <= peak_t), "-"))
    results = sorted(ROOT.glob("dbt_project/target/**/run_results.json"), key=lambda p: p.stat().st_mtime)
    if results and results[-1].stat().st_mtime >= started:
        nodes = []
        for r in json.loads(results[-1].read_text())["results"]:
            for timing in r.get("timing", []):
                if timing["name"] == "execute" and timing.get("started_at"):
                    t0 = dt.datetime.fromisoformat(timing["started_at"].replace("Z", "+00:00")).timestamp()
                    t1 = dt.datetime.fromisoformat(timing["completed_at"].replace("Z", "+00:00")).timestamp()
                    nodes.append((t0 - started, t1 - started, r["unique_id"].split(".")[-1]))
        print("dbt nodes running while the largest process was above 90% of its peak:")
        hot = [t for t, kib in top if kib >= 0.9 * peak_kib]
        for t0, t1, node in sorted(nodes):
            if any(t0 <= t <= t1 for t in hot):
                mib = max(kib for t, kib in top if t0 <= t <= t1 + args.every) / 1024 if hot else 0
                print(f"  {t0:7.1f}-{t1:7.1f} s  {mib:7,.0f} MiB  {node}")
    if args.out:
        args.out.write_text(
            json.dumps({"samples": samples, "lines": lines, "hwm": {str(k): v for k, v in hwm.items()}})
        )


if __name__ == "__main__":
    main()
