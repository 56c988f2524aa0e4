"""A list as a file: export to CSV or JSON, and import the same format back, all of it or nothing (pure).

Columns (CSV header, or JSON object keys): `title` (required), `year`, `status` (required), `episode`, `score`,
`show_id`. On import `show_id` is trusted only when it names a show of that title visible here; otherwise the
title (and year) are looked up in the catalog, and only a sure match is taken.
"""

from __future__ import annotations

import csv
import io
import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from bot.catalog import Catalog
from bot.errors import DramabotError, InvalidInput
from bot.lists.entries import check_episode, check_score, parse_status
from bot.models import ListEntry, Show
from bot.text import QUERY_LIMIT

LIST_MAX_BYTES = 512_000
LIST_MAX_ROWS = 2000
LIST_COLUMNS = ("title", "year", "status", "episode", "score", "show_id")
PROBLEMS_SHOWN = 5


@dataclass(frozen=True, slots=True)
class ListProblem:
    line: int
    message: str


class ListImportRejected(InvalidInput):
    """The file has problems; nothing was imported."""

    def __init__(self, problems: Sequence[ListProblem]) -> None:
        shown = "; ".join(f"line {p.line}: {p.message}" for p in problems[:PROBLEMS_SHOWN])
        more = f" (and {len(problems) - PROBLEMS_SHOWN} more)" if len(problems) > PROBLEMS_SHOWN else ""
        super().__init__(f"Nothing was imported: {shown}{more}.")
        self.problems = tuple(problems)


def export_rows(entries: Iterable[tuple[ListEntry, Show]]) -> list[dict[str, Any]]:
    return [
        {"title": show.title, "year": show.year, "status": entry.status.label, "episode": entry.episode,
         "score": entry.score, "show_id": show.id}
        for entry, show in entries
    ]  # fmt: skip


def export_list(entries: Iterable[tuple[ListEntry, Show]], kind: str) -> bytes:
    """The list as a `csv` or `json` file (UTF-8), in the import format."""
    rows = export_rows(entries)
    if kind == "json":
        return json.dumps({"entries": rows}, ensure_ascii=False, indent=1).encode()
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=LIST_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows({k: "" if v is None else v for k, v in row.items()} for row in rows)
    return out.getvalue().encode()


def read_list_file(data: bytes, filename: str) -> list[tuple[int, dict[str, Any]]]:
    """Read a CSV or JSON list file into (line, row) pairs, or raise InvalidInput in one sentence."""
    if len(data) > LIST_MAX_BYTES:
        raise InvalidInput(f"That file is over {LIST_MAX_BYTES // 1000} KB; a list file is smaller.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("That file is not UTF-8 text; export it again as CSV or JSON.") from None
    if filename.casefold().endswith(".json") or text.lstrip().startswith(("{", "[")):
        rows = _json_rows(text)
    else:
        rows = _csv_rows(text)
    if not rows:
        raise InvalidInput("That file has no entries.")
    if len(rows) > LIST_MAX_ROWS:
        raise InvalidInput(f"That file has {len(rows)} entries; a list holds at most {LIST_MAX_ROWS}.")
    return rows


def _json_rows(text: str) -> list[tuple[int, dict[str, Any]]]:
    try:
        parsed = json.loads(text)
    except json.JSONDecodeError as error:
        raise InvalidInput(f"That file is not valid JSON (line {error.lineno}: {error.msg}).") from None
    items = parsed.get("entries") if isinstance(parsed, dict) else parsed
    if not isinstance(items, list) or not all(isinstance(item, dict) for item in items):
        raise InvalidInput('A JSON list file is {"entries": [{"title": ..., "status": ...}, ...]}.')
    lines = text.splitlines()
    starts = [n for n, line in enumerate(lines, 1) if line.lstrip().startswith("{")]
    offset = 1 if isinstance(parsed, dict) and starts and starts[0] == 1 else 0
    return [(starts[i + offset] if i + offset < len(starts) else i + 1, item) for i, item in enumerate(items)]


def _csv_rows(text: str) -> list[tuple[int, dict[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text))
    header = [name.strip().casefold() for name in reader.fieldnames or []]
    if "title" not in header or "status" not in header:
        raise InvalidInput("A CSV list file starts with a header line naming at least title and status.")
    reader.fieldnames = header
    rows: list[tuple[int, dict[str, Any]]] = []
    try:
        for row in reader:
            if any((value or "").strip() for key, value in row.items() if key is not None):
                rows.append((reader.line_num, row))
            if len(rows) > LIST_MAX_ROWS:
                break
    except csv.Error as error:
        raise InvalidInput(f"That file is not valid CSV (line {reader.line_num}: {error}).") from None
    return rows


def resolve_rows(
    rows: Sequence[tuple[int, dict[str, Any]]], catalog: Catalog, *, user_id: int, guild_id: int | None
) -> list[ListEntry]:
    """Turn every row into an entry for `user_id`, or raise ListImportRejected naming each bad line."""
    problems: list[ListProblem] = []
    entries: dict[int, ListEntry] = {}
    for line, row in rows:
        try:
            entry = _entry(row, catalog, user_id=user_id, guild_id=guild_id)
        except DramabotError as error:
            problems.append(ListProblem(line, error.message.rstrip(".")))
            continue
        if entry.show_id in entries:
            problems.append(ListProblem(line, f"{catalog.shows[entry.show_id].title} is on an earlier line too"))
            continue
        entries[entry.show_id] = entry
    if problems:
        raise ListImportRejected(problems)
    return list(entries.values())


def _entry(row: dict[str, Any], catalog: Catalog, *, user_id: int, guild_id: int | None) -> ListEntry:
    show = _show(row, catalog, guild_id)
    status = parse_status(_text(row.get("status")) or "")
    episode = _whole(row.get("episode"), "episode")
    score = check_score(_whole(row.get("score"), "score"))
    watched = check_episode(episode, show) if episode is not None else 0
    return ListEntry(user_id=user_id, show_id=show.id, status=status, episode=watched, score=score,
                     guild_id=show.guild_id)  # fmt: skip


def _show(row: dict[str, Any], catalog: Catalog, guild_id: int | None) -> Show:
    title = _text(row.get("title"))
    if not title:
        raise InvalidInput("the title is missing")
    if len(title) > QUERY_LIMIT:
        raise InvalidInput(f"the title is longer than {QUERY_LIMIT} characters")
    year = _whole(row.get("year"), "year")
    show_id = _whole(row.get("show_id"), "show_id")
    by_id = catalog.shows.get(show_id) if show_id is not None else None
    if by_id is not None and catalog.visible(by_id, guild_id) and by_id.title.casefold() == title.casefold():
        return by_id
    lookup = catalog.find_show(f"{title} ({year})" if year else title, guild_id=guild_id, strict=True)
    if not lookup.sure or (year is not None and lookup.best.year not in (None, year)):
        raise InvalidInput(f"no drama in the catalog is surely “{title}”{f' ({year})' if year else ''}")
    return lookup.best


def _text(value: Any) -> str:
    return " ".join(str(value).split()) if value is not None else ""


def _whole(value: Any, name: str) -> int | None:
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, bool):
        raise InvalidInput(f"{name} is not a whole number")
    if isinstance(value, int):
        return value
    try:
        return int(str(value).strip())
    except ValueError:
        raise InvalidInput(f"{name} “{str(value)[:20]}” is not a whole number") from None
