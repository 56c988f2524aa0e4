"""/recommend: up to five dramas with the reasons they were picked, and buttons for more like one or to plan it.

The scoring is bot/recommend/ (pure, deterministic); this cog gathers what the user asked and what they already
finished or dropped, and draws the picks.
"""

from __future__ import annotations

import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Dramabot
from bot.catalog import Catalog
from bot.errors import NotFound
from bot.lists.texts import recommend_card
from bot.models import ListEntry, Show, WatchStatus
from bot.recommend import Pick, Recommender, Request, make_filters
from cogs._ui import ReportingView, ShowArg, card_embed, dramabot

NONE = discord.AllowedMentions.none()
BUTTON_LABEL = 80  # Discord's limit for a button's label
SEEN = (WatchStatus.COMPLETED, WatchStatus.DROPPED)
LIKED_SCORE = 8  # completed entries scored this high make a profile when no `like` is given
PROFILE_SIZE = 5


def profile_of(entries: list[ListEntry], shows: dict[int, Show] | Any, guild_id: int | None) -> tuple[int, ...]:
    """The user's favourites: completed (or watching) dramas scored 8 or more, best and latest first."""
    liked = [
        e
        for e in entries
        if e.score is not None
        and e.score >= LIKED_SCORE
        and e.status in (WatchStatus.COMPLETED, WatchStatus.WATCHING)
        and e.show_id in shows
        and Catalog.visible(shows[e.show_id], guild_id)
    ]
    liked.sort(key=lambda e: (-(e.score or 0), e.status is not WatchStatus.COMPLETED, e.show_id))
    return tuple(e.show_id for e in liked[:PROFILE_SIZE])


def excluded(catalog: Catalog, entries: list[ListEntry], like: Show | None, *, seasons: bool) -> frozenset[int]:
    """Never offered: what the user completed or dropped, the `like` show, and (unless asked) its other seasons."""
    ids = {e.show_id for e in entries if e.status in SEEN}
    if like is not None:
        ids.add(like.id)
        if not seasons:
            ids.update(s.id for s in catalog.series_of(like.id))
    return frozenset(ids)


def _short(title: str, room: int) -> str:
    return title if len(title) <= room else title[: room - 1] + "…"


class PlanButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"rec:plan:(?P<show>\d{1,19})$"):
    """Add a pick to the clicker's own list as plan to watch."""

    def __init__(self, show_id: int, label: str = "Plan to watch") -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:BUTTON_LABEL], style=discord.ButtonStyle.secondary, custom_id=f"rec:plan:{show_id}", row=0
            )
        )
        self.show_id = show_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PlanButton:
        return cls(int(match["show"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot = dramabot(interaction)
        show = bot.catalog.shows.get(self.show_id)
        if show is None or not Catalog.visible(show, interaction.guild_id):
            raise NotFound("That drama is no longer in the catalog.")
        existing = await bot.repository.list_entry(interaction.user.id, show.id)
        if existing is not None:
            text = f"**{show.title}** is already on your list ({existing.status.label})."
        else:
            entry = ListEntry(interaction.user.id, show.id, WatchStatus.PLAN_TO_WATCH, guild_id=show.guild_id)
            await bot.repository.save_list_entries([entry])
            if interaction.guild_id is not None:
                await bot.repository.note_list_server(interaction.guild_id, interaction.user.id)
            text = f"Added **{show.title}** to your list: plan to watch."
        await interaction.response.send_message(text, ephemeral=True, allowed_mentions=NONE)


class MoreButton(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"rec:more:(?P<show>\d{1,19})$"):
    """Recommend again, like this pick, for whoever clicks (only to them)."""

    def __init__(self, show_id: int, label: str = "More like this") -> None:
        super().__init__(
            discord.ui.Button(
                label=label[:BUTTON_LABEL], style=discord.ButtonStyle.primary, custom_id=f"rec:more:{show_id}", row=1
            )
        )
        self.show_id = show_id

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> MoreButton:
        return cls(int(match["show"]))

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        bot = dramabot(interaction)
        cog = bot.get_cog("Recommendations")
        show = bot.catalog.shows.get(self.show_id)
        if not isinstance(cog, Recommendations) or show is None or not Catalog.visible(show, interaction.guild_id):
            raise NotFound("That drama is no longer in the catalog.")
        embed, view = await cog.answer(interaction.user.id, interaction.guild_id, like=show)
        await interaction.response.send_message(
            embed=embed, view=view or discord.utils.MISSING, ephemeral=True, allowed_mentions=NONE
        )


def picks_view(picks: list[Pick], shows: dict[int, Show] | Any) -> discord.ui.View | None:
    if not picks:
        return None
    view = ReportingView(timeout=None)
    for number, pick in enumerate(picks, 1):
        title = _short(shows[pick.show_id].title, 30)
        view.add_item(PlanButton(pick.show_id, f"{number}. Plan: {title}"))
    for number, pick in enumerate(picks, 1):
        title = _short(shows[pick.show_id].title, 30)
        view.add_item(MoreButton(pick.show_id, f"{number}. More like: {title}"))
    return view


class Recommendations(commands.Cog):
    def __init__(self, bot: Dramabot) -> None:
        self.bot = bot
        self.recommender = Recommender(bot.catalog)

    async def cog_load(self) -> None:
        self.bot.add_dynamic_items(PlanButton, MoreButton)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(PlanButton, MoreButton)

    async def picks(
        self,
        user_id: int,
        guild_id: int | None,
        *,
        like: Show | None = None,
        genre: str | None = None,
        tag: str | None = None,
        network: str | None = None,
        years: str | None = None,
        seasons: bool = False,
    ) -> tuple[list[Pick], str, bool]:
        """The picks, what they are based on, and whether that was the user's own list (answered privately)."""
        filters = make_filters(genre=genre, tag=tag, network=network, years=years)
        catalog = self.bot.catalog
        entries = await self.bot.repository.list_entries(user_id)
        liked: tuple[int, ...] = (like.id,) if like is not None else ()
        personal = False
        if like is not None:
            based_on = f"**{like.title}**"
        else:
            liked = profile_of(entries, catalog.shows, guild_id)
            personal = bool(liked)
            names = ", ".join(f"**{catalog.shows[i].title}**" for i in liked[:3])
            based_on = f"your favourites ({names})" if liked else "what is popular and well rated"
        if not filters.empty:
            based_on += " and your filters"
        request = Request(
            liked=liked, filters=filters, exclude=excluded(catalog, entries, like, seasons=seasons), guild_id=guild_id
        )
        return await self.recommender.recommend(request), based_on, personal or bool(entries)

    async def answer(
        self, user_id: int, guild_id: int | None, **asked: Any
    ) -> tuple[discord.Embed, discord.ui.View | None]:
        picks, based_on, _personal = await self.picks(user_id, guild_id, **asked)
        shows = self.bot.catalog.shows
        return card_embed(recommend_card(picks, shows, based_on=based_on)), picks_view(picks, shows)

    @app_commands.command(name="recommend")
    @app_commands.describe(
        like="A drama you liked: picks share its writer, director, leads, tags (optional)",
        genre="Only this genre, such as Romance or Thriller",
        tag="Only dramas with this tag, such as Medical or Time Travel",
        network="Only this network or platform, such as tvN or Netflix",
        years="Only these years: 2019, 2015-2020 or 2010s",
        seasons="Also offer other seasons of the drama you liked",
    )
    async def recommend(
        self,
        interaction: discord.Interaction[Dramabot],
        like: app_commands.Transform[Show, ShowArg] | None = None,
        genre: app_commands.Range[str, 1, 40] | None = None,
        tag: app_commands.Range[str, 1, 40] | None = None,
        network: app_commands.Range[str, 1, 40] | None = None,
        years: app_commands.Range[str, 1, 20] | None = None,
        seasons: bool = False,
    ) -> None:
        """Recommend up to five dramas, each with the reason it was picked."""
        picks, based_on, personal = await self.picks(
            interaction.user.id, interaction.guild_id, like=like, genre=genre, tag=tag, network=network, years=years,
            seasons=seasons,
        )  # fmt: skip
        shows = self.bot.catalog.shows
        await interaction.response.send_message(
            embed=card_embed(recommend_card(picks, shows, based_on=based_on)),
            view=picks_view(picks, shows) or discord.utils.MISSING,
            ephemeral=personal,
            allowed_mentions=NONE,
        )


async def setup(bot: Dramabot) -> None:
    await bot.add_cog(Recommendations(bot))
