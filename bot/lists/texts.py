"""What users read about their lists, reminders and recommendations, built as plain `Card`s and sentences."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence

from bot import schedule
from bot.cards import FIELD_LIMIT, TITLE_LIMIT, Card, Field, air_time_text, card_link, episode_line
from bot.models import AnnouncementKind, ListEntry, ListOwner, ServerFavourite, Show, WatchStatus
from bot.recommend import Pick

DESCRIPTION_LIMIT = 4000  # Discord allows 4,096 characters in an embed's description
REMINDER_FOOTER = "Dramabot reminder · /remind off stops these"
LIST_PAGE = 25


def entry_line(entry: ListEntry, show: Show) -> str:
    """ "**Goblin** (2016) · watching · episode 3 of 16 · 9/10" """
    title = f"**{show.title}** ({show.year})" if show.year else f"**{show.title}**"
    parts = [title, entry.status.label]
    if entry.episode and entry.status is not WatchStatus.COMPLETED:
        parts.append(
            f"episode {entry.episode} of {show.episode_count}" if show.episode_count else f"episode {entry.episode}"
        )
    if entry.score is not None:
        parts.append(f"{entry.score}/10")
    return " · ".join(parts)


def list_card(
    owner_name: str, entries: Sequence[tuple[ListEntry, Show]], *, status: WatchStatus | None, shared: bool
) -> Card:
    """A user's list, grouped by status (or one status), within an embed's limits."""
    title = f"{owner_name}'s list" + (f": {status.label}" if status else "")
    if not entries:
        empty = f"Nothing {status.label} on this list." if status else "This list is empty; add a drama with /list add."
        return Card(title=title[:TITLE_LIMIT], description=empty)
    lines: list[str] = []
    for group in WatchStatus:
        chosen = [(e, s) for e, s in entries if e.status is group]
        if not chosen:
            continue
        if status is None:
            lines.append(f"__{group.label.capitalize()}__ ({len(chosen)})")
        lines += [entry_line(e, s) for e, s in sorted(chosen, key=lambda pair: pair[1].title.casefold())]
    footer = "Shared: others can see it with /list show user:" if shared else "Private: only you can see it"
    return Card(title=title[:TITLE_LIMIT], description=_fit_lines(lines, DESCRIPTION_LIMIT), footer=footer)


def reminder_card(
    show: Show, *, episode: int, total: int | None, air_at: dt.datetime, time_known: bool, reference: str
) -> Card:
    """The reminder DM: which episode, when (a live countdown in the reader's zone), and a reference to find it."""
    kind = AnnouncementKind.PREMIERE if episode == 1 else AnnouncementKind.EPISODE
    air_date = air_at.astimezone(schedule.show_zone(show)).date()
    which = episode_line(episode, total, kind)
    what = "premieres" if kind is AnnouncementKind.PREMIERE else f"airs episode {episode}"
    when = schedule.discord_timestamp(air_at, "R") if time_known else "today"
    description = f"**{show.title}** {what} {when}. You have it on your list."
    fields = [Field("Episode", which, inline=True)]
    if show.networks:
        fields.append(Field("Network", ", ".join(show.networks)[:FIELD_LIMIT], inline=True))
    fields.append(Field("Airs", air_time_text(air_at, time_known, air_date, show.timezone)))
    url = card_link(show)
    title = f"{show.title} ({show.hangul_title})" if show.hangul_title else show.title
    return Card(
        title=title[:TITLE_LIMIT], description=description, fields=tuple(fields), url=url,
        footer=f"{REMINDER_FOOTER} · {reference}", links=(("Show page", url),) if url else (),
    )  # fmt: skip


def remind_status_text(owner: ListOwner, reminded: int, counts: Mapping[str, int]) -> str:
    if not owner.reminders:
        return "Reminders are off; /remind on sends you a DM when an episode on your list airs."
    state = f"paused: {owner.paused_reason}. /remind on resumes them" if owner.paused_reason else "on"
    sent = counts.get("sent", 0)
    waiting = counts.get("pending", 0) + counts.get("claimed", 0) + counts.get("held", 0)
    return (
        f"Reminders are {state}. They cover {reminded} show{'s' if reminded != 1 else ''} you are watching or plan "
        f"to watch; {sent} sent so far, {waiting} waiting."
    )


def pause_notice(reason: str) -> str:
    return (
        f"Your episode reminders are paused: {reason}. Allow direct messages from this server's members "
        "(or from me), then run /remind on."
    )


def recommend_card(picks: Sequence[Pick], shows: Mapping[int, Show], *, based_on: str) -> Card:
    """Up to five picks, each with its reasons."""
    if not picks:
        return Card(
            title="No recommendation", description=f"Nothing in the catalog fits {based_on}; try fewer filters."
        )
    fields = []
    for number, pick in enumerate(picks, 1):
        show = shows[pick.show_id]
        name = f"{number}. {show.title}" + (f" ({show.year})" if show.year else "")
        reasons = "; ".join(pick.reasons)
        fields.append(Field(name[:256], (reasons[:1].upper() + reasons[1:])[:FIELD_LIMIT]))
    return Card(title="You might like", description=f"Based on {based_on}.", fields=tuple(fields))


def favourites_card(server: str, favourites: Sequence[ServerFavourite], shows: Mapping[int, Show]) -> Card:
    title = f"{server}'s favourites"[:TITLE_LIMIT]
    if not favourites:
        return Card(
            title=title,
            description="No drama has three scores yet from members who share their lists (/list share on).",
        )
    lines = [
        f"{rank}. **{shows[f.show_id].title}**: {f.average:.1f}/10 from {f.scores} scores"
        for rank, f in enumerate(favourites, 1)
        if f.show_id in shows
    ]
    return Card(title=title, description=_fit_lines(lines, DESCRIPTION_LIMIT),
                footer="Average scores of members who share their lists, three scores or more")  # fmt: skip


def _fit_lines(lines: Sequence[str], limit: int) -> str:
    kept: list[str] = []
    total = 0
    for line in lines:
        if total + len(line) + 1 > limit - 12:
            kept.append(f"and {len(lines) - len(kept)} more")
            break
        kept.append(line)
        total += len(line) + 1
    return "\n".join(kept)
