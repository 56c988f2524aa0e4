"""Curation rules, pure: validate what admins type, spot near duplicates, and decide who may change what.

Nothing here touches Discord or SQLite; the `/show` and `/catalog` commands (cogs/curation.py) check with these
first and write through `bot.curation.editor.CatalogEditor` only once everything parsed.
"""

from __future__ import annotations

import datetime as dt
import re
import unicodedata
from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from rapidfuzz import fuzz, process

from bot.catalog import Catalog, Lookup
from bot.errors import Forbidden, InvalidInput
from bot.models import FIRST_DATE, LAST_DATE, SEOUL, WEEKDAYS, Person, Role, Show, is_sane_date
from bot.text import normalize, same_name, search_key

T = TypeVar("T")
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
# A new title this close (0-100, on normalised text) to an existing one asks "did you mean" first.
SIMILAR_TITLE = 88.0
SIMILAR_NAME = 85.0
CLEAR = "-"  # typed as an /show edit value: clear that field

# The fields an admin sets, in the order the edit preview lists them.
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
        day = dt.date.fromisoformat(value)
    except ValueError:
        article = "an" if what[:1] in "aeiou" else "a"  # "an air date", "a premiere date"
        raise InvalidInput(
            f"“{value[:40]}” is not {article} {what} date; write it as YYYY-MM-DD, e.g. 2026-03-04."
        ) from None
    if not is_sane_date(day):
        raise InvalidInput(
            f"{value} is not a plausible {what} date; give one between {FIRST_DATE.year} and {LAST_DATE.year}."
        )
    return day


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
        plural = what + ("es" if what.endswith("s") else "s")  # aliases, networks
        raise InvalidInput(f"Give at most {most} values for {plural}.")
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
    days_text = air_days if air_days is None or isinstance(air_days, str) else ",".join(air_days)
    draft = ShowDraft(
        title=name,
        hangul_title=checked_text(hangul_title, "Hangul title", TITLE_LIMIT),
        networks=split_list(network, "network", NETWORK_LIMIT, MAX_NETWORKS),
        premiere=parse_date(premiere) if premiere and premiere.strip() else None,
        episode_count=count,
        air_days=parse_air_days(days_text) if days_text and days_text.strip() else (),
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
            changes["episode_count"] = None if clear else checked_episodes(int(text))
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


def audit_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    """Fields as the audit log and the edit preview keep them (see `audit_value`)."""
    return {name: audit_value(name, value) for name, value in values.items()}


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
    return _closest(title, ((show, show.all_titles) for show in shows), cutoff)


def similar_person(name: str, people: Iterable[Person], *, cutoff: float = SIMILAR_NAME) -> Person | None:
    """The person whose name is closest to `name`, if close enough that creating a new one may be a mistake."""
    return _closest(name, ((person, person.all_names) for person in people), cutoff)


def _closest(text: str, entries: Iterable[tuple[T, Iterable[str]]], cutoff: float) -> T | None:
    """The entry one of whose names is closest to `text` on normalised text, scoring at least `cutoff`."""
    wanted = normalize(text)
    found: list[T] = []
    names: dict[tuple[int, int], str] = {}
    for index, (entry, entry_names) in enumerate(entries):
        found.append(entry)
        for number, name in enumerate(entry_names):
            names[(index, number)] = normalize(name)
    if not wanted or not names:
        return None
    best = process.extractOne(wanted, names, scorer=fuzz.ratio, score_cutoff=cutoff)
    return found[best[2][0]] if best else None


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


@dataclass(frozen=True, slots=True)
class Curator:
    """Who asks for a catalog change, and from where (what `is_curator` and `can_edit` judge)."""

    user_id: int
    guild_id: int | None  # None in a direct message, where nothing may be curated
    manages_guild: bool  # holds Manage Server where they asked
    owner_ids: frozenset[int]  # the bot's owners

    @property
    def is_owner(self) -> bool:
        return self.user_id in self.owner_ids

    def require(self) -> int:
        """Refuse anyone but a server admin (Manage Server) or a bot owner; return the server's id."""
        if self.guild_id is None:
            raise Forbidden("Catalog curation works only inside a server.")
        if not is_curator(self.user_id, self.manages_guild, self.owner_ids):
            raise Forbidden("You need the Manage Server permission to change this server's catalog.")
        return self.guild_id

    def require_owner(self, doing: str) -> None:
        """Refuse anyone but the bot's owners, saying what only they may do."""
        if not self.is_owner:
            raise Forbidden(f"Only the bot's owners can {doing}.")

    def require_can_edit(self, show: Show) -> None:
        """Refuse a change to a show this curator may not change, saying who may."""
        if can_edit(show, self.guild_id, self.user_id, self.manages_guild, self.owner_ids):
            return
        if show.guild_id is None:
            raise Forbidden(f"“{show.title}” is in the shared catalog, which only the bot's owners change.")
        raise Forbidden(f"Only the admins of the server that added “{show.title}” can change it.")


def own_shows(catalog: Catalog, guild_id: int | None) -> list[Show]:
    """The dramas a server added itself (none outside a server)."""
    if guild_id is None:
        return []
    return [show for show in catalog.shows.values() if show.guild_id == guild_id]


def own_shows_matching(catalog: Catalog, text: str, guild_id: int | None, *, limit: int = 25) -> list[Show]:
    """A server's own shows that match what an admin typed so far (all of them, by title, before they type)."""
    own = own_shows(catalog, guild_id)
    if guild_id is None:
        return []  # outside a server nothing is a server's own (the shared shows would pass the filter below)
    if not text:
        return sorted(own, key=lambda show: show.title.casefold())[:limit]
    # The index completes over the shared and the server's shows together and keeps only `limit`, so popular
    # shared titles could crowd the server's own out: those named from the text come first, then the index's
    # typo and acronym matches among them.
    named = shows_named_from(text, own)
    listed = {show.id for show in named}
    hits = catalog.complete_shows(text, guild_id=guild_id)
    more = [
        catalog.shows[hit.id]
        for hit in hits
        if hit.id not in listed and hit.id in catalog.shows and catalog.shows[hit.id].guild_id == guild_id
    ]
    return (named + more)[:limit]


def picked_show(lookup: Lookup[Show], typed: str) -> Show:
    """The show a change is about, only when the lookup is sure: a change must not land on a guess."""
    if not lookup.sure:
        raise InvalidInput(
            f"I am not sure which drama “{typed.strip()[:100]}” is (perhaps {lookup.best.title}?); "
            "pick it from the list as you type."
        )
    return lookup.best


def checked_alias(show: Show, alias: str) -> str:
    """Validate a new alias of `show`: new to it, and within the number of aliases a drama may have."""
    name = checked_text(alias, "alias", ALIAS_LIMIT, required=True)
    assert name is not None
    if any(same_name(name, existing) for existing in show.all_titles):
        raise InvalidInput(f"“{name}” is already a name of “{show.title}”.")
    if len(show.aliases) >= MAX_ALIASES:
        raise InvalidInput(f"“{show.title}” already has {MAX_ALIASES} aliases, the most a drama may have.")
    return name


def checked_role(value: str) -> Role:
    """Read the size of a part, as the role choices of /show cast send it."""
    if value not in {role.value for role in Role}:
        raise InvalidInput("Pick the role from the list: main, support or guest.")
    return Role(value)


def checked_episode_number(show: Show, number: int) -> int:
    """Refuse an episode number past the show's episode count."""
    if show.episode_count is not None and number > show.episode_count:
        raise InvalidInput(
            f"“{show.title}” has {show.episode_count} episodes; set a higher count with /show edit first."
        )
    return number


def person_named(name: str, people: Iterable[Person]) -> Person | None:
    """The person one of whose names is `name` (ignoring case, spaces and hyphens), if any."""
    return next((person for person in people if any(same_name(name, other) for other in person.all_names)), None)


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
