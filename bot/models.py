"""The catalog's domain objects: frozen dataclasses the repository returns and the features consume."""

from __future__ import annotations

import datetime as dt
import hashlib
from collections.abc import Mapping
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any

SEOUL = "Asia/Seoul"
WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
# The dates a drama's premiere, finale or episode may fall on. Anything outside is a typo ("0001-01-01") and,
# once saved, overflows the date arithmetic of countdowns and schedules near datetime's own limits.
FIRST_DATE = dt.date(1900, 1, 1)
LAST_DATE = dt.date(2200, 12, 31)


def is_sane_date(day: dt.date) -> bool:
    """Tell whether `day` lies in the range the catalog accepts (FIRST_DATE..LAST_DATE)."""
    return FIRST_DATE <= day <= LAST_DATE


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


@dataclass(frozen=True, slots=True)
class SeedReport:
    """What loading a seed changed: shows added, updated and unchanged, people and credits written."""

    version: str
    shows_added: int = 0
    shows_updated: int = 0
    shows_unchanged: int = 0
    people_added: int = 0
    credits: int = 0
    skipped: bool = False  # the database already held this seed version


# -- announcements ---------------------------------------------------------------------------------------


class AnnounceMode(StrEnum):
    PREMIERES = "premieres"
    EPISODES = "episodes"
    FOLLOWED = "followed"


class AnnouncementKind(StrEnum):
    PREMIERE = "premiere"
    EPISODE = "episode"


@dataclass(frozen=True, slots=True)
class GuildAnnounceSettings:
    """One server's announcement settings; `since` is when they were turned on (nothing older is announced)."""

    guild_id: int
    since: dt.datetime
    channel_id: int | None = None
    role_id: int | None = None
    mode: AnnounceMode = AnnounceMode.EPISODES
    enabled: bool = False
    paused_reason: str | None = None
    paused_at: dt.datetime | None = None
    last_error: str | None = None
    last_error_at: dt.datetime | None = None

    @property
    def active(self) -> bool:
        """Whether announcements go out now: turned on, a channel set, and not paused by a Discord error."""
        return self.enabled and self.channel_id is not None and self.paused_reason is None


@dataclass(frozen=True, slots=True)
class Due:
    """One announcement for one server: the outbox's unique key plus what it needs to be sent."""

    guild_id: int
    show_id: int
    episode: int
    kind: AnnouncementKind
    due_at: dt.datetime
    air_at: dt.datetime
    time_known: bool
    channel_id: int
    total: int | None = None  # the show's episode count when planned, for the text (not stored in the outbox)
    user_id: int = 0  # a reminder DM to this user (guild_id 0, channel_id the user's id); 0: a channel announcement

    @property
    def key(self) -> tuple[int, int, int, str]:
        return (self.guild_id, self.show_id, self.episode, str(self.kind))

    @property
    def nonce(self) -> str:
        if self.user_id:
            return reminder_nonce(self.user_id, self.show_id, self.episode)
        return announcement_nonce(*self.key)


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A stored announcement: pending, claimed (being sent, or cut short by a crash), held (its server is paused),
    sent, skipped or failed. `unsure`: an earlier attempt may have posted it, so it is looked up before a re-send.
    """

    id: int
    guild_id: int
    show_id: int
    episode: int
    kind: AnnouncementKind
    due_at: dt.datetime
    air_at: dt.datetime
    time_known: bool
    channel_id: int
    state: str
    nonce: str
    attempts: int = 0
    sent_at: dt.datetime | None = None
    message_id: int | None = None
    error: str | None = None
    unsure: bool = False
    attempt_at: dt.datetime | None = None
    user_id: int = 0  # a reminder: DMed to this user, `channel_id` holding the user's id; 0: a channel announcement

    @property
    def is_reminder(self) -> bool:
        return self.user_id != 0


def announcement_nonce(guild_id: int, show_id: int, episode: int, kind: str) -> str:
    """A stable 25-character nonce per announcement, so Discord drops a resend after a crash (enforce_nonce)."""
    digest = hashlib.sha256(f"{guild_id}:{show_id}:{episode}:{kind}".encode()).hexdigest()
    return "a" + digest[:24]


def reminder_nonce(user_id: int, show_id: int, episode: int) -> str:
    """A stable 25-character nonce per (user, show, episode) reminder DM."""
    digest = hashlib.sha256(f"remind:{user_id}:{show_id}:{episode}".encode()).hexdigest()
    return "r" + digest[:24]


@dataclass(frozen=True, slots=True)
class AuditEntry:
    """One line of the audit log: who did what to which show, when, and the values before and after."""

    id: int
    at: dt.datetime
    guild_id: int | None
    user_id: int | None
    action: str
    show_id: int | None
    person_id: int | None
    old: Mapping[str, Any] | None
    new: Mapping[str, Any] | None


@dataclass(frozen=True, slots=True)
class Standing:
    user_id: int
    points: int
    correct: int
    answered: int


@dataclass(frozen=True, slots=True)
class TriviaGameRecord:
    """A game as stored: where it runs, who started it, and whether (and why) it ended."""

    id: int
    guild_id: int
    channel_id: int
    starter_id: int
    rounds: int
    seconds: int
    difficulty: str
    show_id: int | None
    started_at: dt.datetime
    ended_at: dt.datetime | None = None
    end_reason: str | None = None


@dataclass(frozen=True, slots=True)
class LeaderboardEntry:
    rank: int
    user_id: int
    points: int
    correct: int
    answered: int
    games: int


@dataclass(frozen=True, slots=True)
class PlayerStats:
    """One player's trivia record in one server, all time."""

    user_id: int
    games: int
    points: int
    correct: int
    answered: int
    best_game: int
    rank: int  # 1-based, by all-time points in the server
    last_played: dt.datetime

    @property
    def accuracy(self) -> float:
        return self.correct / self.answered if self.answered else 0.0


# -- personal lists and reminders ----------------------------------------------------------------------------


class WatchStatus(StrEnum):
    WATCHING = "watching"
    COMPLETED = "completed"
    PLAN_TO_WATCH = "plan_to_watch"
    ON_HOLD = "on_hold"
    DROPPED = "dropped"

    @property
    def label(self) -> str:
        return self.value.replace("_", " ")


@dataclass(frozen=True, slots=True)
class ListEntry:
    """One show on one user's list; `guild_id` is the server that owns the show (None: a shared show)."""

    user_id: int
    show_id: int
    status: WatchStatus
    episode: int = 0  # episodes watched
    score: int | None = None  # 1-10
    guild_id: int | None = None
    added_at: dt.datetime | None = None
    updated_at: dt.datetime | None = None


@dataclass(frozen=True, slots=True)
class ListOwner:
    """What the bot keeps about a list's owner: whether the list is shared, and their reminder settings.

    `reminders_since`: when reminders were turned on (nothing that fell due earlier is sent). `paused_reason`:
    Discord refused a DM (50007); `pause_told`: whether the user has been told so since.
    """

    user_id: int
    shared: bool = False
    reminders: bool = False
    reminders_since: dt.datetime | None = None
    paused_reason: str | None = None
    paused_at: dt.datetime | None = None
    pause_told: bool = True

    @property
    def reminding(self) -> bool:
        """Whether reminder DMs go out now: turned on and not paused by a Discord refusal."""
        return self.reminders and self.paused_reason is None


@dataclass(frozen=True, slots=True)
class ServerFavourite:
    """A show's average score among the members of a server who share their lists."""

    show_id: int
    average: float
    scores: int
