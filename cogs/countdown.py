"""/countdown and /upcoming: when a drama's next episode airs, and what airs in the coming days."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

import discord
from discord import app_commands
from discord.ext import commands

from bot.announcer import ScheduleCache, card_link, episode_line, kind_of
from bot.app import EMBED_COLOUR, Dramabot
from bot.catalog import Catalog
from bot.errors import InvalidInput
from bot.models import SEOUL, Show
from bot.schedule import Countdown as ShowCountdown
from bot.schedule import CountdownKind, ScheduledEpisode, discord_timestamp
from cogs.lookup import checked_query, show_choices

PAGE_LINES = 15
MAX_DAYS = 30
NETWORK_LIMIT = 40
GROUP_ZONE = ZoneInfo(SEOUL)  # days are grouped by the Korean broadcast date


def date_text(day: dt.date, zone: str) -> str:
    return f"{day:%A %d %B %Y} ({zone} date; air time not announced)"


def countdown_lines(show: Show, schedule_countdown: ShowCountdown) -> list[str]:
    """Say when the premiere or next episode airs, or when the show finished, with Discord timestamps."""
    c = schedule_countdown
    if c.kind is CountdownKind.UNKNOWN or c.moment is None:
        return ["No upcoming air dates are known for this drama yet."]
    which = episode_line(c.episode or 1, c.total, "episode")
    if c.kind is CountdownKind.FINISHED:
        last = f"the last episode ({c.episode} of {c.total})" if c.episode and c.total else "the last episode"
        when = discord_timestamp(c.moment, "F") if c.exact or c.air_date is None else f"on {c.air_date:%d %B %Y}"
        return [f"Finished: {last} aired {when}."]
    verb = "Premieres" if c.kind is CountdownKind.PREMIERE else "Next"
    if c.exact:
        return [f"{verb}: {which}", f"Airs {discord_timestamp(c.moment, 'F')} ({discord_timestamp(c.moment, 'R')})"]
    day = c.air_date or c.moment.date()
    return [f"{verb}: {which}", f"Airs on {date_text(day, show.timezone)}"]


@dataclass(frozen=True, slots=True)
class UpcomingLine:
    day: dt.date
    text: str


def upcoming_lines(
    catalog: Catalog, cache: ScheduleCache, guild_id: int | None, now: dt.datetime, days: int, network: str
) -> list[UpcomingLine]:
    """Premieres and episodes airing in the next `days` days, in air order, optionally on one network."""
    wanted = network.casefold()
    end = now + dt.timedelta(days=days)
    found: list[tuple[ScheduledEpisode, Show, int | None]] = []
    for show in catalog.visible_shows(guild_id):
        if wanted and not any(wanted in name.casefold() for name in show.networks):
            continue
        schedule = cache.get(show, catalog.episodes_of(show.id))
        if schedule is None:
            continue
        for episode in schedule.between(now - dt.timedelta(days=1), end):
            if episode.aired_by > now:
                found.append((episode, show, schedule.total))
    found.sort(key=lambda item: (item[0].air_at, item[1].title, item[0].number))
    lines = []
    for episode, show, total in found:
        when = discord_timestamp(episode.air_at, "t") if episode.time_known else "time TBA"
        which = episode_line(episode.number, total, kind_of(episode.number))
        networks = f" ({', '.join(show.networks[:2])})" if show.networks else ""
        day = episode.air_at.astimezone(GROUP_ZONE).date() if episode.time_known else episode.air_date
        lines.append(UpcomingLine(day, f"{when} · **{show.title}**{networks} · {which}"[:300]))
    return lines


def upcoming_page(lines: list[UpcomingLine], page: int, days: int, network: str) -> tuple[str, int, int]:
    """Render one page, day headers included (repeated on a page that continues a day); return text, page, pages."""
    pages = max(1, -(-len(lines) // PAGE_LINES))
    page = min(max(page, 0), pages - 1)
    chunk = lines[page * PAGE_LINES : (page + 1) * PAGE_LINES]
    if not chunk:
        where = f" on {network}" if network else ""
        return f"Nothing airs{where} in the next {days} days.", 0, 1
    out: list[str] = []
    current: dt.date | None = None
    for line in chunk:
        if line.day != current:
            current = line.day
            out.append(f"\n**{line.day:%A %d %B}** (Seoul)")
        out.append(line.text)
    return "\n".join(out).strip()[:4000], page, pages


class UpcomingPage(
    discord.ui.DynamicItem[discord.ui.Button[Any]],
    template=r"upcoming:(?P<days>\d+):(?P<page>\d+):(?P<network>[^:]*)",
):
    """A page-turning button of /upcoming; the window, page and network live in the custom id."""

    def __init__(self, days: int, page: int, network: str, label: str, *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label, custom_id=f"upcoming:{days}:{page}:{network}", style=discord.ButtonStyle.secondary,
                disabled=disabled,
            )
        )  # fmt: skip
        self.days = days
        self.page = page
        self.network = network

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Button[Any], match: re.Match[str]
    ) -> UpcomingPage:
        return cls(int(match["days"]), int(match["page"]), match["network"], item.label or "")

    async def callback(self, interaction: discord.Interaction[Dramabot]) -> None:
        cog = interaction.client.get_cog("Countdown")
        assert isinstance(cog, Countdown)
        embed, view = cog.upcoming_message(interaction.guild_id, min(self.days, MAX_DAYS), self.network, self.page)
        await interaction.response.edit_message(embed=embed, view=view)


class Countdown(commands.Cog):
    def __init__(self, bot: Dramabot) -> None:
        self.bot = bot
        self.schedules = ScheduleCache()

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(UpcomingPage)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(UpcomingPage)

    @commands.Cog.listener()
    async def on_catalog_change(self, show_id: int) -> None:
        self.schedules.forget(show_id)

    @app_commands.command(name="countdown")
    @app_commands.describe(title="The drama's title, in English or Hangul; typos are fine")
    async def countdown(self, interaction: discord.Interaction[Dramabot], title: str) -> None:
        """Show how long until a drama's premiere or next episode, in your own time zone."""
        catalog = self.bot.catalog
        show = catalog.find_show(checked_query(title), guild_id=interaction.guild_id).best
        schedule = self.schedules.get(show, catalog.episodes_of(show.id))
        if schedule is None:
            lines = ["No upcoming air dates are known for this drama yet."]
        else:
            lines = countdown_lines(show, schedule.countdown(self.bot.clock.now()))
        name = f"{show.title} ({show.hangul_title})" if show.hangul_title else show.title
        embed = discord.Embed(title=name[:256], description="\n".join(lines), colour=EMBED_COLOUR, url=card_link(show))
        if show.networks:
            embed.add_field(name="Network", value=", ".join(show.networks)[:1024])
        await interaction.response.send_message(embed=embed)

    @countdown.autocomplete("title")
    async def countdown_title(
        self, interaction: discord.Interaction[Dramabot], current: str
    ) -> list[app_commands.Choice[str]]:
        return show_choices(self.bot.catalog, current, interaction.guild_id)

    def upcoming_message(
        self, guild_id: int | None, days: int, network: str, page: int
    ) -> tuple[discord.Embed, discord.ui.View | None]:
        lines = upcoming_lines(self.bot.catalog, self.schedules, guild_id, self.bot.clock.now(), days, network)
        text, page, pages = upcoming_page(lines, page, days, network)
        where = f" on {network}" if network else ""
        title = f"Airing in the next {days} days{where}"[:256]
        embed = discord.Embed(title=title, description=text, colour=EMBED_COLOUR)
        embed.set_footer(text=f"Page {page + 1} of {pages} · times in your time zone, days by Seoul date")
        if pages == 1:
            return embed, None
        view = discord.ui.View(timeout=None)
        view.add_item(UpcomingPage(days, max(page - 1, 0), network, "Earlier", disabled=page == 0))
        view.add_item(UpcomingPage(days, min(page + 1, pages - 1), network, "Later", disabled=page == pages - 1))
        return embed, view

    @app_commands.command(name="upcoming")
    @app_commands.describe(
        days="How many days ahead to look, from 1 to 30 (default 7)",
        network="Only shows on this network, such as tvN or Netflix",
    )
    async def upcoming(
        self,
        interaction: discord.Interaction[Dramabot],
        days: app_commands.Range[int, 1, MAX_DAYS] = 7,
        network: app_commands.Range[str, 1, NETWORK_LIMIT] | None = None,
    ) -> None:
        """List the premieres and episodes airing in the coming days, grouped by day."""
        name = " ".join((network or "").replace(":", " ").split())
        if len(name) > NETWORK_LIMIT:
            raise InvalidInput(f"A network name is at most {NETWORK_LIMIT} characters; type a shorter one.")
        if not 1 <= days <= MAX_DAYS:
            raise InvalidInput(f"Pick from 1 to {MAX_DAYS} days ahead.")
        embed, view = self.upcoming_message(interaction.guild_id, days, name, 0)
        await interaction.response.send_message(embed=embed, view=view or discord.utils.MISSING)


async def setup(bot: Dramabot) -> None:
    await bot.add_cog(Countdown(bot))
