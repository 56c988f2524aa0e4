"""What a list entry may hold, and how adding to it and moving through a show change it (pure)."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable, Mapping
from dataclasses import dataclass

from bot.errors import InvalidInput
from bot.models import ListEntry, Show, WatchStatus

SCORE_RANGE = (1, 10)
MAX_EPISODE = 10_000
# What a user may type or pick for a status; the choices Discord offers send the canonical value.
STATUS_WORDS: dict[str, WatchStatus] = {
    "watching": WatchStatus.WATCHING,
    "completed": WatchStatus.COMPLETED,
    "complete": WatchStatus.COMPLETED,
    "plan to watch": WatchStatus.PLAN_TO_WATCH,
    "plan_to_watch": WatchStatus.PLAN_TO_WATCH,
    "plan": WatchStatus.PLAN_TO_WATCH,
    "on hold": WatchStatus.ON_HOLD,
    "on_hold": WatchStatus.ON_HOLD,
    "dropped": WatchStatus.DROPPED,
}
STATUS_NAMES = ", ".join(s.label for s in WatchStatus)


def parse_status(text: str) -> WatchStatus:
    """Read a status as typed ("plan to watch", "on_hold"), or raise InvalidInput naming the five."""
    status = STATUS_WORDS.get(" ".join(text.replace("-", " ").split()).casefold())
    if status is None:
        raise InvalidInput(f"“{text[:40]}” is not a list status; use one of: {STATUS_NAMES}.")
    return status


def check_score(score: int | None) -> int | None:
    low, high = SCORE_RANGE
    if score is not None and not low <= score <= high:
        raise InvalidInput(f"A score is a whole number from {low} to {high}.")
    return score


def check_episode(episode: int, show: Show) -> int:
    """Return `episode` if the show has it (0: none watched yet), or raise InvalidInput."""
    if episode < 0 or episode > MAX_EPISODE:
        raise InvalidInput("An episode number is a whole number from 0 up.")
    if show.episode_count and episode > show.episode_count:
        raise InvalidInput(f"{show.title} has {show.episode_count} episodes; pick one from 0 to {show.episode_count}.")
    return episode


def added(
    existing: ListEntry | None,
    *,
    user_id: int,
    show: Show,
    status: WatchStatus | None,
    episode: int | None,
    score: int | None,
) -> ListEntry:
    """The entry after `/list add`: what was given replaces what was there; a completed show counts every episode."""
    check_score(score)
    if episode is not None:
        check_episode(episode, show)
    base = existing or ListEntry(user_id=user_id, show_id=show.id, status=WatchStatus.PLAN_TO_WATCH)
    chosen = status or (WatchStatus.WATCHING if episode else base.status)
    watched = episode if episode is not None else base.episode
    if chosen is WatchStatus.COMPLETED and episode is None and show.episode_count:
        watched = show.episode_count
    return dataclasses.replace(
        base, status=chosen, episode=watched, score=score if score is not None else base.score, guild_id=show.guild_id
    )


@dataclass(frozen=True, slots=True)
class Progress:
    entry: ListEntry
    offer_completion: bool  # the last episode was reached but the show is not marked completed


def progressed(entry: ListEntry, show: Show, episode: int) -> Progress:
    """The entry after watching up to `episode`: one not begun is now watching; the last episode offers to complete."""
    check_episode(episode, show)
    status = entry.status
    if episode > 0 and status in (WatchStatus.PLAN_TO_WATCH, WatchStatus.ON_HOLD):
        status = WatchStatus.WATCHING
    updated = dataclasses.replace(entry, episode=episode, status=status)
    last = bool(show.episode_count) and episode == show.episode_count
    return Progress(updated, offer_completion=last and status is not WatchStatus.COMPLETED)


def visible_entries(
    entries: Iterable[ListEntry], shows: Mapping[int, Show], guild_id: int | None
) -> list[tuple[ListEntry, Show]]:
    """The entries whose show is in the catalog and may be seen here: a server's own show only in that server."""
    found: list[tuple[ListEntry, Show]] = []
    for entry in entries:
        show = shows.get(entry.show_id)
        if show is None or (show.guild_id is not None and show.guild_id != guild_id):
            continue
        found.append((entry, show))
    return found
