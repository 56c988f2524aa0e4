"""Pick up to five shows like the ones a user likes, each with the facts that make it a pick (pure, deterministic).

A profile is one or more liked shows (the `like` show, or the user's completed, high-scored entries), or none:
then the filters alone choose, by rating and popularity. A candidate earns points for each fact it shares with a
liked show: the screenwriter, the director, a lead actor, rare tags and genres more than common ones, the network
and the era; rating and popularity break near-ties. Ties are broken by popularity, then id: the same input gives
the same picks.
"""

from __future__ import annotations

import heapq
import re
from collections.abc import Collection, Mapping, Sequence
from dataclasses import dataclass, field

from bot.errors import InvalidInput
from bot.models import Person, Show
from bot.recommend.index import Features, RecommendIndex

PICKS = 5
WRITER, DIRECTOR, LEAD, LEAD_CAP = 5.0, 4.0, 2.5, 2
NETWORK, ERA, ERA_YEARS = 0.6, 0.6, 3
GENRES = 0.7  # times the shared genres' rarity (log inverse frequency)
SHORTLIST = 250  # candidates scored in full, chosen by a rough sum of what they share with the liked shows
GENRE_DEPTH = 4000  # of each genre's shows (most popular first), how many count towards the shortlist
PERSON_DEPTH = 200  # the same for each writer's, director's and lead's shows
_YEARS = re.compile(
    r"^\s*(?:(?P<decade>(?:19|20)\d0)s|(?P<start>(?:19|20)\d\d)(?:\s*(?:-|–|to)\s*(?P<end>(?:19|20)\d\d))?)\s*$"
)


@dataclass(frozen=True, slots=True)
class Filters:
    genre: str | None = None  # casefolded
    tag: str | None = None
    network: str | None = None
    years: tuple[int, int] | None = None

    def admit(self, f: Features) -> bool:
        if self.genre and self.genre not in f.genres:
            return False
        if self.tag and self.tag not in f.genres:
            return False
        if self.network and not any(self.network in n for n in f.networks):
            return False
        if self.years and (f.year is None or not self.years[0] <= f.year <= self.years[1]):
            return False
        return True

    @property
    def empty(self) -> bool:
        return not (self.genre or self.tag or self.network or self.years)


def parse_years(text: str) -> tuple[int, int]:
    """Read "2019", "2015-2020" or "2010s" as an inclusive range of years, or raise InvalidInput."""
    match = _YEARS.match(text)
    if match is None:
        raise InvalidInput("Give years as 2019, 2015-2020 or 2010s.")
    if match["decade"]:
        start = int(match["decade"])
        return start, start + 9
    start = int(match["start"])
    end = int(match["end"]) if match["end"] else start
    if end < start:
        raise InvalidInput("The first year of a range comes before the last, as in 2015-2020.")
    return start, end


def make_filters(
    *, genre: str | None = None, tag: str | None = None, network: str | None = None, years: str | None = None
) -> Filters:
    def word(text: str | None) -> str | None:
        cleaned = " ".join((text or "").split()).casefold()[:40]
        return cleaned or None

    return Filters(word(genre), word(tag), word(network), parse_years(years) if years and years.strip() else None)


@dataclass(frozen=True, slots=True)
class Pick:
    show_id: int
    score: float
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class Request:
    """What to recommend from: liked shows (may be empty), filters, and what never to offer."""

    liked: tuple[int, ...] = ()
    filters: Filters = field(default_factory=Filters)
    exclude: frozenset[int] = frozenset()  # completed or dropped, the liked shows and (unless asked) their seasons
    guild_id: int | None = None
    limit: int = PICKS


def recommend(
    index: RecommendIndex, request: Request, shows: Mapping[int, Show], people: Mapping[int, Person]
) -> list[Pick]:
    """Return up to `request.limit` picks, best first, each with its reasons."""
    liked = [index.features[i] for i in request.liked if i in index.features]
    allowed = _allowed(index, request)
    if not liked:
        return _by_standing(index, request, allowed, shows)
    candidates = _shortlist(index, liked, allowed, filtered=not request.filters.empty)
    scored = [_score(index, index.features[i], liked, shows, people) for i in candidates]
    order = lambda p: (-round(p.score, 6), index.rank[p.show_id], p.show_id)  # noqa: E731
    best = heapq.nsmallest(request.limit, scored, key=order)
    return [p for p in best if p.score > 0]


def _allowed(index: RecommendIndex, request: Request) -> _Admit:
    return _Admit(index.features, request)


class _Admit:
    def __init__(self, features: Mapping[int, Features], request: Request) -> None:
        self.features = features
        self.request = request

    def __call__(self, show_id: int) -> bool:
        f = self.features[show_id]
        r = self.request
        if show_id in r.exclude or (f.guild_id is not None and f.guild_id != r.guild_id):
            return False
        return r.filters.empty or r.filters.admit(f)


