"""Catalog curation, pure: validate what admins type, parse and write import files, decide who may edit what.

Nothing here touches Discord or SQLite; the `/show` and `/catalog` commands (cogs/curation.py) call these and
write through the repository only once everything parsed.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import json
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rapidfuzz import fuzz, process

from bot.errors import InvalidInput
from bot.models import SEOUL, WEEKDAYS, Person, Show
from bot.search import search_key
from bot.text import normalize

TITLE_LIMIT = 100
NAME_LIMIT = 100
ALIAS_LIMIT = 100
NETWORK_LIMIT = 50
CHARACTER_LIMIT = 100
SYNOPSIS_LIMIT = 1000
MAX_EPISODES = 500
MAX_ALIASES = 20
MAX_NETWORKS = 5
MAX_SERVER_SHOWS = 2_000  # dramas one server may add of its own (search, autocomplete and exports stay quick)
IMPORT_MAX_BYTES = 1_000_000
IMPORT_MAX_SHOWS = 500
# A new title this close (0-100, on normalised text) to an existing one asks "did you mean" first.
SIMILAR_TITLE = 88.0
SIMILAR_NAME = 85.0
CLEAR = "-"  # typed as an /show edit value: clear that field

# The fields an admin sets, in the order the import format, the edit preview and the export list them.
IMPORT_COLUMNS = (
    "title", "hangul_title", "networks", "premiere", "episodes", "air_days", "air_time", "timezone", "synopsis",
    "aliases",
)  # fmt: skip
FIELD_LABELS = {
    "title": "Title", "hangul_title": "Hangul title", "networks": "Network", "premiere": "Premiere",
    "episode_count": "Episodes", "air_days": "Air days", "air_time": "Air time", "timezone": "Time zone",
    "synopsis": "Synopsis",
}  # fmt: skip

_DAY_NAMES = {name.lower(): index for index, name in enumerate(WEEKDAYS)} | {
    name: index
    for index, name in enumerate(("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"))
} | {"tues": 1, "weds": 2, "thur": 3, "thurs": 3}  # fmt: skip
_TIME = re.compile(r"^(?P<hour>[01]?\d|2[0-3]):(?P<minute>[0-5]\d)$")
_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


# -- single values ------------------------------------------------------------------------------------------


def checked_text(text: str | None, what: str, limit: int, *, required: bool = False) -> str | None:
    """Collapse whitespace and enforce a length limit; None for blank optional text."""
    value = " ".join((text or "").split())
    if not value:
        if required:
            raise InvalidInput(f"The {what} cannot be empty.")
        return None
    if len(value) > limit:
        raise InvalidInput(f"The {what} is {len(value)} characters long; keep it to {limit}.")
    if any(unicodedata.category(ch) == "Cc" for ch in value):
        raise InvalidInput(f"The {what} contains control characters; type plain text.")
    return value


def checked_synopsis(text: str | None) -> str | None:
    """Keep the synopsis's line breaks but trim it and enforce its length limit."""
    value = "\n".join(" ".join(line.split()) for line in (text or "").strip().splitlines()).strip()
    if not value:
        return None
    if len(value) > SYNOPSIS_LIMIT:
        raise InvalidInput(f"The synopsis is {len(value)} characters long; keep it to {SYNOPSIS_LIMIT}.")
    return value


def parse_date(text: str, what: str = "premiere") -> dt.date:
    value = text.strip()
    try:
        if not _DATE.match(value):
            raise ValueError(value)
        return dt.date.fromisoformat(value)
    except ValueError:
        raise InvalidInput(f"“{value[:40]}” is not a {what} date; write it as YYYY-MM-DD, e.g. 2026-03-04.") from None


def parse_air_days(text: str) -> tuple[int, ...]:
    """Read weekday names or abbreviations ("Wed,Thu", "wednesday, thursday") as sorted weekday numbers."""
    days: set[int] = set()
    for word in re.split(r"[,\s/|&]+", text.strip().lower()):
        if not word or word == "and":
            continue
        day = _DAY_NAMES.get(word.rstrip("."))
        if day is None:
            raise InvalidInput(f"“{word[:20]}” is not a weekday; write days like “Wed,Thu” or “wednesday, thursday”.")
        days.add(day)
    if not days:
        raise InvalidInput("Give at least one air day, like “Wed,Thu”.")
    return tuple(sorted(days))


