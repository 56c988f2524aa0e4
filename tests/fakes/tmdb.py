"""A fake TMDB v3 API serving the documented shapes (https://developer.themoviedb.org/reference).

- `GET /3/discover/tv?with_original_language=ko&air_date.gte=..&air_date.lte=..&page=N`: {page, results
  [{id, name, original_name, original_language, first_air_date, origin_country, ...}], total_pages,
  total_results}, `page_size` results a page.
- `GET /3/tv/{id}?append_to_response=external_ids`: the show, with `external_ids` {imdb_id, tvdb_id, ...}
  when asked for.
- `GET /3/tv/{id}/aggregate_credits`: {id, cast [{id, name, original_name, roles [{credit_id, character,
  episode_count}], total_episode_count, order, ...}], crew [{id, name, jobs [{credit_id, job,
  episode_count}], department, ...}]}.
Every request must carry `api_key`; a wrong or missing one gets TMDB's 401 answer.
"""

from __future__ import annotations

import copy
from collections.abc import Callable, Sequence
from typing import Any

from aiohttp import web

from tests.fakes.server import FakeApi, json_answer

_INVALID_KEY = {
    "status_code": 7,
    "status_message": "Invalid API key: You must be granted a valid key.",
    "success": False,
}
_NOT_FOUND = {"status_code": 34, "status_message": "The resource you requested could not be found.", "success": False}


def tmdb_show(
    tmdb_id: int,
    name: str,
    original_name: str,
    *,
    first_air_date: str,
    last_air_date: str | None = None,
    status: str = "Returning Series",
    networks: Sequence[str] = ("tvN",),
    number_of_episodes: int = 16,
    genres: Sequence[str] = ("Drama",),
    imdb_id: str | None = None,
    tvdb_id: int | None = None,
    original_language: str = "ko",
) -> dict[str, Any]:
    return {
        "adult": False,
        "backdrop_path": None,
        "created_by": [],
        "episode_run_time": [70],
        "first_air_date": first_air_date,
        "genres": [{"id": 18 + i, "name": g} for i, g in enumerate(genres)],
        "homepage": "",
        "id": tmdb_id,
        "in_production": status == "Returning Series",
        "languages": [original_language],
        "last_air_date": last_air_date or first_air_date,
        "name": name,
        "next_episode_to_air": None,
        "networks": [
            {"id": 100 + i, "name": n, "logo_path": None, "origin_country": "KR"} for i, n in enumerate(networks)
        ],
        "number_of_episodes": number_of_episodes,
        "number_of_seasons": 1,
        "origin_country": ["KR"],
        "original_language": original_language,
        "original_name": original_name,
        "overview": f"{name}, a Korean drama.",
        "popularity": 50.0,
        "poster_path": f"/poster{tmdb_id}.jpg",
        "status": status,
        "type": "Scripted",
        "vote_average": 8.1,
        "vote_count": 120,
        "external_ids": {"imdb_id": imdb_id, "tvdb_id": tvdb_id, "wikidata_id": None, "facebook_id": None},
    }


def tmdb_cast(
    person_id: int, name: str, character: str, *, order: int, episodes: int, original_name: str | None = None
) -> dict[str, Any]:
    return {
        "adult": False, "gender": 1, "id": person_id, "known_for_department": "Acting", "name": name,
        "original_name": original_name or name, "popularity": 10.0, "profile_path": None,
        "roles": [{"credit_id": f"c{person_id}", "character": character, "episode_count": episodes}],
        "total_episode_count": episodes, "order": order,
    }  # fmt: skip


def tmdb_crew(person_id: int, name: str, job: str, *, original_name: str | None = None) -> dict[str, Any]:
    return {
        "adult": False, "gender": 2, "id": person_id, "known_for_department": "Directing", "name": name,
        "original_name": original_name or name, "popularity": 2.0, "profile_path": None,
        "jobs": [{"credit_id": f"j{person_id}", "job": job, "episode_count": 16}],
        "department": "Directing" if job == "Director" else "Writing", "total_episode_count": 16,
    }  # fmt: skip


class FakeTmdb(FakeApi):
    def __init__(self, api_key: str, *, clock: Callable[[], float] = lambda: 0.0, page_size: int = 20) -> None:
        super().__init__(clock=clock, root="/3")
        self.api_key = api_key
        self.page_size = page_size
        self.shows: dict[int, dict[str, Any]] = {}
        self.credits: dict[int, dict[str, Any]] = {}
        self.airing: list[int] = []  # what discover answers for any window, most popular first
        self.app.router.add_get("/3/discover/tv", self._discover)
        self.app.router.add_get("/3/tv/{id:\\d+}", self._show)
        self.app.router.add_get("/3/tv/{id:\\d+}/aggregate_credits", self._credits)

    def add_show(
        self, show: dict[str, Any], *, cast: Sequence[dict[str, Any]] = (), crew: Sequence[dict[str, Any]] = ()
    ) -> None:
        self.shows[show["id"]] = show
        self.credits[show["id"]] = {"id": show["id"], "cast": list(cast), "crew": list(crew)}
        self.airing.append(show["id"])

    def _authorised(self, request: web.Request) -> bool:
        return request.query.get("api_key") == self.api_key

    async def _discover(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return json_answer(request, _INVALID_KEY, status=401)
        language = request.query.get("with_original_language")
        matching = [i for i in self.airing if language in (None, self.shows[i]["original_language"])]
        page = int(request.query.get("page", "1"))
        chunk = matching[(page - 1) * self.page_size : page * self.page_size]
        results = [
            {key: self.shows[i][key] for key in ("id", "name", "original_name", "original_language",
                                                 "first_air_date", "origin_country", "overview", "popularity",
                                                 "poster_path", "vote_average", "vote_count")}
            | {"genre_ids": [g["id"] for g in self.shows[i]["genres"]], "backdrop_path": None}
            for i in chunk
        ]  # fmt: skip
        pages = max(1, -(-len(matching) // self.page_size))
        return json_answer(
            request, {"page": page, "results": results, "total_pages": pages, "total_results": len(matching)}
        )

    async def _show(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return json_answer(request, _INVALID_KEY, status=401)
        tmdb_id = int(request.match_info["id"])
        if tmdb_id not in self.shows:
            return json_answer(request, _NOT_FOUND, status=404)
        payload = copy.deepcopy(self.shows[tmdb_id])
        appended = request.query.get("append_to_response", "").split(",")
        if "external_ids" not in appended:
            payload.pop("external_ids")
        return json_answer(request, payload)

    async def _credits(self, request: web.Request) -> web.Response:
        if not self._authorised(request):
            return json_answer(request, _INVALID_KEY, status=401)
        tmdb_id = int(request.match_info["id"])
        if tmdb_id not in self.credits:
            return json_answer(request, _NOT_FOUND, status=404)
        return json_answer(request, self.credits[tmdb_id])
