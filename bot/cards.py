"""What a show or a person looks like on a card: built here as plain data, drawn by Discord or a terminal."""

from __future__ import annotations

import datetime as dt
import re
import textwrap
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, replace
from zoneinfo import ZoneInfo

from bot import limits, schedule
from bot.catalog import Catalog
from bot.models import (
    SEOUL,
    AnnouncementKind,
    AnnounceMode,
    Credit,
    CreditKind,
    Due,
    GuildAnnounceSettings,
    OutboxItem,
    Person,
    Role,
    Show,
    Status,
)
from bot.schedule import discord_timestamp

NO_DETAILS = "No year, network, episode count or air dates in the catalog yet."
SEED_SOURCE = "Catalog facts compiled from public listings of MyDramaList, TMDB, Wikipedia and Daum"
LOCAL_SOURCE = "Added by this server's admins"
# Discord's embed limits, from bot/limits.py (a field value holds 1,024 characters; a whole embed 6,000).
FIELD_LIMIT = limits.FIELD_VALUE
TITLE_LIMIT = limits.EMBED_TITLE

STATUS_LABELS = {
    Status.UPCOMING: "Upcoming",
    Status.AIRING: "Airing",
    Status.FINISHED: "Finished",
    Status.UNKNOWN: "Unknown",
}


@dataclass(frozen=True, slots=True)
class Field:
    name: str
    value: str
    inline: bool = False


@dataclass(frozen=True, slots=True)
class Card:
    title: str
    description: str = ""
    fields: tuple[Field, ...] = ()
    image_url: str | None = None
    footer: str = ""
    links: tuple[tuple[str, str], ...] = ()  # (label, url): link buttons under the card
    url: str | None = None  # where the title links to


def show_card(catalog: Catalog, show: Show, *, now: dt.datetime) -> Card:
    """Build the card that answers /drama: facts, dates, crew and cast, within Discord's limits."""
    airing = catalog.schedule_of(show)
    status = airing.status_at(now) if airing else Status.UNKNOWN
    title = show.title if not show.hangul_title else f"{show.title} ({show.hangul_title})"
    summary = [str(show.year) if show.year else None, " / ".join(show.networks) or None]
    if show.episode_count:
        summary.append(plural(show.episode_count, "episode"))
    if status is not Status.UNKNOWN:  # "Unknown" alone would read as if the show itself were unknown
        summary.append(STATUS_LABELS[status])
    fields: list[Field] = []
    if show.premiere:
        aired = show.premiere.isoformat()
        if show.finale and show.finale != show.premiere:
            aired += f" to {show.finale.isoformat()}"
        fields.append(Field("Aired" if status is Status.FINISHED else "Airs from", aired, inline=True))
    airs = _air_slot(show, airing, now)
    if airs:
        fields.append(Field("Air days", airs, inline=True))
    if show.genres:
        fields.append(Field("Genres", ", ".join(show.genres), inline=True))
    if show.rating is not None:
        fields.append(Field("Rating", f"{show.rating:.1f} / 10", inline=True))
    if show.content_rating:
        fields.append(Field("Content rating", show.content_rating, inline=True))
    for kind, label in ((CreditKind.DIRECTOR, "Director"), (CreditKind.WRITER, "Screenwriter")):
        names = [c.person_name for c in catalog.credits_of_show(show.id, kind)]
        if names:
            fields.append(Field(label + ("s" if len(names) > 1 else ""), _fit(", ".join(names)), inline=True))
    cast = catalog.credits_of_show(show.id, CreditKind.CAST)
    main = [c for c in cast if c.role is Role.MAIN]
    support = [c for c in cast if c.role is not Role.MAIN]
    if main:
        fields.append(Field("Main cast", _fit_lines(cast_line(c) for c in main)))
    if support:
        fields.append(Field("Supporting cast", _fit_lines(cast_line(c) for c in support)))
    links = []
    if show.tmdb_id:
        links.append(("TMDB", f"https://www.themoviedb.org/tv/{show.tmdb_id}"))
    if show.tvmaze_id:
        links.append(("TVmaze", f"https://www.tvmaze.com/shows/{show.tvmaze_id}"))
    footer = LOCAL_SOURCE if show.guild_id else SEED_SOURCE
    if show.tvmaze_id:
        footer += "; schedule data from TVmaze (CC BY-SA)"
    return Card(
        title=title[:TITLE_LIMIT],
        description=(" · ".join(part for part in summary if part) or NO_DETAILS)
        + (f"\n\n{show.synopsis}" if show.synopsis else ""),
        fields=tuple(fields),
        image_url=show.poster_url,
        footer=footer,
        links=tuple(links),
    )