def _shortlist(index: RecommendIndex, liked: Sequence[Features], allowed: _Admit, *, filtered: bool) -> list[int]:
    """The SHORTLIST shows most likely to score best, by a rough sum of what they share, to be scored in full.

    Bounded: each posting list (most popular first) is read to its PERSON_DEPTH or GENRE_DEPTH head only.
    """
    rough: dict[int, float] = {}
    get = rough.get
    for like in liked:
        for postings, people_ids, weight in (
            (index.by_writer, like.writers, WRITER), (index.by_director, like.directors, DIRECTOR),
            (index.by_lead, like.leads, LEAD),
        ):  # fmt: skip
            for person in people_ids:
                for i in postings.get(person, ())[:PERSON_DEPTH]:
                    rough[i] = get(i, 0.0) + weight
        for genre in like.genres:
            weight = GENRES * index.genre_weight.get(genre, 0.0)
            for i in index.by_genre.get(genre, ())[:GENRE_DEPTH]:
                rough[i] = get(i, 0.0) + weight
    rank = index.rank
    order = [(-round(w, 6), rank[i], i) for i, w in rough.items()]
    if filtered:  # filters may leave few: keep only what they admit before choosing
        order = [o for o in order if allowed(o[2])]
        return [i for _w, _r, i in heapq.nsmallest(SHORTLIST, order)]
    chosen = [i for _w, _r, i in heapq.nsmallest(SHORTLIST + len(liked) * 4 + 50, order) if allowed(i)]
    return chosen[:SHORTLIST]


def _score(
    index: RecommendIndex,
    f: Features,
    liked: Sequence[Features],
    shows: Mapping[int, Show],
    people: Mapping[int, Person],
) -> Pick:
    score = index.standing[f.show_id]
    reasons: list[tuple[float, str]] = []
    for like in liked:
        name = shows[like.show_id].title if like.show_id in shows else "a show you liked"
        for weight, ids, what in (
            (WRITER, f.writers & like.writers, "same writer as"),
            (DIRECTOR, f.directors & like.directors, "same director as"),
        ):  # fmt: skip
            if ids:
                score += weight
                reasons.append((weight, f"{what} {name}: {_names(ids, people)}"))
        leads = f.leads & like.leads
        if leads:
            weight = LEAD * min(len(leads), LEAD_CAP)
            score += weight
            reasons.append((weight, f"stars {_names(leads, people)}, also in {name}"))
        genres = f.genres & like.genres
        if genres:
            weight = GENRES * sum(index.genre_weight.get(g, 0.0) for g in genres)
            score += weight
            ordered = sorted(genres, key=lambda g: (-index.genre_weight.get(g, 0.0), g))
            if len(genres) >= 2:
                reasons.append((min(weight, LEAD - 0.1), f"shares {_titled(ordered[:3])} with {name}"))
        if f.networks & like.networks:
            score += NETWORK
            spelled = [
                n for n in (shows[f.show_id].networks if f.show_id in shows else ()) if n.casefold() in like.networks
            ]
            reasons.append((NETWORK, f"also on {spelled[0] if spelled else 'the same network'}"))
        if f.year and like.year and abs(f.year - like.year) <= ERA_YEARS:
            score += ERA
            reasons.append((ERA / 2, f"same era ({f.year})"))
    reasons.sort(key=lambda r: -r[0])
    texts = list(dict.fromkeys(text for _, text in reasons))[:3]
    if f.rating and f.rating >= 8.0 and len(texts) < 3:
        texts.append(f"rated {f.rating:.1f}")
    return Pick(f.show_id, score, tuple(texts) or ("popular",))


def _by_standing(index: RecommendIndex, request: Request, allowed: _Admit, shows: Mapping[int, Show]) -> list[Pick]:
    """Without a liked show: the best-rated, most popular shows the filters admit."""
    best: list[int] = []
    for show_id in index.by_standing:  # best first: usually only the first few are read
        if allowed(show_id):
            best.append(show_id)
            if len(best) == request.limit:
                break
    picks = []
    for show_id in best:
        f = index.features[show_id]
        reasons = []
        if f.popularity is not None:
            reasons.append(f"popular (#{f.popularity})")
        if f.rating:
            reasons.append(f"rated {f.rating:.1f}")
        matched = _filter_reason(request.filters, shows[show_id] if show_id in shows else None)
        picks.append(Pick(show_id, index.standing[show_id], tuple([*matched, *reasons]) or ("in the catalog",)))
    return picks


def _filter_reason(filters: Filters, show: Show | None) -> list[str]:
    if show is None or filters.empty:
        return []
    parts = []
    for wanted in (filters.genre, filters.tag):
        if wanted:
            parts.append(next((g for g in show.genres if g.casefold() == wanted), wanted))
    if filters.network:
        parts.append("on " + next((n for n in show.networks if filters.network in n.casefold()), filters.network))
    if filters.years and show.year:
        parts.append(str(show.year))
    return [", ".join(parts)] if parts else []


def _names(ids: Collection[int], people: Mapping[int, Person]) -> str:
    names = sorted(people[i].name for i in ids if i in people)
    return " and ".join(names[:2]) if names else "the same person"


def _titled(words: Sequence[str]) -> str:
    return ", ".join(w.title() for w in words)
