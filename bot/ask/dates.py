"""Answers about when: a show's run, its next episode, one episode, whether it ended, what airs this week.

All of it is read from the schedule and tensed against the question's `now`.
"""

from __future__ import annotations

import datetime as dt
import re

from bot import schedule
from bot.ask.names import Context, NameMatch
from bot.ask.wording import (
    SEOUL,
    Answer,
    Handler,
    about_show,
    air_moment,
    decline,
    iso_day,
    korea_today,
    label,
    listed,
    timestamps,
)
from bot.cards import local_clock, weekly_slot
from bot.models import Show, Status


def _run_text(ctx: Context, show: Show) -> str | None:
    """Return "premiered on 2022-03-23 and ended on 2022-04-13", from the schedule, tensed against now."""
    sched = ctx.schedule(show)
    first = sched.first_episode()
    today = korea_today(ctx.now)
    parts: list[str] = []
    if first is not None:
        started = first.aired_by <= ctx.now or first.air_date < today
        parts.append(f"{'premiered' if started else 'premieres'} on {air_moment(first, show)}")
    elif show.premiere:
        parts.append(f"{'premiered' if show.premiere <= today else 'premieres'} on {iso_day(show.premiere)}")
    final = sched.final_episode()
    if final is not None and first is not None and final.number != first.number and final.air_date == first.air_date:
        parts[-1] += f" with all {sched.total or final.number} episodes at once"
    elif final is not None and (first is None or final.number != first.number):
        ended = final.aired_by <= ctx.now
        parts.append(f"{'ended' if ended else 'is due to end'} on {air_moment(final, show)}")
    elif show.finale and (not show.premiere or show.finale != show.premiere):
        parts.append(f"{'ended' if show.finale < today else 'is due to end'} on {iso_day(show.finale)}")
    if not parts:
        return None
    return " and ".join(parts)


def _premiere_body(ctx: Context, show: Show, _match: NameMatch) -> Answer:
    """Answer when and where a show premiered (and ended), or premieres."""
    run = _run_text(ctx, show)
    if run is None or not (show.premiere or ctx.catalog.episodes_of(show.id)):
        return decline(
            "premiere",
            f"The catalog does not know when {show.title} premieres; try /countdown {show.title}.",
            shows=(show.id,),
        )
    where = f" on {listed(list(show.networks))}" if show.networks else ""
    for verb in ("premiered", "premieres"):
        run = run.replace(f"{verb} on", f"{verb}{where} on", 1)
    return Answer(f"{label(show)} {run}.", "premiere", True, (show.id,))


def _finale_body(ctx: Context, show: Show, _match: NameMatch) -> Answer:
    """Answer when a show ended, or is due to end."""
    sched = ctx.schedule(show)
    final = sched.final_episode()
    if final is None and not show.finale:
        status = sched.status_at(ctx.now)
        return decline(
            "finale",
            f"The catalog does not know when {show.title} ends"
            f"{' (it is still airing)' if status is Status.AIRING else ''}; try /countdown {show.title}.",
            shows=(show.id,),
        )
    if final is not None:
        ended = final.aired_by <= ctx.now
        verb = "ended" if ended else "is due to end"
        text = f"{label(show)} {verb} on {air_moment(final, show)} with episode {final.number}."
    else:
        assert show.finale is not None
        ended = show.finale < korea_today(ctx.now)
        text = f"{label(show)} {'ended' if ended else 'is due to end'} on {iso_day(show.finale)}."
    if show.premiere:
        text = text[:-1] + f" (it premiered on {iso_day(show.premiere)})."
    return Answer(text, "finale", True, (show.id,))


