"""The two questions about the asker: "what should I watch after Goblin?" (the recommender) and "what am I
watching?" (the asker's own list). The asker's list is read by the caller and handed in as an `Asker`."""

from __future__ import annotations

import weakref
from dataclasses import dataclass

from bot.ask.names import Context
from bot.ask.wording import Answer, decline, label, listed, no_show
from bot.catalog import Catalog
from bot.lists.entries import visible_entries
from bot.models import ListEntry, WatchStatus
from bot.recommend import RecommendIndex, Request, build_index, recommend

PICKS = 3
_INDEXES: weakref.WeakKeyDictionary[Catalog, tuple[int, RecommendIndex]] = weakref.WeakKeyDictionary()


@dataclass(frozen=True, slots=True)
class Asker:
    """Who asks: their list entries, and the recommender's index when the caller has one ready."""

    user_id: int
    entries: tuple[ListEntry, ...] = ()
    index: RecommendIndex | None = None


def _index(catalog: Catalog, asker: Asker | None) -> RecommendIndex:
    if asker is not None and asker.index is not None:
        return asker.index
    cached = _INDEXES.get(catalog)
    if cached is None or cached[0] != catalog.generation:  # the command line: built once, where nothing else waits
        cached = (catalog.generation, build_index(dict(catalog.shows), catalog))
        _INDEXES[catalog] = cached
    return cached[1]


def what_to_watch(ctx: Context, groups: dict[str, str], asker: Asker | None) -> Answer:
    """Recommend after a show: a few picks with their first reason, never one the asker finished or dropped."""
    span = groups.get("show", "")
    match = ctx.find_show(span)
    if match is None:
        return no_show("recommend", span, ctx.show_suggestions)
    show = ctx.show(match)
    catalog = ctx.catalog
    seen = {
        e.show_id for e in (asker.entries if asker else ()) if e.status in (WatchStatus.COMPLETED, WatchStatus.DROPPED)
    }
    seasons = {s.id for s in catalog.series_of(show.id, guild_id=ctx.guild_id)}
    exclude = frozenset(seen | seasons | {show.id})
    request = Request(liked=(show.id,), exclude=exclude, guild_id=ctx.guild_id, limit=PICKS)
    picks = recommend(_index(catalog, asker), request, catalog.shows, catalog.people)
    if not picks:
        return decline("recommend", f"I have nothing to recommend after {label(show)} yet.", shows=(show.id,))
    named = [f"{label(catalog.shows[p.show_id])} ({p.reasons[0]})" for p in picks]
    text = f"After {label(show)}, try {listed(named)}. /recommend like: {show.title} explains more picks."
    return Answer(text, "recommend", True, (show.id, *(p.show_id for p in picks)))


def my_list(ctx: Context, groups: dict[str, str], asker: Asker | None) -> Answer:
    """Say what the asker is watching, from their own list (the caller answers privately)."""
    if asker is None:
        return decline("my_list", "I can only read your list when you ask in Discord, with /ask.")
    watching = [
        (e, s)
        for e, s in visible_entries(asker.entries, ctx.catalog.shows, ctx.guild_id)
        if e.status is WatchStatus.WATCHING
    ]
    if not watching:
        return Answer("Nothing on your list is marked watching; /list add puts a drama there.", "my_list", True)
    watching.sort(key=lambda pair: pair[1].title.casefold())
    items = [
        f"{label(s)}, episode {e.episode}" + (f" of {s.episode_count}" if s.episode_count else "") for e, s in watching
    ]
    return Answer(f"You are watching {listed(items)}.", "my_list", True, tuple(s.id for _, s in watching))