# -- episodes, countdowns and announcements ---------------------------------------------------------------


def episode_line(episode: int, total: int | None, kind: AnnouncementKind | str) -> str:
    """Say which episode: "Premiere · Episode 1 of 16", "Episode 3 of 16", or "Episode 3" when the count is unknown."""
    line = f"Episode {episode} of {total}" if total else f"Episode {episode}"
    return f"Premiere · {line}" if str(kind) == AnnouncementKind.PREMIERE else line


def air_time_text(air_at: dt.datetime, time_known: bool, air_date: dt.date, timezone: str) -> str:
    """Show an exact time as Discord timestamps; a date-only episode as its local date, never a made-up time."""
    if time_known:
        return f"{discord_timestamp(air_at, 'F')} ({discord_timestamp(air_at, 'R')})"
    return f"{air_date:%A %d %B %Y} ({timezone} date; air time not announced)"


def card_link(show: Show) -> str | None:
    """The show's public card: TMDB when known, else TVmaze."""
    if show.tmdb_id:
        return f"https://www.themoviedb.org/tv/{show.tmdb_id}"
    if show.tvmaze_id:
        return f"https://www.tvmaze.com/shows/{show.tvmaze_id}"
    return None


def announcement_text(
    show: Show,
    *,
    episode: int,
    total: int | None,
    kind: AnnouncementKind | str,
    air_at: dt.datetime,
    time_known: bool,
    sample: bool = False,
    reference: str | None = None,
) -> Card:
    """Build the announcement embed's text for one episode of `show`.

    `reference` (e.g. "ref 3f9c2a71b8d0") ends the footer: Discord returns it when the channel is read, so the bot
    can tell whether an announcement it lost track of (a crash, a timeout) is already posted.
    """
    title = f"{show.title} ({show.hangul_title})" if show.hangul_title else show.title
    air_date = air_at.astimezone(schedule.show_zone(show)).date()
    fields = [Field("Episode", episode_line(episode, total, kind), inline=True)]
    if show.networks:
        fields.append(Field("Network", _fit(", ".join(show.networks)), inline=True))
    fields.append(Field("Airs", air_time_text(air_at, time_known, air_date, show.timezone)))
    which = f"episode {episode} of {total}" if total else f"episode {episode}"
    premiere = str(kind) == AnnouncementKind.PREMIERE
    description = f"**{show.title}** {'premieres with' if premiere else 'airs'} {which}."
    if sample:
        description = "This is a sample announcement; real ones look like this.\n" + description
    return Card(
        title=title[:TITLE_LIMIT],
        description=description,
        fields=tuple(fields),
        url=card_link(show),
        footer="Dramabot announcement" + (" (test)" if sample else "") + (f" · {reference}" if reference else ""),
    )


NO_AIR_DATES = "No upcoming air dates are known for this drama yet."
UPCOMING_PAGE_LINES = 15
UPCOMING_ZONE = ZoneInfo(SEOUL)  # /upcoming groups days by the Korean broadcast date


def countdown_card(show: Show, airing: schedule.Schedule | None, *, now: dt.datetime) -> Card:
    """Build the /countdown card: when the premiere or next episode airs, or when the show finished."""
    title = f"{show.title} ({show.hangul_title})" if show.hangul_title else show.title
    fields = (Field("Network", ", ".join(show.networks), inline=True),) if show.networks else ()
    return Card(
        title=title[:TITLE_LIMIT],
        description="\n".join(countdown_lines(show, airing.countdown(now)) if airing else [NO_AIR_DATES]),
        fields=tuple(Field(f.name, _fit(f.value), f.inline) for f in fields),
        url=card_link(show),
    )


