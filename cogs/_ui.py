"""The small UI kit every cog shares: colour, cards as embeds, link and page buttons, and the show and person
arguments whose autocomplete carries the id and whose value is re-checked against what the server may see."""

from __future__ import annotations

import re
from typing import Any, Protocol

import discord
from discord import app_commands

from bot import limits
from bot.app import Dramabot, error_message, send_ephemeral
from bot.cards import Card, fit_card
from bot.catalog import Catalog, Lookup
from bot.errors import NotFound
from bot.models import Person, Show
from bot.text import QUERY_LIMIT, checked_query

EMBED_COLOUR = discord.Colour(0xE05A7A)
CHOICE_LIMIT = limits.CHOICES  # Discord shows at most 25 autocomplete choices or select options
# An autocomplete value names the entry by id; Discord shows the user the label, never the value.
_PICKED = re.compile(r"id:(?P<id>\d{1,19})")


def dramabot(interaction: discord.Interaction[Any]) -> Dramabot:
    """Return the bot an interaction reached (typed: discord.py's callbacks are generic over the client)."""
    client = interaction.client
    assert isinstance(client, Dramabot)
    return client


# -- cards as embeds ----------------------------------------------------------------------------------------


def card_embed(card: Card) -> discord.Embed:
    """Turn a card into an embed, fitted to Discord's limits (bot/limits.py) on the way."""
    card = fit_card(card)
    embed = discord.Embed(
        title=card.title, description=card.description or None, colour=EMBED_COLOUR, url=card.url or None
    )
    for field in card.fields:
        embed.add_field(name=field.name, value=field.value, inline=field.inline)
    if card.image_url:
        embed.set_image(url=card.image_url)
    if card.footer:
        embed.set_footer(text=card.footer)
    return embed


def link_buttons(card: Card, view: discord.ui.View | None = None) -> discord.ui.View | None:
    """Add the card's links as buttons to `view` (a new one if None); None when there is nothing to show."""
    if not card.links:
        return view
    view = view or discord.ui.View(timeout=None)
    for label, url in card.links:
        view.add_item(discord.ui.Button(label=limits.label(label), url=url))
    return view


class ReportingView(discord.ui.View):
    """A view whose buttons and menus answer errors the way commands do, instead of "This interaction failed"."""

    async def on_error(
        self, interaction: discord.Interaction[Any], error: Exception, item: discord.ui.Item[Any]
    ) -> None:
        custom_id = getattr(item, "custom_id", None)
        await send_ephemeral(interaction, error_message(error, where=f"component {custom_id or item}"))


# -- page buttons -----------------------------------------------------------------------------------------------


class Paged(Protocol):
    """A cog that draws the pages of its paged messages (those whose buttons carry `page_kind`)."""

    page_kind: str

    def render_page(
        self, interaction: discord.Interaction[Any], state: str, page: int
    ) -> tuple[discord.Embed, discord.ui.View | None]: ...


class PageButton(
    discord.ui.DynamicItem[discord.ui.Button[Any]], template=r"page:(?P<kind>[a-z]+):(?P<state>[^\n]*):(?P<page>\d+)$"
):
    """A page-turning button that survives restarts: what is paged, its state and the page live in the custom id."""

    def __init__(self, kind: str, state: str, page: int, label: str, *, disabled: bool = False) -> None:
        super().__init__(
            discord.ui.Button(
                label=limits.label(label), custom_id=f"page:{kind}:{state}:{page}",
                style=discord.ButtonStyle.secondary,
                disabled=disabled,
            )
        )  # fmt: skip
        self.kind, self.state, self.page = kind, state, page

    @classmethod
    async def from_custom_id(
        cls, interaction: discord.Interaction[Any], item: discord.ui.Item[Any], match: re.Match[str], /
    ) -> PageButton:
        label = item.label if isinstance(item, discord.ui.Button) else None
        return cls(match["kind"], match["state"], int(match["page"]), label or "")

    async def callback(self, interaction: discord.Interaction[Any]) -> None:
        cogs: list[Any] = list(dramabot(interaction).cogs.values())
        paged: Paged | None = next((cog for cog in cogs if getattr(cog, "page_kind", None) == self.kind), None)
        if paged is None:
            await send_ephemeral(interaction, "These pages are no longer available; run the command again.")
            return
        embed, view = paged.render_page(interaction, self.state, self.page)
        await interaction.response.edit_message(embed=embed, view=view)


