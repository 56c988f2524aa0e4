"""/drama and /person: look shows and people up, with autocomplete as the user types."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Dramabot, ReportingView, card_embed, link_buttons, send_ephemeral
from bot.cards import person_card, show_card
from bot.catalog import Catalog
from bot.errors import InvalidInput, NotFound
from bot.models import Person, Show

QUERY_LIMIT = 100  # Discord caps option strings at 100 characters; so do we, for free-text callers too.
CHOICE_LIMIT = 25
PERSON_PAGE = 10


def checked_query(text: str) -> str:
    query = " ".join(text.split())
    if not query:
        raise InvalidInput("Type at least one letter of a title or name.")
    if len(query) > QUERY_LIMIT:
        raise InvalidInput(f"That is longer than {QUERY_LIMIT} characters; type a shorter title or name.")
    return query


def show_label(show: Show) -> str:
    """What a choice or select option shows: "Soundtrack #1 (2022) · 사운드트랙 #1", at most 100 characters."""
    label = f"{show.title} ({show.year})" if show.year else show.title
    if show.hangul_title:
        label += f" · {show.hangul_title}"
    return label[:100]


def show_choices(catalog: Catalog, current: str, guild_id: int | None) -> list[app_commands.Choice[str]]:
    text = current.strip()[:QUERY_LIMIT]
    if text:
        shows = [catalog.shows[hit.id] for hit in catalog.complete_shows(text, guild_id=guild_id, limit=CHOICE_LIMIT)]
    else:
        shows = catalog.popular_shows(guild_id=guild_id, limit=CHOICE_LIMIT)
    # The value carries the year, so two shows with one title stay apart when the user picks one.
    return [
        app_commands.Choice(
            name=show_label(show), value=(f"{show.title} ({show.year})" if show.year else show.title)[:100]
        )
        for show in shows[:CHOICE_LIMIT]
    ]


class ShowPicker(ReportingView):
    """The "did you mean" menu under a guessed card; persistent, so it keeps working after a restart."""

    def __init__(self, shows: list[Show] | None = None) -> None:
        super().__init__(timeout=None)
        options = [discord.SelectOption(label=show_label(show), value=str(show.id)) for show in (shows or [])]
        self.pick.options = options[:CHOICE_LIMIT] or [discord.SelectOption(label="-", value="0")]

    @discord.ui.select(custom_id="drama:pick", placeholder="Not this one? Pick the drama you meant")
    async def pick(self, interaction: discord.Interaction[Dramabot], select: discord.ui.Select[Any]) -> None:
        catalog = interaction.client.catalog
        show = catalog.shows.get(int(select.values[0]))
        if show is None or not catalog.visible(show, interaction.guild_id):
            raise NotFound("That drama is no longer in the catalog.")
        card = show_card(catalog, show, now=dt.datetime.now(dt.UTC))
        await interaction.response.edit_message(content=None, embed=card_embed(card), view=link_buttons(card))


class PersonPage(discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"person:(?P<person>\d+):(?P<page>\d+)"):
    """A page-turning button of a person's credits; the person and page live in the custom id."""

    def __init__(self, person_id: int, page: int, label: str, *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=label, custom_id=f"person:{person_id}:{page}", style=discord.ButtonStyle.secondary,
                disabled=disabled,
            )
        )  # fmt: skip
        self.person_id = person_id
        self.page = page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Button[Any], match: re.Match[str]
    ) -> PersonPage:
        return cls(int(match["person"]), int(match["page"]), item.label or "")

    async def callback(self, interaction: discord.Interaction[Dramabot]) -> None:
        catalog = interaction.client.catalog
        if not catalog.person_visible(self.person_id, interaction.guild_id):
            await send_ephemeral(interaction, "That person is no longer in the catalog.")
            return
        embed, view = person_message(catalog, catalog.people[self.person_id], interaction.guild_id, self.page)
        await interaction.response.edit_message(embed=embed, view=view)


def person_message(
    catalog: Catalog, person: Person, guild_id: int | None, page: int
) -> tuple[discord.Embed, discord.ui.View | None]:
    card = person_card(catalog, person, guild_id=guild_id, page=page, per_page=PERSON_PAGE)
    total = len(catalog.credits_of_person(person.id, guild_id=guild_id))
    pages = max(1, -(-total // PERSON_PAGE))
    if pages == 1:
        return card_embed(card), None
    page = min(max(page, 0), pages - 1)
    view = discord.ui.View(timeout=None)
    view.add_item(PersonPage(person.id, max(page - 1, 0), "Newer", disabled=page == 0))
    view.add_item(PersonPage(person.id, min(page + 1, pages - 1), "Older", disabled=page == pages - 1))
    return card_embed(card), view


class Lookup(commands.Cog):
    def __init__(self, bot: Dramabot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_view(ShowPicker())
        self.bot.add_dynamic_items(PersonPage)

    async def cog_unload(self) -> None:
        self.bot.remove_dynamic_items(PersonPage)

    @app_commands.command(name="drama")
    @app_commands.describe(title="The drama's title, in English or Hangul; typos are fine")
    async def drama(self, interaction: discord.Interaction[Dramabot], title: str) -> None:
        """Show a drama's card: dates, network, crew and cast."""
        catalog = self.bot.catalog
        query = checked_query(title)
        lookup = catalog.find_show(query, guild_id=interaction.guild_id)
        card = show_card(catalog, lookup.best, now=dt.datetime.now(dt.UTC))
        if lookup.sure:
            view = link_buttons(card)
            await interaction.response.send_message(embed=card_embed(card), view=view or discord.utils.MISSING)
            return
        view = link_buttons(card, ShowPicker([lookup.best, *lookup.others]))
        await interaction.response.send_message(
            content=f"I am not sure which drama you meant by “{query}”; my best guess is below.",
            embed=card_embed(card),
            view=view,
        )

    @drama.autocomplete("title")
    async def drama_title(
        self, interaction: discord.Interaction[Dramabot], current: str
    ) -> list[app_commands.Choice[str]]:
        return show_choices(self.bot.catalog, current, interaction.guild_id)

    @app_commands.command(name="person")
    @app_commands.describe(name="An actor's, director's or writer's name, romanised or in Hangul")
    async def person(self, interaction: discord.Interaction[Dramabot], name: str) -> None:
        """Show a person's credits in the catalog, newest first."""
        catalog = self.bot.catalog
        query = checked_query(name)
        lookup = catalog.find_person(query, guild_id=interaction.guild_id)
        embed, view = person_message(catalog, lookup.best, interaction.guild_id, 0)
        content = None
        if not lookup.sure:
            others = ", ".join(p.name for p in lookup.others[:4])
            content = f"I am not sure who you meant by “{query}”; best guess below" + (
                f" (others: {others})." if others else "."
            )
        await interaction.response.send_message(content=content, embed=embed, view=view or discord.utils.MISSING)

    @person.autocomplete("name")
    async def person_name(
        self, interaction: discord.Interaction[Dramabot], current: str
    ) -> list[app_commands.Choice[str]]:
        text = current.strip()[:QUERY_LIMIT]
        if not text:
            return []
        hits = self.bot.catalog.complete_people(text, guild_id=interaction.guild_id, limit=CHOICE_LIMIT)
        return [app_commands.Choice(name=hit.name[:100], value=hit.name[:100]) for hit in hits]


async def setup(bot: Dramabot) -> None:
    await bot.add_cog(Lookup(bot))