def countdown_lines(show: Show, countdown: schedule.Countdown) -> list[str]:
    """Say when the premiere or next episode airs, or when the show finished, with Discord timestamps."""
    c = countdown
    if c.kind is schedule.CountdownKind.UNKNOWN or c.moment is None:
        return [NO_AIR_DATES]
    which = episode_line(c.episode or 1, c.total, "episode")
    if c.kind is schedule.CountdownKind.FINISHED:
        last = f"the last episode ({c.episode} of {c.total})" if c.episode and c.total else "the last episode"
        when = discord_timestamp(c.moment, "F") if c.exact or c.air_date is None else f"on {c.air_date:%d %B %Y}"
        return [f"Finished: {last} aired {when}."]
    verb = "Premieres" if c.kind is schedule.CountdownKind.PREMIERE else "Next"
    slot = weekly_slot(show, at=c.moment)
    if c.exact:
        when = air_time_text(c.moment, True, c.moment.date(), show.timezone)
        broadcast = f"Broadcast: {local_clock(show, c.moment)}" + (f"; weekly {slot}" if slot else "")
        return [f"{verb}: {which}", f"Airs {when}", broadcast]
    day = c.air_date or c.moment.date()
    weekly = [f"Weekly: {slot}"] if slot else []
    return [f"{verb}: {which}", f"Airs on {air_time_text(c.moment, False, day, show.timezone)}", *weekly]


@dataclass(frozen=True, slots=True)
class UpcomingLine:
    """One line of /upcoming, with the Seoul date it is listed under."""

    day: dt.date
    text: str


def upcoming_line(show: Show, episode: schedule.ScheduledEpisode, total: int | None) -> UpcomingLine:
    """Say what airs: "20:50 KST (<your time>) · **Title** (network) · Episode 3 of 16", under its Seoul date."""
    day = episode.air_at.astimezone(UPCOMING_ZONE).date() if episode.time_known else episode.air_date
    if episode.time_known:
        # The show's own clock, like the day it is listed under; the weekday too when its own date is another.
        style = "%H:%M" if episode.air_date == day else "%a %H:%M"
        when = f"{local_clock(show, episode.air_at, style)} ({discord_timestamp(episode.air_at, 't')})"
    else:
        when = "time TBA"
    kind = AnnouncementKind.PREMIERE if episode.number == 1 else AnnouncementKind.EPISODE
    which = episode_line(episode.number, total, kind)
    networks = f" ({', '.join(show.networks[:2])})" if show.networks else ""
    return UpcomingLine(day, f"{when} · **{show.title}**{networks} · {which}"[:300])


def upcoming_lines(
    catalog: Catalog, *, guild_id: int | None, now: dt.datetime, days: int, network: str
) -> list[UpcomingLine]:
    """List the premieres and episodes this server can see airing in the next `days` days, optionally on one network."""
    wanted = network.casefold()
    start, end = now - dt.timedelta(days=1), now + dt.timedelta(days=days)
    found: list[tuple[schedule.ScheduledEpisode, Show, int | None]] = []
    for show in catalog.shows_airing_between(start, end):
        if not catalog.visible(show, guild_id):
            continue
        if wanted and not any(wanted in name.casefold() for name in show.networks):
            continue
        airing = catalog.schedule_of(show)
        if airing is None:
            continue
        for episode in airing.between(start, end):
            if episode.aired_by > now:
                found.append((episode, show, airing.total))
    found.sort(key=lambda item: (item[0].air_at, item[1].title, item[0].number))
    return [upcoming_line(show, episode, total) for episode, show, total in found]


