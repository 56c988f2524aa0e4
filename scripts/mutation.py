"""Mutation testing of the pure core with mutmut: how many deliberate bugs do the fast unit tests catch?

    pip install -e '.[mutation]'
    python scripts/mutation.py                        # every core module below; prints the score and survivors
    python scripts/mutation.py bot/announce/plan.py   # one module
    python scripts/mutation.py --keep /tmp/mutants    # keep the scratch trees (mutmut browse works there)
    python scripts/mutation.py --show                 # also print each survivor's diff

Not run by CI (a full run takes about 25 minutes on two shared cores). mutmut works in a scratch copy of the
tree, so the checkout is never touched: its configuration is written into the copy's pyproject.toml, not this
one. The score and the judged survivors are kept in tests/README.md.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
# The pure core (no Discord, no SQLite; `now` passed in), each with the fast unit tests that exercise it. For each
# mutant mutmut runs only those of these tests that reach the mutated function.
CORE: dict[str, tuple[str, ...]] = {
    "bot/search.py": ("tests/test_search.py", "tests/test_search_edges.py"),
    "bot/schedule.py": ("tests/test_schedule.py", "tests/test_schedule_edges.py"),
    "bot/announce/plan.py": ("tests/test_announcer.py", "tests/test_announce_plan.py", "tests/test_core_limits.py"),
    "bot/curation/rules.py": (
        "tests/test_curation.py",
        "tests/test_curation_rules.py",
        "tests/test_core_limits.py",
    ),
    "bot/ask/answers.py": ("tests/test_ask.py",),
}
KILLED = {"killed", "timeout", "segfault"}  # the tests noticed (a hang or a crash counts as noticed)


def copy_tree(target: Path) -> None:
    """Copy the files git knows (tracked, or new and not ignored) into `target`."""
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT, check=True, capture_output=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            destination = target / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)


def configure(target: Path, modules: list[str], tests: list[str]) -> None:
    quoted = lambda items: ", ".join(json.dumps(item) for item in items)  # noqa: E731
    with (target / "pyproject.toml").open("a", encoding="utf-8") as pyproject:
        pyproject.write(
            "\n[tool.mutmut]\n"
            f"source_paths = [{quoted(modules)}]\n"
            f"pytest_add_cli_args_test_selection = [{quoted(tests)}]\n"
            'pytest_add_cli_args = ["-p", "no:cacheprovider", "-q", "-x"]\n'
            'also_copy = ["bot", "cogs", "data"]\n'
        )


def mutmut(target: Path, *args: str) -> str:
    env = {**os.environ, "PYTHONPATH": str(target), "PYTHONWARNINGS": "ignore"}
    done = subprocess.run(
        [sys.executable, "-m", "mutmut", *args], cwd=target, env=env, capture_output=True, text=True
    )  # fmt: skip
    if done.returncode != 0:
        sys.stderr.write(done.stdout[-4000:] + done.stderr[-4000:])
        raise SystemExit(f"mutmut {' '.join(args)} failed ({done.returncode})")
    return done.stdout


def mutate(module: str, work: Path, children: int, show: bool) -> dict[str, str]:
    """Run mutmut over one module in `work`; return each mutant's outcome (printing survivors' diffs if asked)."""
    copy_tree(work)
    configure(work, [module], [t for t in CORE[module] if (ROOT / t).exists()])
    mutmut(work, "run", "--max-children", str(children))
    outcomes: dict[str, str] = {}
    for line in mutmut(work, "results", "--all", "true").splitlines():
        match = re.match(r"\s*(\S+__mutmut_\d+): (.+)$", line)
        if match:
            outcomes[match[1]] = match[2].strip()
    survivors = sorted(name for name, state in outcomes.items() if state not in KILLED)
    caught = len(outcomes) - len(survivors)
    print(f"{module}: {caught} of {len(outcomes)} killed ({caught / max(len(outcomes), 1):.1%}); "
          f"by outcome {dict(sorted(Counter(outcomes.values()).items()))}", flush=True)  # fmt: skip
    for name in survivors:
        print(f"  {name}: {outcomes[name]}")
        if show:
            print("    " + mutmut(work, "show", name).strip().replace("\n", "\n    "))
    return outcomes


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("modules", nargs="*", help=f"modules to mutate (default: {', '.join(CORE)})")
    parser.add_argument("--show", action="store_true", help="print each survivor's diff")
    parser.add_argument("--keep", type=Path, help="work in this folder and keep it (default: a temporary one)")
    parser.add_argument("--children", type=int, default=2, help="mutants tested at once (default 2)")
    args = parser.parse_args()
    modules = args.modules or list(CORE)
    unknown = [m for m in modules if m not in CORE]
    if unknown:
        parser.error(f"not a core module: {unknown}; pick from {list(CORE)}")
    base = args.keep or Path(tempfile.mkdtemp(prefix="dramabot-mutation-"))
    total: dict[str, str] = {}
    try:
        for module in modules:
            work = base / module.replace("/", "-")
            shutil.rmtree(work, ignore_errors=True)
            work.mkdir(parents=True)
            total |= mutate(module, work, args.children, args.show)
        killed = sum(state in KILLED for state in total.values())
        print(f"score: {killed} of {len(total)} mutants killed = {killed / max(len(total), 1):.1%}")
        return 0
    finally:
        if not args.keep:
            shutil.rmtree(base, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