def page_buttons(kind: str, state: str, page: int, pages: int, labels: tuple[str, str]) -> discord.ui.View | None:
    """Return "previous" and "next" buttons for page `page` of `pages`, or None when everything fits on one."""
    if pages <= 1:
        return None
    view = discord.ui.View(timeout=None)
    view.add_item(PageButton(kind, state, max(page - 1, 0), labels[0], disabled=page == 0))
    view.add_item(PageButton(kind, state, min(page + 1, pages - 1), labels[1], disabled=page == pages - 1))
    return view


# -- show and person arguments -------------------------------------------------------------------------------


def show_label(show: Show) -> str:
    """What a choice or select option shows: "Soundtrack #1 (2022) · 사운드트랙 #1", at most 100 characters."""
    label = f"{show.title} ({show.year})" if show.year else show.title
    if show.hangul_title:
        label += f" · {show.hangul_title}"
    return limits.choice_name(label)


def show_choice(show: Show) -> app_commands.Choice[str]:
    return app_commands.Choice(name=show_label(show), value=f"id:{show.id}")


def show_choices(catalog: Catalog, current: str, guild_id: int | None) -> list[app_commands.Choice[str]]:
    """Offer the shows matching what the user typed so far, or the most popular before they type."""
    text = current.strip()[:QUERY_LIMIT]
    if text:
        shows = [catalog.shows[hit.id] for hit in catalog.complete_shows(text, guild_id=guild_id, limit=CHOICE_LIMIT)]
    else:
        shows = catalog.popular_shows(guild_id=guild_id, limit=CHOICE_LIMIT)
    return [show_choice(show) for show in shows[: limits.CHOICES]]


def lookup_show(catalog: Catalog, value: str, guild_id: int | None) -> Lookup[Show]:
    """Resolve a show option: the id autocomplete sent, or a search for what the user typed."""
    picked = _PICKED.fullmatch(value)
    if picked is None:
        return catalog.find_show(checked_query(value), guild_id=guild_id)
    show = catalog.shows.get(int(picked["id"]))
    if show is None or not catalog.visible(show, guild_id):
        raise NotFound("That drama is no longer in the catalog; pick it again from the list.")
    return Lookup(best=show, sure=True, score=100.0)


def lookup_person(catalog: Catalog, value: str, guild_id: int | None) -> Lookup[Person]:
    """Resolve a person option: the id autocomplete sent, or a search for what the user typed."""
    picked = _PICKED.fullmatch(value)
    if picked is None:
        return catalog.find_person(checked_query(value), guild_id=guild_id)
    person_id = int(picked["id"])
    if not catalog.person_visible(person_id, guild_id):
        raise NotFound("That person is no longer in the catalog; pick them again from the list.")
    return Lookup(best=catalog.people[person_id], sure=True, score=100.0)


class ShowChoices(app_commands.Transformer[Dramabot]):
    """A show option's autocomplete: the shows matching what was typed, each choice carrying the show's id."""

    async def autocomplete(  # type: ignore[override]  # choices are always strings here
        self, interaction: discord.Interaction[Dramabot], value: str, /
    ) -> list[app_commands.Choice[str]]:
        return show_choices(interaction.client.catalog, value, interaction.guild_id)


class ShowLookupArg(ShowChoices):
    """A show option answered with the best match and how sure it is (for /drama's "did you mean")."""

    async def transform(self, interaction: discord.Interaction[Dramabot], value: str, /) -> Lookup[Show]:
        return lookup_show(interaction.client.catalog, value, interaction.guild_id)


class ShowArg(ShowChoices):
    """A show option: the drama picked from autocomplete, or the best match for what the user typed."""

    async def transform(self, interaction: discord.Interaction[Dramabot], value: str, /) -> Show:
        return lookup_show(interaction.client.catalog, value, interaction.guild_id).best


class PersonLookupArg(app_commands.Transformer[Dramabot]):
    """A person option answered with the best match and how sure it is."""

    async def transform(self, interaction: discord.Interaction[Dramabot], value: str, /) -> Lookup[Person]:
        return lookup_person(interaction.client.catalog, value, interaction.guild_id)

    async def autocomplete(  # type: ignore[override]  # choices are always strings here
        self, interaction: discord.Interaction[Dramabot], value: str, /
    ) -> list[app_commands.Choice[str]]:
        text = value.strip()[:QUERY_LIMIT]
        if not text:
            return []
        catalog = interaction.client.catalog
        hits = catalog.complete_people(text, guild_id=interaction.guild_id, limit=CHOICE_LIMIT)
        return [app_commands.Choice(name=limits.choice_name(hit.name), value=f"id:{hit.id}") for hit in hits]