def upcoming_card(lines: list[UpcomingLine], *, page: int, days: int, network: str) -> tuple[Card, int, int]:
    """Build one page of /upcoming, day headers included (repeated on a page that continues a day).

    Return the card, the page shown (clamped) and the number of pages.
    """
    pages = max(1, -(-len(lines) // UPCOMING_PAGE_LINES))
    page = min(max(page, 0), pages - 1)
    chunk = lines[page * UPCOMING_PAGE_LINES : (page + 1) * UPCOMING_PAGE_LINES]
    where = f" on {network}" if network else ""
    out: list[str] = []
    current: dt.date | None = None
    for line in chunk:
        if line.day != current:
            current = line.day
            out.append(f"\n**{line.day:%A %d %B}** (Seoul)")
        out.append(line.text)
    text = "\n".join(out).strip()[:4000] or f"Nothing airs{where} in the next {days} days."
    footer = f"Page {page + 1} of {pages} · days by Seoul date; times on each show's clock, yours in brackets"
    return (
        Card(title=f"Airing in the next {days} days{where}"[:TITLE_LIMIT], description=text, footer=footer),
        page,
        pages,
    )


def cast_line(credit: Credit) -> str:
    """ "Actor as Character", or the actor alone when the catalog has no character name."""
    return f"{credit.person_name} as {credit.character}" if credit.character else credit.person_name


def person_credit_line(credit: Credit) -> str:
    year = f" ({credit.show_premiere.year})" if credit.show_premiere else ""
    if credit.kind is CreditKind.CAST:
        part = f"as {credit.character}" if credit.character else "cast"
        if credit.role is not None and credit.role is not Role.MAIN:
            part += f" ({credit.role.value})"
    else:
        part = credit.kind.value
    return f"{credit.show_title}{year}: {part}"


def person_card(catalog: Catalog, person: Person, *, guild_id: int | None, page: int = 0, per_page: int = 10) -> Card:
    """Build one page of a person's card: names, then credits newest first (a page fits one field's 1,024)."""
    credits = catalog.credits_of_person(person.id, guild_id=guild_id)
    pages = person_pages(credits, per_page)
    page = min(max(page, 0), len(pages) - 1)
    names = [n for n in person.all_names if n != person.name]
    description = f"Also known as {', '.join(names)}" if names else ""
    fields = (Field(f"Credits ({len(credits)})", "\n".join(pages[page]) or "None in the catalog."),)
    footer = SEED_SOURCE + (f" · page {page + 1} of {len(pages)}" if len(pages) > 1 else "")
    title = person.name if not person.hangul_name else f"{person.name} ({person.hangul_name})"
    return fit_card(Card(title=title, description=description, fields=fields, footer=footer))


def person_pages(credits: Sequence[Credit], per_page: int) -> list[list[str]]:
    """A person's credit lines, split into pages of at most `per_page` lines that each fit one field."""
    return limits.pack_pages([person_credit_line(c) for c in credits], per_page=per_page) or [[]]


def fit_card(card: Card) -> Card:
    """Return `card` within every embed limit: each part cut to its own, then the whole to 6,000 characters."""
    fields = tuple(
        Field(
            limits.fit(f.name, limits.FIELD_NAME) or limits.EMPTY_FIELD,
            limits.fit(f.value, limits.FIELD_VALUE) or limits.EMPTY_FIELD,
            f.inline,
        )
        for f in card.fields[: limits.FIELDS]
    )
    fitted = replace(
        card,
        title=limits.fit(card.title, limits.EMBED_TITLE) or limits.EMPTY_FIELD,
        description=limits.fit(card.description, limits.EMBED_DESCRIPTION),
        fields=fields,
        footer=limits.fit(card.footer, limits.FOOTER),
        links=tuple((limits.label(name), url) for name, url in card.links[: limits.BUTTONS_PER_ROW]),
    )
    # Over the total: shorten the description first (the facts sit in the fields), then drop the last fields.
    over = embed_size(fitted) - limits.EMBED_TOTAL
    if over > 0 and fitted.description:
        fitted = replace(fitted, description=limits.fit(fitted.description, max(len(fitted.description) - over, 0)))
    while embed_size(fitted) > limits.EMBED_TOTAL and fitted.fields:
        fitted = replace(fitted, fields=fitted.fields[:-1])
    return fitted


def embed_size(card: Card) -> int:
    """The characters Discord counts against an embed's 6,000: title, description, fields and footer."""
    return (
        len(card.title)
        + len(card.description)
        + len(card.footer)
        + sum(len(f.name) + len(f.value) for f in card.fields)
    )


def _air_slot(show: Show, airing: schedule.Schedule | None, now: dt.datetime) -> str:
    """The weekly slot on the show's own clock, then the next airing as a timestamp each reader sees in their zone."""
    upcoming = airing.next_after(now) if airing else None
    slot = weekly_slot(show, at=upcoming.air_at if upcoming else now)
    if not slot or upcoming is None:
        return slot
    if upcoming.time_known:
        return f"{slot}\nnext {discord_timestamp(upcoming.air_at, 'f')} ({discord_timestamp(upcoming.air_at, 'R')})"
    return f"{slot}\nnext on {upcoming.air_date:%a %d %B %Y}"


# -- the show's own clock: its air days and local time, with its zone named ---------------------------------


def zone_label(show: Show, at: dt.datetime) -> str:
    """Name the show's time zone as people write it at `at` ("KST"), or by its IANA name when it has no letters."""
    try:
        name = at.astimezone(schedule.show_zone(show)).tzname() or ""
    except ValueError:
        return show.timezone
    return name if name.isalpha() else show.timezone  # zoneinfo writes "+07" where a zone has no abbreviation


def and_list(items: Sequence[str]) -> str:
    """Join short items as a schedule does: "Tue & Wed", "Mon, Tue & Wed"."""
    return " & ".join(items) if len(items) <= 2 else ", ".join(items[:-1]) + " & " + items[-1]


def weekly_slot(show: Show, *, at: dt.datetime) -> str:
    """Say when a show airs each week on its own clock: "Tue & Wed 20:50 KST"; "" when its air days are unknown.

    The days are the broadcaster's days, so the time beside them is the broadcaster's too: mixing a reader's
    time with Seoul's weekdays puts a Tuesday 08:34 broadcast on "Tue at 23:34" for a reader in UTC.
    """
    if not show.air_days:
        return ""
    days = and_list(show.air_day_names)
    zone = zone_label(show, at)
    if show.air_time is None:
        return f"{days} ({zone})"
    return f"{days} {show.air_time:%H:%M} {zone}"


def local_clock(show: Show, moment: dt.datetime, style: str = "%a %d %B %Y %H:%M") -> str:
    """Say a moment on the show's own clock, its zone named: "Wed 03 March 2027 20:50 KST"."""
    try:
        local = moment.astimezone(schedule.show_zone(show))
    except ValueError:
        local = moment
    return f"{local.strftime(style)} {zone_label(show, moment)}"


def plural(count: int, noun: str) -> str:
    """Say "1 episode", "2 episodes"."""
    return f"{count} {noun}{'' if count == 1 else 's'}"


def _fit(text: str, limit: int = FIELD_LIMIT) -> str:
    return limits.fit(text, limit)


def _fit_lines(lines: Iterable[str], limit: int = FIELD_LIMIT) -> str:
    return limits.fit_lines(lines, limit)


_TIMESTAMP = re.compile(r"<t:(-?\d+)(?::([tTdDfFR]))?>")


def render_timestamps(text: str, *, tz: dt.tzinfo | None = None, now: dt.datetime | None = None) -> str:
    """Replace Discord timestamps with what a reader in `tz` (default: this machine's zone) would see."""

    def replace(match: re.Match[str]) -> str:
        moment = dt.datetime.fromtimestamp(int(match.group(1)), dt.UTC).astimezone(tz)
        style = match.group(2) or "f"
        if style == "R":
            return _relative(moment, now or dt.datetime.now(dt.UTC))
        formats = {"t": "%H:%M", "T": "%H:%M:%S", "d": "%Y-%m-%d", "D": "%d %B %Y",
                   "f": "%d %B %Y %H:%M", "F": "%A, %d %B %Y %H:%M"}  # fmt: skip
        return moment.strftime(formats[style]) + (f" {moment.tzname()}" if style in "tTfF" else "")

    return _TIMESTAMP.sub(replace, text)


def _relative(moment: dt.datetime, now: dt.datetime) -> str:
    seconds = (moment - now).total_seconds()
    span = abs(seconds)
    for unit, size in (("day", 86400), ("hour", 3600), ("minute", 60), ("second", 1)):
        if span >= size or unit == "second":
            count = int(span // size)
            label = plural(count, unit)
            return f"in {label}" if seconds >= 0 else f"{label} ago"
    raise AssertionError("unreachable")


def render_text(card: Card, *, tz: dt.tzinfo | ZoneInfo | None = None, width: int = 100) -> str:
    """Draw a card as plain text for a terminal."""
    lines = [card.title, "=" * min(len(card.title), width)]
    if card.description:
        lines.append(render_timestamps(card.description, tz=tz))
    for field in card.fields:
        value = render_timestamps(field.value, tz=tz)
        if "\n" not in value and len(field.name) + len(value) + 2 <= width:
            lines.append(f"{field.name}: {value}")
            continue
        body = [textwrap.fill(line, width - 2) for line in value.splitlines()]
        lines.append(f"{field.name}:")
        lines.extend("  " + line.replace("\n", "\n  ") for line in body)
    if card.image_url:
        lines.append(f"Poster: {card.image_url}")
    for label, url in card.links:
        lines.append(f"{label}: {url}")
    if card.footer:
        lines.append(f"-- {card.footer}")
    return "\n".join(lines)


# -- /announce status ------------------------------------------------------------------------------------------

MODE_LABELS = {
    AnnounceMode.PREMIERES: "premieres only",
    AnnounceMode.EPISODES: "every episode",
    AnnounceMode.FOLLOWED: "followed shows only",
}
STATUS_LOOKAHEAD = dt.timedelta(days=30)  # how far ahead /announce status lists the next announcements


def announce_status_card(
    settings: GuildAnnounceSettings,
    *,
    shows: Mapping[int, Show],
    followed: Sequence[int],
    upcoming: Sequence[Due],
    counts: Mapping[str, int],
    skipped: Sequence[OutboxItem],
    failed: Sequence[OutboxItem],
    now: dt.datetime,
    held: Sequence[OutboxItem] = (),
) -> Card:
    """Build /announce status: the server's settings, its next announcements and any delivery problem."""
    if settings.paused_reason:
        state = f"Paused since {discord_timestamp(settings.paused_at or now, 'f')}: {settings.paused_reason}"
        state += " Fix it, then run /announce channel again to resume."
    elif settings.enabled and settings.channel_id:
        state = "On"
    else:
        state = "Off"
    titles = [shows[i].title for i in followed if i in shows]
    upcoming_text = "\n".join(_due_line(shows, due) for due in upcoming)
    fields = [
        Field("Channel", f"<#{settings.channel_id}>" if settings.channel_id else "not set", inline=True),
        Field("Role to ping", f"<@&{settings.role_id}>" if settings.role_id else "nobody", inline=True),
        Field("Mode", MODE_LABELS[settings.mode], inline=True),
        Field(f"Followed shows ({len(titles)})", _fit(", ".join(titles) or "none")),
        Field("Next announcements", _fit(upcoming_text or f"none in the next {STATUS_LOOKAHEAD.days} days")),
    ]
    fields.append(Field("Delivery", delivery_counts_text(counts)))
    if held:
        name = f"Held while paused ({counts.get('held', 0)}): sent on resume if within the grace window"
        fields.append(Field(name, _fit("\n".join(f"held: {_item_label(shows, item)}" for item in held))))
    if skipped or failed:
        missed = [f"skipped: {_item_label(shows, item)}" for item in skipped]
        missed += [f"failed: {_item_label(shows, item)}: {item.error}" for item in failed]
        name = f"Missed ({counts.get('skipped', 0)} skipped, {counts.get('failed', 0)} failed)"
        fields.append(Field(name, _fit("\n".join(missed))))
    error = "none"
    if settings.last_error and settings.last_error_at:
        error = f"{discord_timestamp(settings.last_error_at, 'f')}: {settings.last_error}"
    fields.append(Field("Last delivery error", _fit(error)))
    return Card(
        title="Announcements in this server",
        description=state[:4000],
        fields=tuple(fields),
        footer=f"{plural(counts.get('sent', 0), 'announcement')} sent here so far",
    )


def delivery_counts_text(counts: Mapping[str, int]) -> str:
    """Say how a server's announcements went: "12 sent · 1 waiting · 2 held · 1 skipped · 0 failed"."""
    waiting = counts.get("pending", 0) + counts.get("claimed", 0)
    parts = [f"{counts.get('sent', 0)} sent"]
    if waiting:
        parts.append(f"{waiting} waiting")
    parts += [f"{counts.get(state, 0)} {state}" for state in ("held", "skipped", "failed")]
    return " · ".join(parts)


def _due_line(shows: Mapping[int, Show], due: Due) -> str:
    show = shows.get(due.show_id)
    title = show.title if show else f"show {due.show_id}"
    when = discord_timestamp(due.air_at, "f") if due.time_known else f"{due.due_at:%d %b %Y} (date only)"
    return f"{when} · {title} · episode {due.episode}"


def _item_label(shows: Mapping[int, Show], item: OutboxItem) -> str:
    show = shows.get(item.show_id)
    title = show.title if show else f"show {item.show_id}"
    return f"{title} episode {item.episode} (due {discord_timestamp(item.due_at, 'f')})"
