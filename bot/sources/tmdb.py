"""TMDB: Korean-language shows on the air in a date window, with their Hangul titles, ids and full cast.

Shapes (https://developer.themoviedb.org/reference): `discover/tv` answers `{page, results: [{id, name,
original_name, first_air_date, ...}], total_pages, total_results}`; `/tv/{id}?append_to_response=external_ids`
is the show (`name`, `original_name`, `genres[{id, name}]`, `networks[{id, name, origin_country}]`,
`number_of_episodes`, `episode_run_time`, `first_air_date`, `last_air_date`, `status`, `poster_path`,
`overview`, `vote_average`, `origin_country`) with `external_ids` (`imdb_id`, `tvdb_id`);
`/tv/{id}/aggregate_credits` lists `cast[{id, name, original_name, roles[{character, episode_count}],
total_episode_count, order}]` and `crew[{id, name, jobs[{job, episode_count}], department}]`.
The `api_key` query parameter authenticates every call; it is redacted from everything logged or cached.
TMDB states no version per record, so its stamp is a digest of what it answered.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections.abc import Callable, Mapping
from typing import Any

import aiohttp

from bot.models import CreditKind, Role, Status
from bot.ratelimit import RateLimiter
from bot.sources import (
    MalformedPayload,
    SourceCredit,
    SourceShow,
    has_hangul,
    optional_date,
    require,
    status_from_words,
    text_or_none,
)
from bot.sources.http import JsonClient, ResponseCache

SOURCE = "tmdb"
# TMDB's limit is soft, about 40 a second; stay well below it.
CALLS_PER_PERIOD = 20
PERIOD_SECONDS = 1.0
MAX_DISCOVER_PAGES = 5
MAX_CAST = 40
POSTER_BASE = "https://image.tmdb.org/t/p/w500"
# TMDB is the authority on its id, the Hangul title and the episode count; TVmaze on the schedule.
OWNED = frozenset({"tmdb_id", "hangul_title", "episode_count"})
# ... and on the status and finale of a show TVmaze does not know (see bot.sync).
OWNED_WITHOUT_TVMAZE = frozenset({"status", "finale"})
WRITER_JOBS = frozenset({"Writer", "Screenplay", "Teleplay", "Story"})


def parse_show(details: Any, credits: Any, *, today: dt.date) -> SourceShow:
    """Read `/tv/{id}?append_to_response=external_ids` and `/tv/{id}/aggregate_credits` into a SourceShow."""
    tmdb_id = require(details, "id", int, "the TMDB show")
    what = f"TMDB show {tmdb_id}"
    name = require(details, "name", str, what).strip()
    if not name:
        raise MalformedPayload(f"{what} has an empty name")
    original = text_or_none(details.get("original_name"))
    premiere = optional_date(details.get("first_air_date"), f"{what}'s first air date")
    status = status_from_words(text_or_none(details.get("status")), premiere, today)
    finale = (
        optional_date(details.get("last_air_date"), f"{what}'s last air date") if status is Status.FINISHED else None
    )
    episodes = details.get("number_of_episodes")
    run_times = [m for m in details.get("episode_run_time") or () if isinstance(m, int) and m > 0]
    origin = [c for c in details.get("origin_country") or () if isinstance(c, str)]
    poster = text_or_none(details.get("poster_path"))
    vote = details.get("vote_average")
    facts: dict[str, Any] = {
        "title": name,
        "hangul_title": original if original and has_hangul(original) else None,
        "country": origin[0] if origin else None,
        "networks": tuple(_names(details.get("networks"))),
        "premiere": premiere,
        "finale": finale,
        "episode_count": episodes if isinstance(episodes, int) and episodes > 0 else None,
        "episode_minutes": run_times[0] if run_times else None,
        "status": status,
        "genres": tuple(_names(details.get("genres"))),
        "rating": float(vote) if isinstance(vote, int | float) and vote > 0 else None,
        "synopsis": text_or_none(details.get("overview")),
        "poster_url": POSTER_BASE + poster if poster else None,
        "tmdb_id": tmdb_id,
    }
    external = details.get("external_ids") if isinstance(details.get("external_ids"), Mapping) else {}
    other_ids = {}
    if text_or_none(external.get("imdb_id")):
        other_ids["imdb"] = external["imdb_id"].strip()
    if isinstance(external.get("tvdb_id"), int):
        other_ids["thetvdb"] = str(external["tvdb_id"])
    stamp = hashlib.sha256(
        json.dumps([details, credits], sort_keys=True, ensure_ascii=False, default=str).encode()
    ).hexdigest()[:24]
    return SourceShow(
        source=SOURCE,
        external_id=tmdb_id,
        title=name,
        facts={k: v for k, v in facts.items() if v not in (None, (), "")},
        owned=OWNED,
        stamp=stamp,
        premiere=premiere,
        alt_titles=(original,) if original and original != name and not has_hangul(original) else (),
        other_ids=other_ids,
        episodes=None,
        credits=_credits(credits, facts["episode_count"], what),
    )


def _names(items: Any) -> list[str]:
    if not isinstance(items, list):
        return []
    return [item["name"] for item in items if isinstance(item, Mapping) and text_or_none(item.get("name"))]


def _credits(payload: Any, episode_count: int | None, what: str) -> tuple[SourceCredit, ...]:
    if not isinstance(payload, Mapping) or not isinstance(payload.get("cast", []), list):
        raise MalformedPayload(f"{what}'s aggregate credits are not an object with a cast list")
    cast = [c for c in payload.get("cast") or () if isinstance(c, Mapping) and text_or_none(c.get("name"))]
    cast.sort(key=_billing_order)
    credits: list[SourceCredit] = []
    for member in cast[:MAX_CAST]:
        roles = [r for r in member.get("roles") or () if isinstance(r, Mapping)]
        characters = [c for r in roles if (c := text_or_none(r.get("character")))]
        appearances = member.get("total_episode_count")
        credits.append(
            SourceCredit(
                person_name=member["name"].strip(),
                kind=CreditKind.CAST,
                character=" / ".join(dict.fromkeys(characters)) or None,
                role=_role(appearances if isinstance(appearances, int) else None, episode_count),
                billing=len(credits) + 1,
                person_hangul_name=_hangul(member.get("original_name")),
                person_tmdb_id=member.get("id") if isinstance(member.get("id"), int) else None,
            )
        )
    for member in payload.get("crew") or ():
        if not isinstance(member, Mapping) or not text_or_none(member.get("name")):
            continue
        jobs = {j.get("job") for j in member.get("jobs") or () if isinstance(j, Mapping)}
        kinds = [CreditKind.DIRECTOR] if "Director" in jobs else []
        if jobs & WRITER_JOBS:
            kinds.append(CreditKind.WRITER)
        for kind in kinds:
            credits.append(
                SourceCredit(
                    person_name=member["name"].strip(),
                    kind=kind,
                    person_hangul_name=_hangul(member.get("original_name")),
                    person_tmdb_id=member.get("id") if isinstance(member.get("id"), int) else None,
                )
            )
    return tuple(credits)


def _billing_order(member: Mapping[str, Any]) -> int:
    order = member.get("order")
    return order if isinstance(order, int) else 10_000


def _role(appearances: int | None, episode_count: int | None) -> Role | None:
    """Main cast appear in most episodes, guests in one; the rest support."""
    if appearances is None or not episode_count:
        return None
    if appearances * 2 >= episode_count:
        return Role.MAIN
    return Role.GUEST if appearances <= 1 < episode_count else Role.SUPPORT


def _hangul(value: Any) -> str | None:
    text = text_or_none(value)
    return text if text and has_hangul(text) else None


class TmdbSource:
    """Fetch Korean shows from TMDB through a rate-limited, caching JsonClient that adds the API key."""

    name = SOURCE

    def __init__(self, client: JsonClient) -> None:
        self.client = client

    @classmethod
    def create(
        cls,
        session: aiohttp.ClientSession,
        base_url: str,
        api_key: str,
        *,
        cache: ResponseCache | None = None,
        limiter: RateLimiter | None = None,
        **client_options: Any,
    ) -> TmdbSource:
        limiter = limiter or RateLimiter(CALLS_PER_PERIOD, PERIOD_SECONDS)
        client = JsonClient(
            session, base_url, name=SOURCE, limiter=limiter, cache=cache, secrets=("api_key",),
            default_params={"api_key": api_key}, **client_options,
        )  # fmt: skip
        return cls(client)

    async def korean_shows_airing(
        self, first: dt.date, last: dt.date, progress: Callable[[int, int, str], None] | None = None
    ) -> list[int]:
        """Return the ids of Korean-language shows with an episode airing from `first` to `last`."""
        ids: list[int] = []
        page, pages = 1, 1
        while page <= min(pages, MAX_DISCOVER_PAGES):
            if progress:
                progress(page, min(pages, MAX_DISCOVER_PAGES), f"discover page {page}")
            answer = await self.client.get_json(
                "/discover/tv",
                {
                    "with_original_language": "ko",
                    "air_date.gte": first.isoformat(),
                    "air_date.lte": last.isoformat(),
                    "timezone": "Asia/Seoul",
                    "sort_by": "popularity.desc",
                    "page": page,
                },
            )
            results = require(answer, "results", list, "the discover answer")
            total = answer.get("total_pages")
            pages = total if isinstance(total, int) and total > 0 else 1
            ids.extend(r["id"] for r in results if isinstance(r, Mapping) and isinstance(r.get("id"), int))
            page += 1
        return list(dict.fromkeys(ids))

    async def fetch_show(self, tmdb_id: int, *, today: dt.date) -> SourceShow:
        details = await self.client.get_json(f"/tv/{tmdb_id}", {"append_to_response": "external_ids"})
        credits = await self.client.get_json(f"/tv/{tmdb_id}/aggregate_credits")
        return parse_show(details, credits, today=today)
