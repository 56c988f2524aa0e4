"""The house rules, checked on the source: arrows point down, bot/ is free of discord, modules stay readable."""

from __future__ import annotations

import ast
from collections.abc import Collection, Iterator
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGES = ("bot", "cogs")
# Launchers: they start the real client, so they may import discord.
LAUNCHERS = ("bot.app", "bot.cli", "bot.console")
MODULE_LINES = 600
# Pure data tables may run longer than a module of code.
DATA_TABLES = ("bot.ask.rules",)


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for package in PACKAGES for path in sorted((ROOT / package).rglob("*.py"))}


def imported(name: str, path: Path, known: Collection[str] = ()) -> Iterator[str]:
    """Every module `name` imports, at run time or only for type checking, as absolute names.

    `from pkg import sub` imports the module pkg.sub when `known` has it, else a name defined in pkg itself.
    """
    package = name if path.name == "__init__.py" else name.rpartition(".")[0]
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.Import):
            yield from (alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, base] if base else anchor)
            for alias in node.names:
                yield f"{base}.{alias.name}" if f"{base}.{alias.name}" in known else base


def graph() -> dict[str, set[str]]:
    found = modules()
    return {
        name: {other for other in imported(name, path, found) if other in found and other != name}
        for name, path in found.items()
    }


def test_bot_imports_discord_only_in_the_launchers() -> None:
    offenders = [
        name
        for name, path in modules().items()
        if name.startswith("bot")
        and not any(name == launcher or name.startswith(launcher + ".") for launcher in LAUNCHERS)
        and any(other == "discord" or other.startswith("discord.") for other in imported(name, path))
    ]
    assert offenders == []


def test_there_is_no_import_cycle() -> None:
    edges = graph()
    # Importing a package runs its __init__: a module imports its parent packages too.
    for name in list(edges):
        for other in list(edges[name]):
            parent = other.rpartition(".")[0]
            while parent and parent in edges and parent != name and not name.startswith(parent + "."):
                edges[name].add(parent)
                parent = parent.rpartition(".")[0]
    cycles = []
    state: dict[str, int] = {}

    def visit(name: str, trail: list[str]) -> None:
        state[name] = 1
        for other in sorted(edges[name]):
            if state.get(other) == 1:
                cycles.append([*trail[trail.index(other) :], other] if other in trail else [name, other])
            elif other not in state:
                visit(other, [*trail, other])
        state[name] = 2

    for name in sorted(edges):
        if name not in state:
            visit(name, [name])
    assert cycles == []


@pytest.mark.parametrize("name", sorted(set(modules()) - set(DATA_TABLES)))
def test_no_module_is_a_wall_of_code(name: str) -> None:
    lines = modules()[name].read_text(encoding="utf-8").count("\n")
    assert lines <= MODULE_LINES, f"{name} has {lines} lines; split it by concern"
