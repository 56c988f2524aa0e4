"""TVmaze: the Korean broadcast and streaming schedules, and each show with its cast, episodes and other titles.

Shapes (https://www.tvmaze.com/api): `/schedule?country=KR&date=D` lists episodes, each with the full show
under `show`; `/schedule/web?date=D` lists streaming episodes of every country with the show under
`_embedded.show`; `/shows/{id}?embed[]=cast&embed[]=episodes` is the show with `_embedded.cast`
(`person`, `character`) and `_embedded.episodes` (`season`, `number`, `airstamp` with its offset);
`/shows/{id}/akas` lists `{name, country}`; `/updates/shows?since=day` maps show ids to their `updated`
Unix time. A show's `updated` changes whenever anything under it does, so an unchanged one is not fetched.
`/shows?page=N` is the index of every show, 250 a page by id, answering 404 past the last page.
"""

from __future__ import annotations

import datetime as dt
import html
import logging
import re
from collections.abc import Callable, Iterable, Mapping, Sequence
from typing import Any

from bot.models import SEOUL, CreditKind, Role, Status, is_sane_date
from bot.sources import (
    MalformedPayload,
    Source,
    SourceCredit,
    SourceEpisode,
    SourceShow,
    has_hangul,
    optional_date,
    require,
    status_from_words,
    text_or_none,
)
from bot.sources.http import NotFoundError, SourceUnreachable

log = logging.getLogger(__name__)

SOURCE = "tvmaze"
# TVmaze allows "at least 20 calls every 10 seconds" per IP; cached answers do not count.
CALLS_PER_PERIOD = 20
PERIOD_SECONDS = 10.0
# The Korean schedules also carry news, talk and reality shows; the catalog holds dramas.
WANTED_TYPES = frozenset({"Scripted"})
# The facts TVmaze is the authority on: its id and the broadcast schedule. Others only fill gaps.
OWNED = frozenset({"tvmaze_id", "air_days", "air_time", "timezone", "status", "finale", "episode_minutes"})
MAX_ALT_TITLES = 8
_DAY_NUMBERS = {name: index for index, name in enumerate(
    ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
)}  # fmt: skip
_TAGS = re.compile(r"<[^>]+>")


def is_korean(show: Mapping[str, Any]) -> bool:
    """Tell whether a TVmaze show is Korean: its network or web channel is in KR, or it is in Korean."""
    for channel in (show.get("network"), show.get("webChannel")):
        country = channel.get("country") if isinstance(channel, Mapping) else None
        if isinstance(country, Mapping) and country.get("code") == "KR":
            return True
    return show.get("language") == "Korean"


def is_korean_drama(show: Mapping[str, Any]) -> bool:
    """Tell whether a TVmaze show is a Korean scripted show (not news, talk, reality or a foreign drama)."""
    return show.get("type") in WANTED_TYPES and isinstance(show.get("id"), int) and is_korean(show)


def dramas_in_schedule(entries: Any) -> dict[int, Mapping[str, Any]]:
    """Return the Korean dramas a schedule answer lists, by TVmaze id (its shows embedded either way)."""
    if not isinstance(entries, list):
        raise MalformedPayload("the schedule is not a list")
    shows: dict[int, Mapping[str, Any]] = {}
    for entry in entries:
        if not isinstance(entry, Mapping):
            continue
        embedded = entry.get("_embedded")
        show = entry.get("show") or (embedded.get("show") if isinstance(embedded, Mapping) else None)
        if not isinstance(show, Mapping) or not isinstance(show.get("id"), int):
            continue
        if show.get("type") in WANTED_TYPES and is_korean(show):
            shows[show["id"]] = show
    return shows