def parse_air_time(text: str) -> dt.time:
    match = _TIME.match(text.strip())
    if match is None:
        raise InvalidInput(f"“{text.strip()[:20]}” is not a time; write it as HH:MM on a 24-hour clock, e.g. 20:50.")
    return dt.time(int(match["hour"]), int(match["minute"]))


def parse_timezone(text: str | None) -> str:
    value = (text or "").strip() or SEOUL
    try:
        if "." in value or value.startswith("/"):
            raise ValueError(value)
        ZoneInfo(value)
    except (ZoneInfoNotFoundError, ValueError):
        raise InvalidInput(f"“{value[:40]}” is not a time zone; use an IANA name like Asia/Seoul.") from None
    return value


def parse_local_datetime(text: str, timezone: str) -> dt.datetime:
    """Read "YYYY-MM-DD HH:MM" as wall-clock time in `timezone`; return it as an aware UTC datetime."""
    parts = text.strip().split()
    if len(parts) != 2 or not _DATE.match(parts[0]) or not _TIME.match(parts[1]):
        raise InvalidInput(f"“{text.strip()[:40]}” is not a date and time; write it as YYYY-MM-DD HH:MM.")
    day = parse_date(parts[0], "air")
    time = parse_air_time(parts[1])
    return dt.datetime.combine(day, time, tzinfo=ZoneInfo(timezone)).astimezone(dt.UTC)


def checked_episodes(count: int) -> int:
    if not 1 <= count <= MAX_EPISODES:
        raise InvalidInput(f"An episode count must be between 1 and {MAX_EPISODES}.")
    return count


def split_list(text: str | Sequence[str] | None, what: str, limit: int, most: int) -> tuple[str, ...]:
    """Read a "|" or ","-separated list (or a JSON list) of short names, without blanks or repeats."""
    if text is None:
        return ()
    items = re.split(r"[|,]", text) if isinstance(text, str) else [str(item) for item in text]
    values = [checked_text(item, what, limit) for item in items]
    unique = tuple(dict.fromkeys(v for v in values if v))
    if len(unique) > most:
        raise InvalidInput(f"Give at most {most} values for {what}s.")
    return unique


# -- a show as an admin writes it -----------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class ShowDraft:
    """A server's new show, validated; `fields()` gives the repository's model values."""

    title: str
    hangul_title: str | None = None
    networks: tuple[str, ...] = ()
    premiere: dt.date | None = None
    episode_count: int | None = None
    air_days: tuple[int, ...] = ()
    air_time: dt.time | None = None
    timezone: str = SEOUL
    synopsis: str | None = None
    aliases: tuple[str, ...] = ()

    def fields(self) -> dict[str, Any]:
        return {
            "title": self.title,
            "hangul_title": self.hangul_title,
            "networks": self.networks,
            "premiere": self.premiere,
            "episode_count": self.episode_count,
            "air_days": self.air_days,
            "air_time": self.air_time,
            "timezone": self.timezone,
            "synopsis": self.synopsis,
        }


def draft_show(
    title: str,
    *,
    hangul_title: str | None = None,
    network: str | Sequence[str] | None = None,
    premiere: str | None = None,
    episodes: int | str | None = None,
    air_days: str | Sequence[str] | None = None,
    air_time: str | None = None,
    timezone: str | None = None,
    synopsis: str | None = None,
    aliases: str | Sequence[str] | None = None,
) -> ShowDraft:
    """Validate the options of `/show add` (or one import row); raise InvalidInput naming the first problem."""
    name = checked_text(title, "title", TITLE_LIMIT, required=True)
    assert name is not None
    count: int | None = None
    if episodes not in (None, ""):
        try:
            count = int(str(episodes).strip())
        except ValueError:
            raise InvalidInput(f"“{str(episodes)[:20]}” is not a number of episodes.") from None
        checked_episodes(count)
    days_text = ",".join(air_days) if isinstance(air_days, (list, tuple)) else air_days
    draft = ShowDraft(
        title=name,
        hangul_title=checked_text(hangul_title, "Hangul title", TITLE_LIMIT),
        networks=split_list(network, "network", NETWORK_LIMIT, MAX_NETWORKS),
        premiere=parse_date(premiere) if premiere and premiere.strip() else None,
        episode_count=count,
        air_days=parse_air_days(days_text) if days_text and str(days_text).strip() else (),
        air_time=parse_air_time(air_time) if air_time and air_time.strip() else None,
        timezone=parse_timezone(timezone),
        synopsis=checked_synopsis(synopsis),
        aliases=split_list(aliases, "alias", ALIAS_LIMIT, MAX_ALIASES),
    )
    return replace(draft, aliases=tuple(a for a in draft.aliases if a.casefold() != name.casefold()))


