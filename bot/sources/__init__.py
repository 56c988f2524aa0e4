"""The public sources that keep the catalog fresh (TVmaze, TMDB), read into one shape the merge understands.

Each source module turns its API's JSON into `SourceShow` records with pure parsing functions, and fetches
them through `bot.sources.http.JsonClient`. Nothing here writes to the database: `bot.sync` merges.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any, ClassVar, Self, TypedDict, Unpack

import aiohttp

from bot.models import CreditKind, Role, Status, is_sane_date
from bot.ratelimit import RateLimiter
from bot.sources.http import (
    JsonClient,
    MalformedPayload,
    NotFoundError,
    ResponseCache,
    Sleep,
    SourceError,
)

__all__ = [
    "ClientOptions",
    "MalformedPayload",
    "NotFoundError",
    "Source",
    "SourceCredit",
    "SourceEpisode",
    "SourceError",
    "SourceShow",
    "has_hangul",
]

_HANGUL = re.compile(r"[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")


def has_hangul(text: str) -> bool:
    return bool(_HANGUL.search(text))


@dataclass(frozen=True, slots=True)
class SourceEpisode:
    number: int  # within the show, counted across seasons
    air_at: dt.datetime  # timezone-aware
    title: str | None = None


@dataclass(frozen=True, slots=True)
class SourceCredit:
    person_name: str
    kind: CreditKind = CreditKind.CAST
    character: str | None = None
    role: Role | None = None
    billing: int = 0
    person_hangul_name: str | None = None
    person_tmdb_id: int | None = None


@dataclass(frozen=True, slots=True)
class SourceShow:
    """One show as a source describes it.

    `facts` holds the show fields the source states, as model values (keys of `bot.store.SHOW_FIELDS`);
    `owned` names those the source is the authority on, which a sync overwrites (unless an admin edited
    them); the other facts only fill fields the catalog leaves empty.
    """

    source: str  # "tvmaze" or "tmdb"
    external_id: int
    title: str
    facts: Mapping[str, Any]
    owned: frozenset[str]
    stamp: str | None = None  # the record's version, so an unchanged record is not merged again
    premiere: dt.date | None = None
    alt_titles: tuple[str, ...] = ()
    other_ids: Mapping[str, str] = field(default_factory=dict)  # "imdb": "tt...", "thetvdb": "123"
    episodes: tuple[SourceEpisode, ...] | None = None  # None: the source does not give air times
    credits: tuple[SourceCredit, ...] = ()

    @property
    def label(self) -> str:
        return f"{self.source} {self.external_id} “{self.title}”"


def status_from_words(words: str | None, premiere: dt.date | None, today: dt.date) -> Status | None:
    """Map a source's status wording to ours; a "running" show that has not premiered yet is upcoming."""
    if not words:
        return None
    key = words.strip().casefold()
    if key in ("running", "returning series"):
        return Status.UPCOMING if premiere is None or premiere > today else Status.AIRING
    if key in ("ended", "canceled", "cancelled"):
        return Status.FINISHED
    if key in ("in development", "in production", "planned", "pilot"):
        return Status.UPCOMING
    if key == "to be determined":
        return Status.UNKNOWN
    return None


def require(payload: Mapping[str, Any], key: str, kind: type | tuple[type, ...], what: str) -> Any:
    """Return `payload[key]` if it has the expected type, else raise MalformedPayload naming `what`."""
    if not isinstance(payload, Mapping):
        raise MalformedPayload(f"{what} is not an object")
    value = payload.get(key)
    if not isinstance(value, kind) or isinstance(value, bool):
        raise MalformedPayload(f"{what} has no valid {key!r}")
    return value


def optional_date(value: Any, what: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        day = dt.date.fromisoformat(str(value))
    except ValueError:
        raise MalformedPayload(f"{what} is not a date: {value!r}") from None
    if not is_sane_date(day):
        raise MalformedPayload(f"{what} is out of the catalog's range: {value!r}")
    return day


def text_or_none(value: Any) -> str | None:
    return value.strip() or None if isinstance(value, str) else None


class ClientOptions(TypedDict, total=False):
    """How patient a source's JsonClient is: how often it retries, how long it backs off, how it sleeps."""

    max_retries: int
    backoff: float
    max_backoff: float
    sleep: Sleep


class Source:
    """One source's API behind a rate-limited, caching JsonClient; a subclass names its rate and API key parameter."""

    name: ClassVar[str]
    calls_per_period: ClassVar[int]
    period_seconds: ClassVar[float]
    key_parameter: ClassVar[str | None] = None  # the query parameter that carries the API key, if one is needed

    def __init__(self, client: JsonClient) -> None:
        self.client = client

    @classmethod
    def create(
        cls,
        session: aiohttp.ClientSession,
        base_url: str,
        api_key: str | None = None,
        *,
        cache: ResponseCache | None = None,
        limiter: RateLimiter | None = None,
        **options: Unpack[ClientOptions],
    ) -> Self:
        """Build the source on `session`; its API key rides in every query, redacted wherever a URL is shown."""
        if (api_key is None) != (cls.key_parameter is None):
            raise ValueError(f"{cls.name} {'needs an' if cls.key_parameter else 'takes no'} API key")
        key = {cls.key_parameter: api_key} if cls.key_parameter is not None and api_key is not None else {}
        limiter = limiter or RateLimiter(cls.calls_per_period, cls.period_seconds)
        client = JsonClient(
            session, base_url, name=cls.name, limiter=limiter, cache=cache, secrets=tuple(key), default_params=key,
            **options,
        )  # fmt: skip
        return cls(client)

    async def fetch_show(self, external_id: int, *, today: dt.date) -> SourceShow:
        """Fetch and parse one show; raise SourceError when it cannot."""
        raise NotImplementedError
