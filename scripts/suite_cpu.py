"""Where the test suite's time goes: each test's wall time and the processor time it used, by file.

    python scripts/suite_cpu.py                    # the suite as CI runs it (three workers), this checkout
    python scripts/suite_cpu.py --baseline HEAD~3  # and another commit's suite, in a scratch worktree, same run
    python scripts/suite_cpu.py -- tests/e2e       # arguments after -- go to pytest

The suite is bound by the processor (tests/README.md, "Suite time"): with three workers on two cores the wall
time is about half the CPU time, so CPU is the figure to cut. Each test's CPU is read with `getrusage` around
it, in the worker (`self`: the bot started in-process, the fake Discord, the test) and in the processes it
started and waited for (`children`: `dramabot` runs, killed bots). Not for CI: a run takes minutes.

A baseline's worktree has no ../shared beside it, so the seed-rebuild test skips there (13 s of CPU): compare
file by file, or pass `-- --deselect tests/test_seed.py::test_rebuilding_from_the_csvs_gives_the_same_bytes`.
This file is also the pytest plugin that does the reading (`-p suite_cpu`), loaded in every worker.
"""

from __future__ import annotations

import argparse
import collections
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parents[1]
_OUT = "SUITE_CPU_OUT"


def _cpu() -> tuple[float, float]:
    own = resource.getrusage(resource.RUSAGE_SELF)
    children = resource.getrusage(resource.RUSAGE_CHILDREN)
    return own.ru_utime + own.ru_stime, children.ru_utime + children.ru_stime


try:
    import pytest
except ImportError:  # the plugin part is only needed inside pytest
    pytest = None  # type: ignore[assignment]
else:

    @pytest.hookimpl(hookwrapper=True)
    def pytest_runtest_protocol(item: Any, nextitem: Any) -> Iterator[None]:
        out = os.environ.get(_OUT)
        own, children, started = *_cpu(), time.perf_counter()
        yield
        if out:
            own_after, children_after = _cpu()
            record = {
                "test": item.nodeid,
                "self": own_after - own,
                "children": children_after - children,
                "wall": time.perf_counter() - started,
            }
            with open(out, "a", encoding="utf-8") as file:
                file.write(json.dumps(record) + "\n")


def run_suite(checkout: Path, pytest_args: list[str]) -> tuple[list[dict[str, Any]], float, float, str]:
    """Run the suite of `checkout`; return its per-test records, wall seconds, CPU seconds and pytest's last line."""
    with tempfile.TemporaryDirectory() as scratch:
        out = Path(scratch) / "tests.jsonl"
        env = os.environ | {_OUT: str(out), "PYTHONPATH": os.pathsep.join([str(checkout), str(ROOT / "scripts")])}
        before, started = resource.getrusage(resource.RUSAGE_CHILDREN), time.perf_counter()
        run = subprocess.run(
            [sys.executable, "-m", "pytest", "-q", "-p", "suite_cpu", "-p", "no:cacheprovider", *pytest_args],
            cwd=checkout, env=env, capture_output=True, text=True,
        )  # fmt: skip
        wall = time.perf_counter() - started
        after = resource.getrusage(resource.RUSAGE_CHILDREN)
        cpu = after.ru_utime + after.ru_stime - before.ru_utime - before.ru_stime
        records = [json.loads(line) for line in out.read_text().splitlines()] if out.exists() else []
    last = (run.stdout.strip().splitlines() or ["(no output)"])[-1]
    return records, wall, cpu, last


def by_file(records: list[dict[str, Any]]) -> dict[str, list[float]]:
    """Per test file: tests, CPU in the worker, CPU of the processes it started, wall."""
    files: dict[str, list[float]] = collections.defaultdict(lambda: [0, 0.0, 0.0, 0.0])
    for record in records:
        row = files[record["test"].split("::")[0]]
        row[0] += 1
        row[1] += record["self"]
        row[2] += record["children"]
        row[3] += record["wall"]
    return dict(files)


def report(runs: dict[str, tuple[list[dict[str, Any]], float, float, str]], top: int) -> None:
    names = list(runs)
    print("| run | tests | wall, s | CPU of the run, s | CPU in tests: worker, s | started processes, s | result |")
    print("|---|---|---|---|---|---|---|")
    for name, (records, wall, cpu, last) in runs.items():
        own = sum(r["self"] for r in records)
        children = sum(r["children"] for r in records)
        print(f"| {name} | {len(records)} | {wall:.0f} | {cpu:.0f} | {own:.0f} | {children:.0f} | {last} |")
    tables = {name: by_file(runs[name][0]) for name in names}
    files = sorted(
        {f for table in tables.values() for f in table}, key=lambda f: -sum(tables[names[0]].get(f, [0, 0, 0, 0])[1:3])
    )
    print()
    print("| file | " + " | ".join(f"CPU {name}, s (tests)" for name in names) + " |")
    print("|---|" + "---|" * len(names))
    for file in files[:top]:
        cells = []
        for name in names:
            row = tables[name].get(file)
            cells.append(f"{row[1] + row[2]:.1f} ({row[0]:.0f})" if row else "-")
        print(f"| {file} | " + " | ".join(cells) + " |")
    records = runs[names[0]][0]
    print()
    print(f"Slowest tests of {names[0]} (wall over 5 s: {sum(r['wall'] > 5 for r in records)}):")
    for record in sorted(records, key=lambda r: -r["wall"])[:top]:
        print(f"  {record['wall']:5.1f} s wall {record['self'] + record['children']:5.1f} s CPU  {record['test']}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--baseline", metavar="REV", help="also run the suite of this commit, for comparison")
    parser.add_argument("--top", type=int, default=25, help="how many files and tests to list (default 25)")
    parser.add_argument("pytest_args", nargs="*", help="passed to pytest (after --)")
    args = parser.parse_args()
    runs = {}
    if args.baseline:
        with tempfile.TemporaryDirectory() as scratch:
            worktree = Path(scratch) / "baseline"
            subprocess.run(["git", "worktree", "add", "--detach", str(worktree), args.baseline], cwd=ROOT, check=True)
            try:
                runs[args.baseline] = run_suite(worktree, args.pytest_args)
            finally:
                subprocess.run(["git", "worktree", "remove", "--force", str(worktree)], cwd=ROOT, check=True)
    runs["this checkout"] = run_suite(ROOT, args.pytest_args)
    if args.baseline:  # this checkout first in the tables
        runs = {"this checkout": runs["this checkout"], args.baseline: runs[args.baseline]}
    report(runs, args.top)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
