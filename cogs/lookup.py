"""/drama and /person: look shows and people up, with autocomplete as the user types."""

from __future__ import annotations

from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import Dramabot
from bot.cards import person_card, person_pages, show_card
from bot.catalog import Lookup as Found
from bot.errors import NotFound
from bot.models import Person, Show
from cogs._ui import (
    CHOICE_LIMIT,
    PageButton,
    PersonLookupArg,
    ReportingView,
    ShowLookupArg,
    card_embed,
    dramabot,
    link_buttons,
    page_buttons,
    show_label,
)

PERSON_PAGE = 10


class ShowPicker(ReportingView):
    """The "did you mean" menu under a guessed card; persistent, so it keeps working after a restart."""

    def __init__(self, shows: list[Show] | None = None) -> None:
        super().__init__(timeout=None)
        # A registered persistent copy has no shows; its placeholder option is replaced in every real message.
        for show in (shows or [])[:CHOICE_LIMIT]:
            self.pick.append_option(discord.SelectOption(label=show_label(show), value=str(show.id)))
        if not shows:
            self.pick.append_option(discord.SelectOption(label="-", value="0"))

    @discord.ui.select(custom_id="drama:pick", placeholder="Not this one? Pick the drama you meant")
    async def pick(self, interaction: discord.Interaction[Any], select: discord.ui.Select[Any]) -> None:
        bot = dramabot(interaction)
        show = bot.catalog.shows.get(int(select.values[0]))
        if show is None or not bot.catalog.visible(show, interaction.guild_id):
            raise NotFound("That drama is no longer in the catalog.")
        card = show_card(bot.catalog, show, now=bot.clock.now())
        await interaction.response.edit_message(content=None, embed=card_embed(card), view=link_buttons(card))


class Lookup(commands.Cog):
    page_kind = "person"

    def __init__(self, bot: Dramabot) -> None:
        self.bot = bot

    async def cog_load(self) -> None:
        self.bot.add_view(ShowPicker())
        self.bot.add_dynamic_items(PageButton)  # shared by every cog with pages; registering twice is harmless

    def person_message(
        self, person: Person, guild_id: int | None, page: int
    ) -> tuple[discord.Embed, discord.ui.View | None]:
        catalog = self.bot.catalog
        card = person_card(catalog, person, guild_id=guild_id, page=page, per_page=PERSON_PAGE)
        pages = len(person_pages(catalog.credits_of_person(person.id, guild_id=guild_id), PERSON_PAGE))
        page = min(max(page, 0), pages - 1)
        return card_embed(card), page_buttons(self.page_kind, str(person.id), page, pages, ("Newer", "Older"))

    def render_page(
        self, interaction: discord.Interaction[Any], state: str, page: int
    ) -> tuple[discord.Embed, discord.ui.View | None]:
        person_id = int(state)
        if not self.bot.catalog.person_visible(person_id, interaction.guild_id):
            raise NotFound("That person is no longer in the catalog.")
        return self.person_message(self.bot.catalog.people[person_id], interaction.guild_id, page)

    @app_commands.command(name="drama")
    @app_commands.describe(title="The drama's title, in English or Hangul; typos are fine")
    async def drama(
        self, interaction: discord.Interaction[Dramabot], title: app_commands.Transform[Found[Show], ShowLookupArg]
    ) -> None:
        """Show a drama's card: dates, network, crew and cast."""
        card = show_card(self.bot.catalog, title.best, now=self.bot.clock.now())
        if title.sure:
            view = link_buttons(card)
            await interaction.response.send_message(embed=card_embed(card), view=view or discord.utils.MISSING)
            return
        typed = " ".join(str(interaction.namespace.title).split())
        picker = ShowPicker([title.best, *title.others])
        link_buttons(card, picker)
        await interaction.response.send_message(
            content=f"I am not sure which drama you meant by “{typed}”; my best guess is below.",
            embed=card_embed(card),
            view=picker,
        )

    @app_commands.command(name="person")
    @app_commands.describe(name="An actor's, director's or writer's name, romanised or in Hangul")
    async def person(
        self, interaction: discord.Interaction[Dramabot], name: app_commands.Transform[Found[Person], PersonLookupArg]
    ) -> None:
        """Show a person's credits in the catalog, newest first."""
        embed, view = self.person_message(name.best, interaction.guild_id, 0)
        content = None
        if not name.sure:
            others = ", ".join(p.name for p in name.others[:4])
            typed = " ".join(str(interaction.namespace.name).split())
            content = f"I am not sure who you meant by “{typed}”; best guess below" + (
                f" (others: {others})." if others else "."
            )
        await interaction.response.send_message(content=content, embed=embed, view=view or discord.utils.MISSING)


async def setup(bot: Dramabot) -> None:
    await bot.add_cog(Lookup(bot))
