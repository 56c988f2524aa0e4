"""One frozen Settings object, built once from the environment (and `.env`) and passed in."""

from __future__ import annotations

import math
import os
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path

from bot.errors import ConfigError

DEFAULT_DATABASE = Path("data") / "dramabot.sqlite3"
TVMAZE_API_BASE = "https://api.tvmaze.com"
TMDB_API_BASE = "https://api.themoviedb.org/3"
LOG_LEVELS = ("DEBUG", "INFO", "WARNING", "ERROR", "CRITICAL")


@dataclass(frozen=True, slots=True)
class Settings:
    discord_token: str | None = field(default=None, repr=False)
    database_path: Path = DEFAULT_DATABASE
    dev_guild_id: int | None = None
    owner_ids: frozenset[int] = frozenset()
    log_level: str = "INFO"
    discord_api_base: str | None = None
    discord_gateway_url: str | None = None
    announce_grace_hours: float = 6.0
    announce_send_timeout: float = 10.0
    sync_hour_utc: int | None = None
    tvmaze_api_base: str = TVMAZE_API_BASE
    tmdb_api_base: str = TMDB_API_BASE
    tmdb_api_key: str | None = field(default=None, repr=False)

    @classmethod
    def from_env(cls, environ: Mapping[str, str] | None = None, *, dotenv: Path | None = Path(".env")) -> Settings:
        """Build settings from `environ` (default os.environ), with `.env` values beneath it."""
        values: dict[str, str] = {}
        if dotenv is not None and dotenv.is_file():
            from dotenv import dotenv_values

            values.update({k: v for k, v in dotenv_values(dotenv).items() if v is not None})
        values.update(os.environ if environ is None else environ)

        def text(name: str) -> str | None:
            value = values.get(name, "").strip()
            return value or None

        return cls(
            discord_token=text("DISCORD_TOKEN"),
            database_path=Path(text("DATABASE_PATH") or DEFAULT_DATABASE),
            dev_guild_id=_integer(text("DEV_GUILD_ID"), "DEV_GUILD_ID"),
            owner_ids=frozenset(
                _integer(part, "OWNER_IDS") or 0
                for part in (text("OWNER_IDS") or "").replace(" ", ",").split(",")
                if part
            ),
            log_level=_log_level(text("LOG_LEVEL")),
            discord_api_base=(text("DISCORD_API_BASE") or "").rstrip("/") or None,
            discord_gateway_url=text("DISCORD_GATEWAY_URL"),
            announce_grace_hours=_number(text("ANNOUNCE_GRACE_HOURS"), "ANNOUNCE_GRACE_HOURS", 6.0),
            announce_send_timeout=_positive(text("ANNOUNCE_SEND_TIMEOUT"), "ANNOUNCE_SEND_TIMEOUT", 10.0),
            sync_hour_utc=_hour(text("SYNC_HOUR_UTC")),
            tvmaze_api_base=(text("TVMAZE_API_BASE") or TVMAZE_API_BASE).rstrip("/"),
            tmdb_api_base=(text("TMDB_API_BASE") or TMDB_API_BASE).rstrip("/"),
            tmdb_api_key=text("TMDB_API_KEY"),
        )


def _integer(value: str | None, name: str) -> int | None:
    if value is None:
        return None
    try:
        return int(value)
    except ValueError:
        raise ConfigError(f"{name} must be a whole number, not {value!r}.") from None


def _number(value: str | None, name: str, default: float) -> float:
    if value is None:
        return default
    try:
        number = float(value)
    except ValueError:
        raise ConfigError(f"{name} must be a number, not {value!r}.") from None
    if not math.isfinite(number):
        raise ConfigError(f"{name} must be a finite number, not {value!r}.")
    if number < 0:
        raise ConfigError(f"{name} cannot be negative.")
    return number


def _log_level(value: str | None) -> str:
    level = (value or "INFO").upper()
    if level not in LOG_LEVELS:
        raise ConfigError(f"LOG_LEVEL must be one of {', '.join(LOG_LEVELS)}, not {value!r}.")
    return level


def _positive(value: str | None, name: str, default: float) -> float:
    number = _number(value, name, default)
    if number == 0:
        raise ConfigError(f"{name} must be more than 0.")
    return number


def _hour(value: str | None) -> int | None:
    hour = _integer(value, "SYNC_HOUR_UTC")
    if hour is not None and not 0 <= hour <= 23:
        raise ConfigError("SYNC_HOUR_UTC must be an hour from 0 to 23, or empty to turn the daily sync off.")
    return hour
