"""Which reminder DMs fall due: one per (user, show, episode) for the shows a user watches or plans to watch (pure).

They are planned with the channel announcements, from the same airings, and stored in the same outbox
(bot/announce/outbox.py), which delivers them exactly once. A reminder's row names no server (guild 0) and keeps
the user's id as its channel: the DM channel is opened when it is sent, and Discord gives the same one every time.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from bot.announce.plan import Airing
from bot.models import Due, ListOwner

REMINDER_GUILD = 0


def plan_reminders(
    subscriptions: Iterable[tuple[ListOwner, frozenset[int]]], airings: Sequence[Airing]
) -> list[tuple[Due, ListOwner]]:
    """Return each reminder due among `airings` with its owner (paused ones too: stored as held)."""
    by_show: dict[int, list[Airing]] = {}
    for airing in airings:
        by_show.setdefault(airing.show_id, []).append(airing)
    planned: list[tuple[Due, ListOwner]] = []
    for owner, shows in subscriptions:
        if not owner.reminders:
            continue
        for show_id in sorted(shows):
            for airing in by_show.get(show_id, ()):
                if owner.reminders_since is not None and airing.due_at < owner.reminders_since:
                    continue  # aired before reminders were turned on
                due = Due(
                    guild_id=REMINDER_GUILD, show_id=show_id, episode=airing.episode, kind=airing.kind,
                    due_at=airing.due_at, air_at=airing.air_at, time_known=airing.time_known,
                    channel_id=owner.user_id, total=airing.total, user_id=owner.user_id,
                )  # fmt: skip
                planned.append((due, owner))
    return planned
