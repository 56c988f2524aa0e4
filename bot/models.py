"""The catalog's domain objects: frozen dataclasses the repository returns and the features consume."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from enum import StrEnum

SEOUL = "Asia/Seoul"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")


class CreditKind(StrEnum):
    CAST = "cast"
    DIRECTOR = "director"
    WRITER = "writer"


class Role(StrEnum):
    MAIN = "main"
    SUPPORT = "support"
    GUEST = "guest"


class Status(StrEnum):
    UPCOMING = "upcoming"
    AIRING = "airing"
    FINISHED = "finished"
    UNKNOWN = "unknown"


@dataclass(frozen=True, slots=True)
class Show:
    """A drama in the catalog; `guild_id` is None for the shared catalog, else the server that owns it."""

    id: int
    title: str
    hangul_title: str | None = None
    alt_titles: tuple[str, ...] = ()
    aliases: tuple[str, ...] = ()
    kind: str = "drama"
    country: str = "KR"
    networks: tuple[str, ...] = ()
    premiere: dt.date | None = None
    finale: dt.date | None = None
    episode_count: int | None = None
    episode_minutes: int | None = None
    air_days: tuple[int, ...] = ()  # 0 = Monday, as datetime.weekday()
    air_time: dt.time | None = None  # local wall-clock time in `timezone`
    timezone: str = SEOUL
    status: Status | None = None  # as the source stated it; None lets the schedule decide
    genres: tuple[str, ...] = ()
    rating: float | None = None
    content_rating: str | None = None
    synopsis: str | None = None
    poster_url: str | None = None
    tmdb_id: int | None = None
    tvmaze_id: int | None = None
    popularity_rank: int | None = None  # lower is more popular
    guild_id: int | None = None
    seed_key: str | None = None
    edited_fields: frozenset[str] = field(default_factory=frozenset)
    created_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None

    @property
    def year(self) -> int | None:
        return self.premiere.year if self.premiere else None

    @property
    def all_titles(self) -> tuple[str, ...]:
        """Every name the show goes by, the main title first."""
        names = [self.title]
        if self.hangul_title:
            names.append(self.hangul_title)
        names.extend(self.alt_titles)
        names.extend(self.aliases)
        return tuple(dict.fromkeys(names))

    @property
    def air_day_names(self) -> tuple[str, ...]:
        return tuple(WEEKDAYS[day] for day in self.air_days)


@dataclass(frozen=True, slots=True)
class Person:
    id: int
    name: str
    hangul_name: str | None = None
    alt_names: tuple[str, ...] = ()
    tmdb_id: int | None = None
    seed_key: str | None = None

    @property
    def all_names(self) -> tuple[str, ...]:
        names = [self.name]
        if self.hangul_name:
            names.append(self.hangul_name)
        names.extend(self.alt_names)
        return tuple(dict.fromkeys(names))


@dataclass(frozen=True, slots=True)
class Credit:
    """A person's part in a show: a cast role with its character, or a directing or writing credit."""

    show_id: int
    person_id: int
    person_name: str
    show_title: str
    kind: CreditKind
    character: str | None = None
    character_note: str | None = None  # the annotation the source attached, kept apart: "Ep. 1", "Composer"
    role: Role | None = None
    billing: int = 0
    show_premiere: dt.date | None = None


@dataclass(frozen=True, slots=True)
class Episode:
    show_id: int
    number: int
    air_at: dt.datetime  # timezone-aware, UTC
    title: str | None = None
