"""Import files and exports: read a JSON or CSV file of shows into validated drafts, and write shows back out.

Every row must validate before anything is written; `ImportRejected` names each bad line. An export is in the
import format, so a server's shows can be imported again elsewhere.
"""

from __future__ import annotations

import csv
import io
import json
import re
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from bot.curation.rules import ShowDraft, draft_show
from bot.errors import InvalidInput
from bot.models import Show
from bot.text import normalize

IMPORT_MAX_BYTES = 1_000_000
IMPORT_MAX_SHOWS = 500
# The fields an admin sets, in the order the import format and the export list them.
IMPORT_COLUMNS = (
    "title", "hangul_title", "networks", "premiere", "episodes", "air_days", "air_time", "timezone", "synopsis",
    "aliases",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class ImportProblem:
    line: int  # 1-based line of the file where the row (CSV) or the show's object (JSON) starts
    message: str


class ImportRejected(InvalidInput):
    """The file has problems; nothing was imported. `problems` lists each with its line."""

    def __init__(self, problems: Sequence[ImportProblem]) -> None:
        self.problems = tuple(problems)
        first = self.problems[0]
        more = len(self.problems) - 1
        suffix = f" (and {more} more problem{'s' if more > 1 else ''})" if more else ""
        super().__init__(f"Nothing was imported: line {first.line}: {first.message}{suffix}")


@dataclass(frozen=True, slots=True)
class ImportRow:
    line: int
    draft: ShowDraft


def file_kind(filename: str, data: bytes) -> str:
    name = filename.lower()
    if name.endswith(".json"):
        return "json"
    if name.endswith(".csv"):
        return "csv"
    head = data.lstrip()[:1]
    return "json" if head in (b"{", b"[") else "csv"


def check_import_size(size: int) -> None:
    """Refuse a file too large to import (before reading it, when its size is known)."""
    if size > IMPORT_MAX_BYTES:
        raise InvalidInput(f"The file is larger than {IMPORT_MAX_BYTES // 1000} kB; split it into smaller files.")


def check_import_count(count: int) -> None:
    """Refuse a file with more shows than one import may add."""
    if count > IMPORT_MAX_SHOWS:
        raise InvalidInput(f"The file holds {count} shows; import at most {IMPORT_MAX_SHOWS} at a time.")


def parse_import(data: bytes, filename: str) -> list[ImportRow]:
    """Parse a JSON or CSV import file; every row must validate, else ImportRejected lists each bad line."""
    check_import_size(len(data))
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("The file is not UTF-8 text; save it as UTF-8 and try again.") from None
    kind = file_kind(filename, data)
    records = _json_records(text) if kind == "json" else _csv_records(text)
    if not records:
        raise InvalidInput("The file holds no shows; see data/import-example.json for the format.")
    check_import_count(len(records))
    rows: list[ImportRow] = []
    problems: list[ImportProblem] = []
    seen: dict[str, int] = {}
    for line, record in records:
        try:
            draft = _draft_from_record(record)
        except InvalidInput as error:
            problems.append(ImportProblem(line, error.message))
            continue
        key = normalize(draft.title)
        if key in seen:
            problems.append(ImportProblem(line, f"“{draft.title}” is already in this file, on line {seen[key]}."))
            continue
        seen[key] = line
        rows.append(ImportRow(line, draft))
    if problems:
        raise ImportRejected(problems)
    return rows


def check_against_catalog(rows: Sequence[ImportRow], existing: Iterable[Show]) -> None:
    """Refuse rows whose title is already a show this server sees (edit those with /show edit)."""
    taken = {normalize(name): show for show in existing for name in show.all_titles}
    problems = [
        ImportProblem(row.line, f"“{row.draft.title}” is already in the catalog; change it with /show edit.")
        for row in rows
        if normalize(row.draft.title) in taken
    ]
    if problems:
        raise ImportRejected(problems)


def _draft_from_record(record: Mapping[str, Any]) -> ShowDraft:
    unknown = sorted(set(record) - set(IMPORT_COLUMNS) - {"network"})
    if unknown:
        raise InvalidInput(f"unknown field “{unknown[0]}”; the fields are {', '.join(IMPORT_COLUMNS)}.")
    for name in ("title", "hangul_title", "premiere", "air_time", "timezone", "synopsis"):
        value = record.get(name)
        if value is not None and not isinstance(value, str):
            raise InvalidInput(f"{name} must be text.")
    for name in ("networks", "network", "air_days", "aliases"):
        value = record.get(name)
        if value is not None and not _is_text_or_texts(value):
            raise InvalidInput(f"{name} must be text or a list of texts.")
    episodes = record.get("episodes")
    if isinstance(episodes, bool) or (episodes is not None and not isinstance(episodes, (int, str))):
        raise InvalidInput("episodes must be a whole number.")
    title = record.get("title")
    if not title or not str(title).strip():
        raise InvalidInput("the title is missing.")
    return draft_show(
        title,
        hangul_title=record.get("hangul_title"),
        network=record.get("networks", record.get("network")),
        premiere=record.get("premiere"),
        episodes=episodes,
        air_days=record.get("air_days"),
        air_time=record.get("air_time"),
        timezone=record.get("timezone"),
        synopsis=record.get("synopsis"),
        aliases=record.get("aliases"),
    )


def _is_text_or_texts(value: Any) -> bool:
    return isinstance(value, str) or (isinstance(value, list) and all(isinstance(item, str) for item in value))


def _json_records(text: str) -> list[tuple[int, Mapping[str, Any]]]:
    try:
        document = json.loads(text)
    except json.JSONDecodeError as error:
        raise ImportRejected([ImportProblem(error.lineno, f"this is not valid JSON ({error.msg}).")]) from None
    except RecursionError:  # json gives up on nesting deeper than Python's recursion limit
        raise ImportRejected([ImportProblem(1, "this is not valid JSON (it is nested too deeply).")]) from None
    shows = document.get("shows") if isinstance(document, dict) else document
    if not isinstance(shows, list):
        raise ImportRejected([ImportProblem(1, "the file must be a list of shows or an object with a “shows” list.")])
    check_import_count(len(shows))  # before any per-item work
    lines = _json_item_lines(text, isinstance(document, dict), len(shows))
    records: list[tuple[int, Mapping[str, Any]]] = []
    problems: list[ImportProblem] = []
    for index, record in enumerate(shows):
        if isinstance(record, dict):
            records.append((lines[index], record))
        else:
            problems.append(ImportProblem(lines[index], "each show must be an object with a title."))
    if problems:
        raise ImportRejected(problems)
    return records


def _json_item_lines(text: str, wrapped: bool, count: int) -> list[int]:
    """The line each element of the shows array starts on (found by decoding the array element by element)."""
    decoder = json.JSONDecoder()
    start = 0
    if wrapped:
        match = re.search(r'"shows"\s*:\s*\[', text)
        start = match.end() if match else -1
    else:
        start = text.index("[") + 1
    lines: list[int] = []
    position = start
    line, counted = 1, 0  # the line number at `counted`, advanced as the scan goes: linear in the text
    try:
        while start >= 0 and len(lines) < count:
            while text[position] in " \t\r\n,":
                position += 1
            _value, end = decoder.raw_decode(text, position)
            line += text.count("\n", counted, position)
            counted = position
            lines.append(line)
            position = end
    except (ValueError, IndexError):
        pass
    if len(lines) != count:  # an odd layout: fall back to the element's number
        return list(range(1, count + 1))
    return lines


def _csv_records(text: str) -> list[tuple[int, Mapping[str, Any]]]:
    reader = csv.DictReader(io.StringIO(text, newline=""), skipinitialspace=True)
    header = [name.strip().lower() for name in reader.fieldnames or []]
    if "title" not in header:
        raise ImportRejected([ImportProblem(1, f"the first line must name the columns: {', '.join(IMPORT_COLUMNS)}.")])
    unknown = [name for name in header if name not in IMPORT_COLUMNS and name != "network"]
    if unknown:
        raise ImportRejected(
            [ImportProblem(1, f"unknown column “{unknown[0]}”; the columns are {', '.join(IMPORT_COLUMNS)}.")]
        )
    reader.fieldnames = header
    records: list[tuple[int, Mapping[str, Any]]] = []
    line = reader.line_num + 1
    problems: list[ImportProblem] = []
    try:
        for row in reader:
            if None in row:
                problems.append(ImportProblem(line, "this row has more values than the header has columns."))
            elif any((value or "").strip() for value in row.values()):
                records.append((line, {k: (_live_cell(v) if v and v.strip() else None) for k, v in row.items()}))
                check_import_count(len(records))  # stop reading as soon as the file holds too many
            line = reader.line_num + 1
    except csv.Error as error:
        problems.append(ImportProblem(reader.line_num, f"this is not valid CSV ({error})."))
    if problems:
        raise ImportRejected(problems)
    return records


def export_record(show: Show) -> dict[str, Any]:
    """One show in the import format (the keys `parse_import` reads)."""
    return {
        "title": show.title,
        "hangul_title": show.hangul_title,
        "networks": list(show.networks),
        "premiere": show.premiere.isoformat() if show.premiere else None,
        "episodes": show.episode_count,
        "air_days": ",".join(show.air_day_names) or None,
        "air_time": show.air_time.strftime("%H:%M") if show.air_time else None,
        "timezone": show.timezone,
        "synopsis": show.synopsis,
        "aliases": list(show.aliases),
    }


def export_shows(shows: Iterable[Show], kind: str = "json") -> bytes:
    """Write shows in the import format, so an export can be imported again (into another server)."""
    records = [export_record(show) for show in sorted(shows, key=lambda s: s.title.casefold())]
    if kind == "json":
        return (json.dumps({"shows": records}, ensure_ascii=False, indent=2) + "\n").encode()
    out = io.StringIO(newline="")
    writer = csv.DictWriter(out, fieldnames=IMPORT_COLUMNS, lineterminator="\n")
    writer.writeheader()
    for record in records:
        writer.writerow({
            name: _inert_cell("|".join(value) if isinstance(value, list) else ("" if value is None else str(value)))
            for name, value in record.items()
        })  # fmt: skip
    return out.getvalue().encode()


# A spreadsheet runs a cell that starts with one of these as a formula; a leading apostrophe keeps it text.
_FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")


def _inert_cell(text: str) -> str:
    """Return `text` safe to open in a spreadsheet; `_live_cell` undoes it on import."""
    return "'" + text if text.startswith(_FORMULA_STARTS) else text


def _live_cell(text: str) -> str:
    return text[1:] if text.startswith("'") and text[1:].startswith(_FORMULA_STARTS) else text
