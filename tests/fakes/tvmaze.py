"""A fake TVmaze API serving the documented shapes (https://www.tvmaze.com/api) from in-memory shows.

- `GET /schedule?country=KR&date=D`: episodes airing on D (local date) on a network of that country, each
  with the full show under `show`.
- `GET /schedule/web?date=D`: episodes airing on D on a web channel (any country), each with the full show
  under `_embedded.show`.
- `GET /shows/{id}?embed[]=cast&embed[]=episodes`: the show with `_embedded.cast` ({person, character,
  self, voice}) and `_embedded.episodes` ({id, season, number, airdate, airtime, airstamp, runtime, ...}).
- `GET /shows/{id}/akas`: [{name, country {name, code, timezone} | null}].
- `GET /updates/shows?since=day`: {"<id>": <updated unix time>} for shows updated in the last day.
- `GET /shows?page=N`: the show index, by id, `page_size` shows a page (250 on TVmaze); 404 past the last page.
Every show carries `updated`, bumped whenever the show or anything under it changes.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any
from zoneinfo import ZoneInfo

from aiohttp import web

from tests.fakes.server import FakeApi, json_answer

SEOUL = ZoneInfo("Asia/Seoul")
_COUNTRIES = {
    "KR": {"name": "Korea, Republic of", "code": "KR", "timezone": "Asia/Seoul"},
    "US": {"name": "United States", "code": "US", "timezone": "America/New_York"},
}


def channel(channel_id: int, name: str, country: str | None) -> dict[str, Any]:
    return {"id": channel_id, "name": name, "country": _COUNTRIES[country] if country else None, "officialSite": None}


def tvmaze_show(
    show_id: int,
    name: str,
    *,
    premiered: str | None,
    ended: str | None = None,
    status: str = "Running",
    language: str = "Korean",
    kind: str = "Scripted",
    network: dict[str, Any] | None = None,
    web_channel: dict[str, Any] | None = None,
    time: str = "",
    days: Sequence[str] = (),
    runtime: int | None = 60,
    genres: Sequence[str] = ("Drama",),
    rating: float | None = None,
    imdb: str | None = None,
    thetvdb: int | None = None,
    updated: int = 1_700_000_000,
) -> dict[str, Any]:
    return {
        "id": show_id,
        "url": f"https://www.tvmaze.com/shows/{show_id}",
        "name": name,
        "type": kind,
        "language": language,
        "genres": list(genres),
        "status": status,
        "runtime": runtime,
        "averageRuntime": runtime,
        "premiered": premiered,
        "ended": ended,
        "officialSite": None,
        "schedule": {"time": time, "days": list(days)},
        "rating": {"average": rating},
        "weight": 80,
        "network": network,
        "webChannel": web_channel,
        "dvdCountry": None,
        "externals": {"tvrage": None, "thetvdb": thetvdb, "imdb": imdb},
        "image": {
            "medium": f"https://static.tvmaze.com/uploads/images/medium_portrait/1/{show_id}.jpg",
            "original": f"https://static.tvmaze.com/uploads/images/original_untouched/1/{show_id}.jpg",
        },
        "summary": f"<p><b>{name}</b> is a drama.</p>",
        "updated": updated,
        "_links": {"self": {"href": f"https://api.tvmaze.com/shows/{show_id}"}},
    }


def tvmaze_episode(
    episode_id: int, number: int, local: dt.datetime, *, season: int = 1, name: str | None = None, runtime: int = 60
) -> dict[str, Any]:
    """An episode airing at `local` (aware, the network's time zone), with `airstamp` in UTC."""
    return {
        "id": episode_id,
        "url": f"https://www.tvmaze.com/episodes/{episode_id}",
        "name": name or f"Episode {number}",
        "season": season,
        "number": number,
        "type": "regular",
        "airdate": local.date().isoformat(),
        "airtime": local.strftime("%H:%M"),
        "airstamp": local.astimezone(dt.UTC).isoformat(),
        "runtime": runtime,
        "rating": {"average": None},
        "image": None,
        "summary": None,
        "_links": {"self": {"href": f"https://api.tvmaze.com/episodes/{episode_id}"}},
    }


def cast_member(person_id: int, name: str, character_id: int, character: str) -> dict[str, Any]:
    return {
        "person": {"id": person_id, "url": f"https://www.tvmaze.com/people/{person_id}", "name": name,
                   "country": _COUNTRIES["KR"], "birthday": None, "gender": None, "image": None},
        "character": {"id": character_id, "url": f"https://www.tvmaze.com/characters/{character_id}",
                      "name": character, "image": None},
        "self": False,
        "voice": False,
    }  # fmt: skip


def aka(name: str, country: str | None) -> dict[str, Any]:
    return {"name": name, "country": _COUNTRIES[country] if country else None}


class FakeTvmaze(FakeApi):
    def __init__(self, *, clock: Callable[[], float] = lambda: 0.0) -> None:
        super().__init__(clock=clock)
        self.shows: dict[int, dict[str, Any]] = {}
        self.episodes: dict[int, list[dict[str, Any]]] = {}
        self.cast: dict[int, list[dict[str, Any]]] = {}
        self.akas: dict[int, list[dict[str, Any]]] = {}
        self.raw_show: dict[int, Any] = {}  # a /shows/{id} answer served as is (a malformed payload)
        self.recently_updated: set[int] = set()
        self.page_size = 250
        self.app.router.add_get("/shows", self._index)
        self.app.router.add_get("/schedule", self._schedule)
        self.app.router.add_get("/schedule/web", self._web_schedule)
        self.app.router.add_get("/shows/{id:\\d+}", self._show)
        self.app.router.add_get("/shows/{id:\\d+}/akas", self._akas)
        self.app.router.add_get("/updates/shows", self._updates)

    def add_show(
        self,
        show: dict[str, Any],
        *,
        episodes: Sequence[dict[str, Any]] = (),
        cast: Sequence[dict[str, Any]] = (),
        akas: Sequence[dict[str, Any]] = (),
    ) -> None:
        self.shows[show["id"]] = show
        self.episodes[show["id"]] = list(episodes)
        self.cast[show["id"]] = list(cast)
        self.akas[show["id"]] = list(akas)

    def touch(self, show_id: int) -> None:
        """Mark a show changed, as TVmaze does when anything under it changes."""
        self.shows[show_id]["updated"] += 1
        self.recently_updated.add(show_id)

    def reschedule(self, show_id: int, number: int, local: dt.datetime) -> None:
        for episode in self.episodes[show_id]:
            if episode["number"] == number:
                moved = tvmaze_episode(episode["id"], number, local, season=episode["season"], name=episode["name"])
                episode.update({k: moved[k] for k in ("airdate", "airtime", "airstamp")})
        self.touch(show_id)

    # -- handlers -----------------------------------------------------------------------------------------

    def _airing(self, date: str, *, web_only: bool, country: str | None) -> list[tuple[dict[str, Any], dict[str, Any]]]:
        found: list[tuple[dict[str, Any], dict[str, Any]]] = []
        for show_id, show in self.shows.items():
            channel_ = show["webChannel"] if web_only else show["network"]
            if channel_ is None:
                continue
            if country is not None and (channel_["country"] or {}).get("code") != country:
                continue
            found.extend((show, e) for e in self.episodes[show_id] if e["airdate"] == date)
        return sorted(found, key=lambda pair: pair[1]["airstamp"])

    async def _schedule(self, request: web.Request) -> web.Response:
        country = request.query.get("country", "US")
        date = request.query.get("date") or dt.date.today().isoformat()
        entries = [{**e, "show": s} for s, e in self._airing(date, web_only=False, country=country)]
        return json_answer(request, entries)

    async def _web_schedule(self, request: web.Request) -> web.Response:
        date = request.query.get("date") or dt.date.today().isoformat()
        entries = [{**e, "_embedded": {"show": s}} for s, e in self._airing(date, web_only=True, country=None)]
        return json_answer(request, entries)

    async def _show(self, request: web.Request) -> web.Response:
        show_id = int(request.match_info["id"])
        if show_id in self.raw_show:
            return json_answer(request, self.raw_show[show_id])
        if show_id not in self.shows:
            return json_answer(request, {"name": "Not Found", "message": "", "code": 0, "status": 404}, status=404)
        payload = copy.deepcopy(self.shows[show_id])
        embeds = request.query.getall("embed[]", []) + request.query.getall("embed", [])
        embedded: dict[str, Any] = {}
        if "cast" in embeds:
            embedded["cast"] = self.cast[show_id]
        if "episodes" in embeds:
            embedded["episodes"] = self.episodes[show_id]
        if embedded:
            payload["_embedded"] = embedded
        return json_answer(request, payload)

    async def _akas(self, request: web.Request) -> web.Response:
        show_id = int(request.match_info["id"])
        if show_id not in self.shows:
            return json_answer(request, {"name": "Not Found", "status": 404}, status=404)
        return json_answer(request, self.akas[show_id])

    async def _index(self, request: web.Request) -> web.Response:
        page = int(request.query.get("page", "0"))
        ordered = [self.shows[i] for i in sorted(self.shows)]
        chunk = ordered[page * self.page_size : (page + 1) * self.page_size]
        if page < 0 or not chunk:
            return json_answer(request, {"name": "Not Found", "message": "", "code": 0, "status": 404}, status=404)
        return json_answer(request, chunk)

    async def _updates(self, request: web.Request) -> web.Response:
        if request.query.get("since") == "day":
            return json_answer(request, {str(i): self.shows[i]["updated"] for i in sorted(self.recently_updated)})
        return json_answer(request, {str(i): s["updated"] for i, s in self.shows.items()})
