"""How answers are said: the `Answer` record, names and dates as the catalog spells them, and honest refusals."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeAlias
from zoneinfo import ZoneInfo

from bot import schedule
from bot.ask.names import Context, NameMatch
from bot.cards import local_clock
from bot.models import Person, Show

SEOUL = ZoneInfo("Asia/Seoul")
LIST_LIMIT = 8  # shows or people named in one answer before "and N more"


@dataclass(frozen=True, slots=True)
class Answer:
    """What to tell the asker: the text, what was understood, and which catalog entries it rests on."""

    text: str
    intent: str
    found: bool
    show_ids: tuple[int, ...] = ()
    person_ids: tuple[int, ...] = ()
    alternatives: tuple[str, ...] = ()


# A rule's handler: the question's context and the rule's named groups in, an answer out.
Handler: TypeAlias = Callable[[Context, dict[str, str]], Answer]
ShowBody: TypeAlias = Callable[[Context, Show, NameMatch], Answer]
PersonBody: TypeAlias = Callable[[Context, Person], Answer]


def label(show: Show) -> str:
    """Return the show's title with its year, which tells apart shows of one title."""
    return f"{show.title} ({show.year})" if show.year else show.title


def listed(items: list[str], limit: int = LIST_LIMIT) -> str:
    """Join items as a sentence does ("a, b and c"), naming at most `limit` of them."""
    if len(items) > limit:
        shown = items[:limit]
        return ", ".join(shown) + f" and {len(items) - limit} more"
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def iso_day(day: dt.date) -> str:
    """Return a date as answers write it."""
    return day.isoformat()


def korea_today(now: dt.datetime) -> dt.date:
    """Return the date in Korea at `now`: broadcast days are Korean days."""
    return now.astimezone(SEOUL).date()


def timestamps(moment: dt.datetime, show: Show | None = None) -> str:
    """Return a moment as Discord timestamps, full and relative, so each reader sees their own time zone.

    With the show, also the broadcast's own time ("Tue 08:34 KST"): the reader's weekday may be another one,
    and the show's air days are its own.
    """
    own = f"; {local_clock(show, moment, '%a %H:%M')}" if show is not None else ""
    return f"{schedule.discord_timestamp(moment, 'F')} ({schedule.discord_timestamp(moment, 'R')}{own})"


def air_moment(episode: schedule.ScheduledEpisode, show: Show | None = None) -> str:
    """Return an exact air time as Discord timestamps (and the show's own time), or the date when that is all."""
    if episode.time_known:
        return timestamps(episode.air_at, show)
    return f"{iso_day(episode.air_date)} (Korea date)"


def assumed_show(ctx: Context, match: NameMatch) -> tuple[str, tuple[str, ...]]:
    """Return a lead-in naming the show that was assumed, and the others, when the match was not sure."""
    if match.sure:
        return "", ()
    others = tuple(label(ctx.catalog.shows[i]) for i in match.others[:4])
    if not others:
        return f"(I assumed you meant {label(ctx.show(match))}.) ", ()
    return f"(I assumed you meant {label(ctx.show(match))}; you might also mean {listed(list(others))}.) ", others


def assumed_person(ctx: Context, match: NameMatch) -> tuple[str, tuple[str, ...]]:
    """Return a lead-in naming the person who was assumed, and the others, when the match was not sure."""
    if match.sure or not match.others:
        return "", ()
    others = tuple(ctx.catalog.people[i].name for i in match.others[:4])
    return f"(I assumed you meant {ctx.person(match).name}; you might also mean {listed(list(others))}.) ", others


def decline(intent: str, text: str, *, shows: tuple[int, ...] = (), people: tuple[int, ...] = ()) -> Answer:
    """Return an answer that says the catalog does not know, naming what it did find."""
    return Answer(text, intent, False, shows, people)


def no_show(intent: str, span: str, nearest: tuple[str, ...] = ()) -> Answer:
    """Return the refusal for a drama the catalog does not hold, with the nearest titles it does."""
    named = f" “{span.strip()}”" if span.strip() else ""
    if nearest:
        return decline(
            intent, f"I could not find the drama{named} in the catalog; the nearest titles are {listed(list(nearest))}."
        )
    return decline(intent, f"I could not find the drama{named} in the catalog; try /drama with its title.")


def no_person(intent: str, span: str) -> Answer:
    """Return the refusal for a person the catalog does not hold."""
    named = f" “{span.strip()}”" if span.strip() else ""
    return decline(intent, f"I could not find anyone called{named} in the catalog; try /person with their name.")


def _with_lead(result: Answer, lead: str, others: tuple[str, ...]) -> Answer:
    if not lead:
        return result
    return dataclasses.replace(result, text=lead + result.text, alternatives=others)


def about_show(intent: str, body: ShowBody) -> Handler:
    """Wrap a handler that needs one show: resolve it, say so when it is missing, note an assumption."""

    def handler(ctx: Context, groups: dict[str, str]) -> Answer:
        span = groups.get("show", "")
        match = ctx.find_show(span)
        if match is None:
            return no_show(intent, span, ctx.show_suggestions[:3])
        return _with_lead(body(ctx, ctx.show(match), match), *assumed_show(ctx, match))

    return handler


def about_person(intent: str, body: PersonBody) -> Handler:
    """Wrap a handler that needs one person: resolve them, say so when they are missing, note an assumption."""

    def handler(ctx: Context, groups: dict[str, str]) -> Answer:
        span = groups.get("person", "")
        match = ctx.find_person(span)
        if match is None:
            return no_person(intent, span)
        return _with_lead(body(ctx, ctx.person(match)), *assumed_person(ctx, match))

    return handler