def _next_body(ctx: Context, show: Show, _match: NameMatch) -> Answer:
    """Answer when a show's next episode (or its premiere) airs, or that it has finished."""
    count = ctx.schedule(show).countdown(ctx.now)
    kind = count.kind
    if kind is schedule.CountdownKind.FINISHED:
        run = _run_text(ctx, show)
        tail = f": it {run}" if run else ""
        return Answer(
            f"{label(show)} has finished airing{tail}, so there is no next episode.", "next_episode", True, (show.id,)
        )
    if kind is schedule.CountdownKind.UNKNOWN or count.moment is None or count.air_date is None:
        return decline(
            "next_episode",
            f"The catalog does not know when {show.title} airs next; try /countdown {show.title}.",
            shows=(show.id,),
        )
    when = timestamps(count.moment, show) if count.exact else f"{iso_day(count.air_date)} (Korea date)"
    of = f" of {count.total}" if count.total else ""
    slot = _air_days(show, count.moment)
    if kind is schedule.CountdownKind.PREMIERE:
        return Answer(f"{label(show)} premieres on {when}.{slot}", "next_episode", True, (show.id,))
    text = f"Episode {count.episode}{of} of {label(show)} airs on {when}.{slot}"
    return Answer(text, "next_episode", True, (show.id,))


def _air_days(show: Show, at: dt.datetime) -> str:
    """Return " It airs every Sat & Sun 21:00 KST." (the show's own days and clock) when known, else nothing.

    The next airing above is a Discord timestamp, in the reader's zone; the weekly slot is in the show's, named,
    so a Tuesday-morning Seoul broadcast never reads as "premieres on Monday ... airs on Tue".
    """
    slot = weekly_slot(show, at=at)
    return f" It airs every {slot}." if slot else ""


def episode_date(ctx: Context, groups: dict[str, str]) -> Answer:
    """Answer when episode N of a show airs or aired, from the schedule: catalog rows and the weekly slot."""
    number = int(groups.get("number", "0"))

    def body(ctx: Context, show: Show, _match: NameMatch) -> Answer:
        sched = ctx.schedule(show)
        if number < 1 or (sched.total is not None and number > sched.total):
            return Answer(f"{label(show)} has only {sched.total} episodes.", "episode_date", True, (show.id,))
        for episode in sched.episodes():
            if episode.number == number:
                aired = episode.aired_by <= ctx.now
                return Answer(
                    f"Episode {number} of {label(show)} {'aired' if aired else 'airs'} on {air_moment(episode, show)}.",
                    "episode_date",
                    True,
                    (show.id,),
                )
            if episode.number > number and not sched.is_finite:
                break
        return decline(
            "episode_date",
            f"The catalog does not know when episode {number} of {show.title} airs; try /countdown {show.title}.",
            shows=(show.id,),
        )

    return about_show("episode_date", body)(ctx, groups)


def _finished_body(ctx: Context, show: Show, match: NameMatch) -> Answer:
    """Answer yes or no to "is it finished / still airing / out yet", with the dates that decide it."""
    sched = ctx.schedule(show)
    status = sched.status_at(ctx.now)
    run = _run_text(ctx, show)
    tail = f": it {run}" if run else ""
    # "Is it still airing?" and "is it finished?" want opposite yes/no words for the same fact. The title is cut
    # out first: "Crash Landing on You" must not read as "on air".
    question = ctx.question.replace(match.span, " ", 1)
    if re.search(r"\b(?:out|released|started|premiered|aired)\b", question):
        yes_when = {Status.FINISHED, Status.AIRING}  # "is it out yet?"
    elif re.search(r"\b(?:finished|done|stopped|ended|completed|over)\s+(?:airing|running)\b", question):
        yes_when = {Status.FINISHED}  # "has it finished airing?"
    elif re.search(r"\b(?:airing|ongoing|on air|running|still on|still going|on)\b", question):
        yes_when = {Status.AIRING}  # "is it still airing?"
    else:
        yes_when = {Status.FINISHED}  # "is it finished?"

    def reply(fact: str) -> Answer:
        word = "Yes" if status in yes_when else "No"
        return Answer(f"{word}, {label(show)} {fact}.", "finished", True, (show.id,))

    if status is Status.FINISHED:
        return reply(f"has finished{tail}")
    if status is Status.UPCOMING:
        return reply(f"has not started yet{tail}")
    if status is Status.AIRING:
        upcoming = sched.next_after(ctx.now)
        nxt = f"; episode {upcoming.number} airs on {air_moment(upcoming, show)}" if upcoming else ""
        return reply(f"is still airing{nxt}")
    return decline(
        "finished",
        f"The catalog does not know whether {show.title} has finished; try /countdown {show.title}.",
        shows=(show.id,),
    )


_WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _airing(days: int, intent: str) -> Handler:
    """Answer what airs in a window of `days` Korean days from today (or the day asked), on one network or all."""

    def handler(ctx: Context, groups: dict[str, str]) -> Answer:
        asked = groups.get("network") or groups.get("network_after") or ""
        only = ctx.find_network(asked) if asked else None
        if asked and only is None:
            return decline(intent, f"I do not know a network or platform called “{asked}”; ask without it.")
        today = korea_today(ctx.now)
        weekday = groups.get("weekday")
        label_today = "today"
        if weekday:  # "what airs on Friday": the next Friday, today included
            wanted = _WEEKDAY_NAMES.index(weekday[:3])
            today += dt.timedelta(days=(wanted - today.weekday()) % 7)
            label_today = f"on {today.strftime('%A')}"
        elif groups.get("tomorrow"):
            today += dt.timedelta(days=1)
            label_today = "tomorrow"
        last = today + dt.timedelta(days=days - 1)
        start = dt.datetime.combine(today, dt.time(0), SEOUL)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), SEOUL)
        found: list[tuple[tuple[bool, int, dt.datetime], str, int]] = []
        for show in ctx.catalog.visible_shows(ctx.guild_id):
            if only is not None and only not in show.networks:
                continue
            # Only shows whose run can overlap the window: building every schedule would be wasted work.
            if show.premiere is None or show.premiere > last + dt.timedelta(days=1):
                continue
            if show.finale is not None and show.finale < today - dt.timedelta(days=1):
                continue
            sched = ctx.catalog.schedule_of(show)
            if sched is None:
                continue
            episodes = sched.between(start, end)
            episodes = [e for e in episodes if today <= e.air_date <= last]
            if not episodes:
                continue
            numbers = ", ".join(str(e.number) for e in episodes[:3]) + ("…" if len(episodes) > 3 else "")
            network = f", {only or show.networks[0]}" if show.networks else ""
            first = episodes[0].air_at
            when = f", {local_clock(show, first, '%H:%M')} = {schedule.discord_timestamp(first, 't')}" \
                if episodes[0].time_known else ""  # fmt: skip
            line = f"{show.title} (ep {numbers}{network}{when})"
            found.append(((show.popularity_rank is None, show.popularity_rank or 0, episodes[0].air_at), line, show.id))
        window = (
            f"{label_today} ({iso_day(today)}, Korea time)"
            if days == 1
            else f"this week ({iso_day(today)} to {iso_day(last)}, Korea time)"
        )
        if only is not None:
            window = f"on {only} {window}"
        if not found:
            return decline(
                intent,
                f"No drama in the catalog has an episode {window}; /upcoming lists what airs next, "
                "and /countdown when a particular drama does.",
            )
        found.sort()
        lines = [line for _, line, _ in found]
        return Answer(
            f"Airing {window}, most popular first: {listed(lines, 12)}.", intent, True, tuple(i for _, _, i in found)
        )

    return handler


premiere: Handler = about_show("premiere", _premiere_body)
finale: Handler = about_show("finale", _finale_body)
next_episode: Handler = about_show("next_episode", _next_body)
finished: Handler = about_show("finished", _finished_body)
airing_today: Handler = _airing(1, "airing_today")
airing_week: Handler = _airing(7, "airing_week")