def edit_changes(show: Show, options: Mapping[str, str | int | None]) -> dict[str, Any]:
    """Turn `/show edit` options into the fields that really change; "-" clears an optional field.

    `options` uses the command's names: new_title, hangul_title, network, premiere, episodes, air_days,
    air_time, timezone, synopsis; None means "leave as it is".
    """
    changes: dict[str, Any] = {}
    for option, raw in options.items():
        if raw is None:
            continue
        clear = isinstance(raw, str) and raw.strip() == CLEAR
        text = raw.strip() if isinstance(raw, str) else raw
        if option == "new_title":
            if clear:
                raise InvalidInput("A show must keep a title; type the new title instead of “-”.")
            changes["title"] = checked_text(str(text), "title", TITLE_LIMIT, required=True)
        elif option == "hangul_title":
            changes["hangul_title"] = None if clear else checked_text(str(text), "Hangul title", TITLE_LIMIT)
        elif option == "network":
            changes["networks"] = () if clear else split_list(str(text), "network", NETWORK_LIMIT, MAX_NETWORKS)
        elif option == "premiere":
            changes["premiere"] = None if clear else parse_date(str(text))
        elif option == "episodes":
            changes["episode_count"] = None if clear else checked_episodes(int(text))  # type: ignore[arg-type]
        elif option == "air_days":
            changes["air_days"] = () if clear else parse_air_days(str(text))
        elif option == "air_time":
            changes["air_time"] = None if clear else parse_air_time(str(text))
        elif option == "timezone":
            changes["timezone"] = SEOUL if clear else parse_timezone(str(text))
        elif option == "synopsis":
            changes["synopsis"] = None if clear else checked_synopsis(str(text))
        else:
            raise ValueError(f"not an edit option: {option}")
    changed = {name: value for name, value in changes.items() if getattr(show, name) != value}
    if not changed:
        raise InvalidInput(f"Nothing to change: give /show edit at least one new value for “{show.title}”.")
    return changed


def audit_value(name: str, value: Any) -> Any:
    """A field's value as the audit log and the edit preview keep it: plain JSON text, lists or numbers."""
    if value is None:
        return None
    if name == "air_days":
        return ",".join(WEEKDAYS[day] for day in value)
    if name in ("premiere", "finale"):
        return value.isoformat()
    if name == "air_time":
        return value.strftime("%H:%M")
    if name in ("networks", "genres", "aliases"):
        return list(value)
    return value


def field_from_audit(name: str, value: Any) -> Any:
    """Read a value `audit_value` wrote back into the model value (undo restores these)."""
    if name == "air_days":
        return parse_air_days(value) if value else ()
    if name in ("networks", "genres"):
        return tuple(value or ())
    if value is None:
        return None
    if name in ("premiere", "finale"):
        return dt.date.fromisoformat(value)
    if name == "air_time":
        return dt.time.fromisoformat(value)
    return value


def shown_value(value: Any) -> str:
    """A field's audit value the way a person reads it in a preview or the history."""
    if value is None or value == "" or value == []:
        return "(none)"
    if isinstance(value, list):
        return ", ".join(str(item) for item in value)
    text = " ".join(str(value).split())
    return text if len(text) <= 80 else text[:79] + "…"


# -- near duplicates -------------------------------------------------------------------------------------------


