"""The sources the settings configure: TVmaze always, TMDB when an API key is set, on one HTTP session."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from dataclasses import dataclass

import aiohttp

from bot.errors import ConfigError
from bot.settings import Settings
from bot.sources.http import ResponseCache
from bot.sources.tmdb import TmdbSource
from bot.sources.tvmaze import TvmazeSource

SOURCES = ("tvmaze", "tmdb")
TIMEOUT_SECONDS = 60
USER_AGENT = "Dramabot catalog sync (aiohttp)"


@dataclass(frozen=True, slots=True)
class Sources:
    tvmaze: TvmazeSource | None
    tmdb: TmdbSource | None


def check_source(settings: Settings, source: str | None) -> None:
    """Refuse a source name that is not one, or TMDB without an API key."""
    if source not in (None, *SOURCES):
        raise ConfigError(f"Unknown source {source!r}; choose tvmaze or tmdb.")
    if source == "tmdb" and not settings.tmdb_api_key:
        raise ConfigError("TMDB_API_KEY is not set; add it to .env to sync from TMDB.")


@asynccontextmanager
async def open_sources(
    settings: Settings, *, source: str | None = None, cache: ResponseCache | None = None
) -> AsyncIterator[Sources]:
    """Open `source` ("tvmaze", "tmdb"), or every configured source for None, on a session closed afterwards."""
    check_source(settings, source)
    timeout = aiohttp.ClientTimeout(total=TIMEOUT_SECONDS)
    async with aiohttp.ClientSession(timeout=timeout, headers={"User-Agent": USER_AGENT}) as session:
        tvmaze = TvmazeSource.create(session, settings.tvmaze_api_base, cache=cache) if source != "tmdb" else None
        tmdb = None
        if source != "tvmaze" and settings.tmdb_api_key:
            tmdb = TmdbSource.create(session, settings.tmdb_api_base, settings.tmdb_api_key, cache=cache)
        yield Sources(tvmaze, tmdb)