def parse_show(payload: Any, akas: Any, *, today: dt.date) -> SourceShow:
    """Read `/shows/{id}?embed[]=cast&embed[]=episodes` and `/shows/{id}/akas` into a SourceShow."""
    tvmaze_id = require(payload, "id", int, "the show")
    what = f"TVmaze show {tvmaze_id}"
    name = require(payload, "name", str, what).strip()
    if not name:
        raise MalformedPayload(f"{what} has an empty name")
    premiere = optional_date(payload.get("premiered"), f"{what}'s premiere")
    finale = optional_date(payload.get("ended"), f"{what}'s end")
    embedded = payload.get("_embedded") or {}
    if not isinstance(embedded, Mapping):
        raise MalformedPayload(f"{what} has a malformed _embedded")
    episodes = _episodes(embedded.get("episodes") or [], what)
    credits = _cast(embedded.get("cast") or [], what)
    hangul, alt_titles = _other_titles(akas, name)
    title = name
    if has_hangul(name):
        hangul = hangul or name
        title = alt_titles[0] if alt_titles else name
        alt_titles = tuple(t for t in alt_titles if t != title)

    network = payload.get("network") if isinstance(payload.get("network"), Mapping) else None
    web = payload.get("webChannel") if isinstance(payload.get("webChannel"), Mapping) else None
    country = _channel_country(network) or _channel_country(web)
    schedule = payload.get("schedule") if isinstance(payload.get("schedule"), Mapping) else {}
    status = status_from_words(text_or_none(payload.get("status")), premiere, today)
    image = payload.get("image") if isinstance(payload.get("image"), Mapping) else {}
    rating = payload.get("rating") if isinstance(payload.get("rating"), Mapping) else {}
    externals = payload.get("externals") if isinstance(payload.get("externals"), Mapping) else {}
    facts: dict[str, Any] = {
        "title": title,
        "hangul_title": hangul,
        "country": (country or {}).get("code") or ("KR" if payload.get("language") == "Korean" else None),
        "networks": tuple(c["name"] for c in (network, web) if c and isinstance(c.get("name"), str)),
        "premiere": premiere,
        "finale": finale,
        "episode_count": len(episodes) if status is Status.FINISHED and episodes else None,
        "episode_minutes": _positive_int(payload.get("runtime")) or _positive_int(payload.get("averageRuntime")),
        "air_days": tuple(sorted({_DAY_NUMBERS[d] for d in schedule.get("days") or () if d in _DAY_NUMBERS})),
        "air_time": _clock_time(schedule.get("time"), what),
        "timezone": (country or {}).get("timezone") or SEOUL,
        "status": status,
        "genres": tuple(g for g in payload.get("genres") or () if isinstance(g, str)),
        "rating": rating.get("average") if isinstance(rating.get("average"), int | float) else None,
        "synopsis": _plain(payload.get("summary")),
        "poster_url": text_or_none(image.get("original")) or text_or_none(image.get("medium")),
        "tvmaze_id": tvmaze_id,
    }
    other_ids = {}
    if isinstance(externals.get("imdb"), str) and externals["imdb"]:
        other_ids["imdb"] = externals["imdb"]
    if isinstance(externals.get("thetvdb"), int):
        other_ids["thetvdb"] = str(externals["thetvdb"])
    updated = payload.get("updated")
    return SourceShow(
        source=SOURCE,
        external_id=tvmaze_id,
        title=title,
        facts={k: v for k, v in facts.items() if v not in (None, (), "")},
        owned=OWNED,
        stamp=str(updated) if isinstance(updated, int) else None,
        premiere=premiere,
        alt_titles=alt_titles,
        other_ids=other_ids,
        episodes=episodes,
        credits=credits,
    )


def _episodes(items: Any, what: str) -> tuple[SourceEpisode, ...]:
    """Regular episodes with an air time, numbered across seasons (K-dramas rarely have more than one)."""
    if not isinstance(items, list):
        raise MalformedPayload(f"{what}'s episodes are not a list")
    regular: list[tuple[int, int, dt.datetime, str | None]] = []
    for item in items:
        if not isinstance(item, Mapping):
            raise MalformedPayload(f"{what} lists an episode that is not an object")
        number, season, stamp = item.get("number"), item.get("season"), item.get("airstamp")
        if number is None or not stamp:
            continue  # a special, or not scheduled yet
        if not isinstance(number, int) or not isinstance(season, int) or not isinstance(stamp, str):
            raise MalformedPayload(f"{what} lists episode {item.get('id')!r} with a malformed number or air time")
        try:
            air_at = dt.datetime.fromisoformat(stamp)
        except ValueError:
            raise MalformedPayload(f"{what}'s episode {season}x{number} airs at {stamp!r}, not a time") from None
        if air_at.tzinfo is None:
            raise MalformedPayload(f"{what}'s episode {season}x{number} air time {stamp!r} has no offset")
        if not is_sane_date(air_at.date()):
            raise MalformedPayload(f"{what}'s episode {season}x{number} air time {stamp!r} is out of range")
        regular.append((season, number, air_at.astimezone(dt.UTC), text_or_none(item.get("name"))))
    if len({season for season, *_ in regular}) <= 1:
        return tuple(SourceEpisode(number, air_at, title) for _, number, air_at, title in regular)
    ordered = sorted(regular, key=lambda e: (e[0], e[1]))
    return tuple(SourceEpisode(i, air_at, title) for i, (_, _, air_at, title) in enumerate(ordered, start=1))


def _cast(items: Any, what: str) -> tuple[SourceCredit, ...]:
    """TVmaze's cast embed is the main cast, in billing order."""
    if not isinstance(items, list):
        raise MalformedPayload(f"{what}'s cast is not a list")
    credits: list[SourceCredit] = []
    for item in items:
        person = item.get("person") if isinstance(item, Mapping) else None
        character = item.get("character") if isinstance(item, Mapping) else None
        name = text_or_none(person.get("name")) if isinstance(person, Mapping) else None
        if name is None:
            log.debug("%s: a cast entry without a person's name is left out", what)
            continue
        credits.append(
            SourceCredit(
                person_name=name,
                kind=CreditKind.CAST,
                character=text_or_none(character.get("name")) if isinstance(character, Mapping) else None,
                role=Role.MAIN,
                billing=len(credits) + 1,
            )
        )
    return tuple(credits)