def similar_show(title: str, shows: Iterable[Show], *, cutoff: float = SIMILAR_TITLE) -> Show | None:
    """The existing show whose title (or other name) is closest to `title`, if it is close enough to ask."""
    wanted = normalize(title)
    names: dict[tuple[int, int], str] = {}
    by_id: dict[int, Show] = {}
    for show in shows:
        by_id[show.id] = show
        for index, name in enumerate(show.all_titles):
            names[(show.id, index)] = normalize(name)
    if not wanted or not names:
        return None
    found = process.extractOne(wanted, names, scorer=fuzz.ratio, score_cutoff=cutoff)
    return by_id[found[2][0]] if found else None


def similar_person(name: str, people: Iterable[Person], *, cutoff: float = SIMILAR_NAME) -> Person | None:
    """The person whose name is closest to `name`, if close enough that creating a new one may be a mistake."""
    wanted = normalize(name)
    names: dict[tuple[int, int], str] = {}
    by_id: dict[int, Person] = {}
    for person in people:
        by_id[person.id] = person
        for index, other in enumerate(person.all_names):
            names[(person.id, index)] = normalize(other)
    if not wanted or not names:
        return None
    found = process.extractOne(wanted, names, scorer=fuzz.ratio, score_cutoff=cutoff)
    return by_id[found[2][0]] if found else None


def shows_named_from(text: str, shows: Iterable[Show]) -> list[Show]:
    """The shows one of whose names is, or begins with, `text` as the search index compares names; exact first."""
    key = search_key(text)
    if not key:
        return []
    ranked: list[tuple[bool, str, Show]] = []
    for show in shows:
        keys = [search_key(name) for name in show.all_titles]
        if any(name.startswith(key) for name in keys):
            ranked.append((key not in keys, show.title.casefold(), show))
    return [show for _, _, show in sorted(ranked, key=lambda item: item[:2])]


# -- who may do what --------------------------------------------------------------------------------------------


def is_curator(user_id: int, has_manage_guild: bool, owner_ids: Collection[int]) -> bool:
    """Server admins (Manage Server) curate their server's shows; the bot's owners curate everything."""
    return has_manage_guild or user_id in owner_ids


def can_edit(
    show: Show, guild_id: int | None, user_id: int, has_manage_guild: bool, owner_ids: Collection[int]
) -> bool:
    """Owners edit any show; a server's admins edit only the shows that server added, from inside it."""
    if user_id in owner_ids:
        return True
    return show.guild_id is not None and show.guild_id == guild_id and has_manage_guild


def check_server_room(have: int, adding: int = 1) -> None:
    """Refuse to take a server past MAX_SERVER_SHOWS dramas of its own."""
    if have + adding <= MAX_SERVER_SHOWS:
        return
    if adding == 1:
        raise InvalidInput(
            f"This server already has {have:,} dramas of its own, the most a server may add; "
            "remove one with /show remove first."
        )
    raise InvalidInput(
        f"This server has {have:,} dramas of its own and the file adds {adding:,}, more than the "
        f"{MAX_SERVER_SHOWS:,} a server may add; import fewer or remove some with /show remove first."
    )


# -- import and export -----------------------------------------------------------------------------------------


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


def parse_import(data: bytes, filename: str) -> list[ImportRow]:
    """Parse a JSON or CSV import file; every row must validate, else ImportRejected lists each bad line."""
    if len(data) > IMPORT_MAX_BYTES:
        raise InvalidInput(f"The file is larger than {IMPORT_MAX_BYTES // 1000} kB; split it into smaller files.")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise InvalidInput("The file is not UTF-8 text; save it as UTF-8 and try again.") from None
    kind = file_kind(filename, data)
    records = _json_records(text) if kind == "json" else _csv_records(text)
    if not records:
        raise InvalidInput("The file holds no shows; see data/import-example.json for the format.")
    if len(records) > IMPORT_MAX_SHOWS:
        raise InvalidInput(f"The file holds {len(records)} shows; import at most {IMPORT_MAX_SHOWS} at a time.")
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
    try:
        while start >= 0 and len(lines) < count:
            while text[position] in " \t\r\n,":
                position += 1
            _value, end = decoder.raw_decode(text, position)
            lines.append(text.count("\n", 0, position) + 1)
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
                records.append((line, {k: (v if v and v.strip() else None) for k, v in row.items()}))
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
            name: "|".join(value) if isinstance(value, list) else ("" if value is None else value)
            for name, value in record.items()
        })  # fmt: skip
    return out.getvalue().encode()