def _other_titles(akas: Any, name: str) -> tuple[str | None, tuple[str, ...]]:
    """Return the Hangul title and the Latin-script alternative titles among a show's AKAs."""
    if akas is None:
        return None, ()
    if not isinstance(akas, list):
        raise MalformedPayload("the AKA list is not a list")
    hangul: list[tuple[bool, str]] = []
    latin: list[str] = []
    for aka in akas:
        title = text_or_none(aka.get("name")) if isinstance(aka, Mapping) else None
        if title is None:
            continue
        country = aka.get("country")
        in_korea = isinstance(country, Mapping) and country.get("code") == "KR"
        if has_hangul(title):
            hangul.append((not in_korea, title))  # the Korean AKA first
        elif title.isascii() and title.casefold() != name.casefold() and title not in latin:
            latin.append(title)
    first_korean = sorted(hangul, key=lambda entry: entry[0])  # stable: the source's order otherwise
    return (first_korean[0][1] if hangul else None), tuple(latin[:MAX_ALT_TITLES])


def _channel_country(channel: Mapping[str, Any] | None) -> Mapping[str, Any] | None:
    country = channel.get("country") if channel else None
    return country if isinstance(country, Mapping) else None


def _clock_time(value: Any, what: str) -> dt.time | None:
    if not value:
        return None
    try:
        return dt.time.fromisoformat(str(value))
    except ValueError:
        raise MalformedPayload(f"{what}'s air time {value!r} is not a clock time") from None


def _positive_int(value: Any) -> int | None:
    return value if isinstance(value, int) and not isinstance(value, bool) and value > 0 else None


def _plain(summary: Any) -> str | None:
    if not isinstance(summary, str):
        return None
    return text_or_none(html.unescape(_TAGS.sub("", summary)))


class TvmazeSource(Source):
    """Fetch what the sync needs from TVmaze through a rate-limited, caching JsonClient."""

    name = SOURCE
    calls_per_period = CALLS_PER_PERIOD
    period_seconds = PERIOD_SECONDS

    async def dramas_airing(
        self, dates: Sequence[dt.date], progress: Callable[[int, int, str], None] | None = None
    ) -> tuple[dict[int, Mapping[str, Any]], list[tuple[str, str]]]:
        """Return the Korean dramas on the broadcast and streaming schedules of `dates`, and what failed."""
        shows: dict[int, Mapping[str, Any]] = {}
        failures: list[tuple[str, str]] = []
        requests = [(d, web) for d in dates for web in (False, True)]
        for done, (day, web) in enumerate(requests, start=1):
            label = f"{'web' if web else 'KR'} schedule {day.isoformat()}"
            if progress:
                progress(done, len(requests), label)
            path, params = ("/schedule/web", {"date": day.isoformat()}) if web else (
                "/schedule", {"country": "KR", "date": day.isoformat()}
            )  # fmt: skip
            try:
                shows.update(dramas_in_schedule(await self.client.get_json(path, params)))
            except SourceUnreachable:
                raise
            except Exception as exc:  # one bad day must not stop the others
                failures.append((label, _reason(exc)))
        return shows, failures

    async def show_index(self, page: int) -> list[Mapping[str, Any]] | None:
        """Return one page of TVmaze's index of every show, or None past the last page."""
        try:
            payload = await self.client.get_json("/shows", {"page": str(page)})
        except NotFoundError:
            return None
        if not isinstance(payload, list):
            raise MalformedPayload(f"page {page} of the show index is not a list")
        return [show for show in payload if isinstance(show, Mapping)]

    async def updated_today(self) -> dict[int, str]:
        """Return every show TVmaze changed in the last day, with its new `updated` stamp."""
        payload = await self.client.get_json("/updates/shows", {"since": "day"})
        if not isinstance(payload, Mapping):
            raise MalformedPayload("the show updates are not an object")
        return {int(k): str(v) for k, v in payload.items() if str(k).isdigit() and isinstance(v, int)}

    async def fetch_show(self, tvmaze_id: int, *, today: dt.date) -> SourceShow:
        payload = await self.client.get_json(f"/shows/{tvmaze_id}", [("embed[]", "cast"), ("embed[]", "episodes")])
        akas = await self.client.get_json(f"/shows/{tvmaze_id}/akas")
        return parse_show(payload, akas, today=today)


def _reason(exc: Exception) -> str:
    return str(exc) or type(exc).__name__


def stamps_of(shows: Iterable[Mapping[str, Any]]) -> dict[int, str | None]:
    """Each schedule-embedded show's `updated` stamp, by TVmaze id."""
    return {s["id"]: (str(s["updated"]) if isinstance(s.get("updated"), int) else None) for s in shows}
