"""/show and /catalog: server admins curate their server's dramas; the bot's owners curate the shared catalog.

Validation and the rules of who may do what live in bot/curation.py; this cog checks permissions again on
every command and every button (whatever Discord's default permissions say), writes through the repository in
one transaction, records each change in the audit log, and refreshes the in-memory catalog at once.
"""

from __future__ import annotations

import datetime as dt
import io
import logging
import secrets
from collections.abc import Awaitable, Callable, Mapping, Sequence
from typing import Any

import discord
from discord import app_commands
from discord.ext import commands

from bot.app import EPHEMERAL_APOLOGY, Dramabot, send_ephemeral
from bot.cards import show_card
from bot.curation import (
    ALIAS_LIMIT,
    CHARACTER_LIMIT,
    FIELD_LABELS,
    IMPORT_MAX_BYTES,
    MAX_ALIASES,
    NAME_LIMIT,
    ImportRejected,
    ShowDraft,
    audit_value,
    can_edit,
    check_against_catalog,
    check_server_room,
    checked_text,
    draft_show,
    edit_changes,
    export_shows,
    field_from_audit,
    is_curator,
    parse_import,
    parse_local_datetime,
    shown_value,
    shows_named_from,
    similar_person,
    similar_show,
)
from bot.errors import DramabotError, Forbidden, InvalidInput
from bot.models import CreditKind, Episode, Person, Role, Show
from bot.text import same_name
from cogs._ui import EMBED_COLOUR, card_embed, lookup_show, show_choice, show_choices, show_label

log = logging.getLogger(__name__)

PROMPT_TIMEOUT = 600.0  # seconds a confirmation's buttons stay usable
UNDO_WINDOW = dt.timedelta(days=1)
UNDOABLE = ("show.remove", "show.edit", "show.add")
HISTORY_LIMIT = 15
ACTION_LABELS = {
    "show.add": "added",
    "show.edit": "edited",
    "show.alias": "added an alias to",
    "show.remove": "removed",
    "show.cast": "added cast to",
    "show.episode": "rescheduled an episode of",
    "catalog.undo": "undid a change to",
    "catalog.promote": "moved to the shared catalog",
}
Action = Callable[[discord.Interaction[Dramabot]], Awaitable[str]]


def now_utc() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


def require_curator(interaction: discord.Interaction[Dramabot]) -> int:
    """Refuse anyone but a server admin (Manage Server) or a bot owner; return the server's id."""
    if interaction.guild_id is None:
        raise Forbidden("Catalog curation works only inside a server.")
    owners = interaction.client.settings.owner_ids
    if not is_curator(interaction.user.id, interaction.permissions.manage_guild, owners):
        raise Forbidden("You need the Manage Server permission to change this server's catalog.")
    return interaction.guild_id


def require_can_edit(interaction: discord.Interaction[Dramabot], show: Show) -> None:
    owners = interaction.client.settings.owner_ids
    if can_edit(show, interaction.guild_id, interaction.user.id, interaction.permissions.manage_guild, owners):
        return
    if show.guild_id is None:
        raise Forbidden(f"“{show.title}” is in the shared catalog, which only the bot's owners change.")
    raise Forbidden(f"Only the admins of the server that added “{show.title}” can change it.")


async def report_error(interaction: discord.Interaction[Any], error: Exception) -> None:
    """Tell the user why a button did nothing, the way the tree's error handler does for commands."""
    if isinstance(error, DramabotError):
        await send_ephemeral(interaction, error.message)
        return
    error_id = secrets.token_hex(4)
    log.error("error %s in a curation button", error_id, exc_info=error)
    await send_ephemeral(interaction, EPHEMERAL_APOLOGY.format(error_id=error_id))


class Prompt(discord.ui.View):
    """Buttons under a confirmation; only the admin who asked may press them, and their rights are re-checked."""

    def __init__(self, author_id: int, actions: Sequence[tuple[str, discord.ButtonStyle, Action]]) -> None:
        super().__init__(timeout=PROMPT_TIMEOUT)
        self.author_id = author_id
        self.message: discord.InteractionMessage | None = None
        self.busy = False
        for label, style, action in actions:
            button: discord.ui.Button[Prompt] = discord.ui.Button(label=label[:80], style=style)
            button.callback = self._runner(action)  # type: ignore[method-assign]
            self.add_item(button)
        cancel: discord.ui.Button[Prompt] = discord.ui.Button(label="Cancel", style=discord.ButtonStyle.secondary)
        cancel.callback = self._cancel  # type: ignore[method-assign]
        self.add_item(cancel)

    def _runner(self, action: Action) -> Callable[[discord.Interaction[Dramabot]], Awaitable[None]]:
        async def run(interaction: discord.Interaction[Dramabot]) -> None:
            if self.busy:  # a double click must not add or remove twice
                raise InvalidInput("That is already being done; wait a moment.")
            self.busy = True
            try:
                outcome = await action(interaction)
            finally:
                self.busy = False
            self.stop()
            await interaction.response.edit_message(content=outcome, embed=None, view=None)

        return run

    async def _cancel(self, interaction: discord.Interaction[Dramabot]) -> None:
        self.stop()
        await interaction.response.edit_message(content="Cancelled; nothing was changed.", embed=None, view=None)

    async def interaction_check(self, interaction: discord.Interaction[Dramabot]) -> bool:  # type: ignore[override]
        if interaction.user.id != self.author_id:
            raise Forbidden("Only the admin who asked can answer this; run the command yourself instead.")
        require_curator(interaction)
        return True

    async def on_error(
        self, interaction: discord.Interaction[Dramabot], error: Exception, item: discord.ui.Item[Any]
    ) -> None:  # type: ignore[override]
        await report_error(interaction, error)

    async def on_timeout(self) -> None:
        if self.message is not None:
            try:
                await self.message.edit(content="This question expired; nothing was changed.", embed=None, view=None)
            except discord.HTTPException:
                pass

    async def send(self, interaction: discord.Interaction[Dramabot], **message: Any) -> None:
        await interaction.response.send_message(view=self, **message)
        self.message = await interaction.original_response()


def changes_embed(title: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> discord.Embed:
    embed = discord.Embed(title=title[:256], colour=EMBED_COLOUR)
    for name in new:
        label = FIELD_LABELS.get(name, name.replace("_", " ").capitalize())
        embed.add_field(name=label, value=f"{shown_value(old.get(name))} → {shown_value(new[name])}"[:1024])
    return embed


def audit_fields(values: Mapping[str, Any]) -> dict[str, Any]:
    return {name: audit_value(name, value) for name, value in values.items()}


class Curation(commands.Cog):
    show = app_commands.Group(
        name="show",
        description="Add and change this server's dramas (needs Manage Server)",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )
    catalog_commands = app_commands.Group(
        name="catalog",
        description="Import, export, review and undo this server's catalog changes (needs Manage Server)",
        default_permissions=discord.Permissions(manage_guild=True),
        guild_only=True,
    )

    def __init__(self, bot: Dramabot) -> None:
        self.bot = bot

    # -- helpers ---------------------------------------------------------------------------------------------

    async def changed(self, *show_ids: int) -> None:
        """Let search, autocomplete, countdowns and the announcer see the change at once."""
        for show_id in show_ids:
            await self.bot.catalog.refresh_show(self.bot.repository, show_id)
            self.bot.dispatch("catalog_change", show_id)

    def editable_show(self, interaction: discord.Interaction[Dramabot], title: str) -> Show:
        lookup = lookup_show(self.bot.catalog, title, interaction.guild_id)
        if not lookup.sure:
            raise InvalidInput(
                f"I am not sure which drama “{title.strip()[:100]}” is (perhaps {lookup.best.title}?); "
                "pick it from the list as you type."
            )
        require_can_edit(interaction, lookup.best)
        return lookup.best

    def own_shows(self, guild_id: int | None) -> list[Show]:
        """The dramas a server added itself (none outside a server)."""
        if guild_id is None:
            return []
        return [show for show in self.bot.catalog.shows.values() if show.guild_id == guild_id]

    async def create_show(self, interaction: discord.Interaction[Dramabot], draft: ShowDraft) -> Show:
        repository = self.bot.repository
        guild_id = require_curator(interaction)
        check_server_room(len(self.own_shows(guild_id)))
        async with repository.transaction():
            show_id = await repository.add_show(draft.fields(), guild_id=guild_id)
            await repository.add_show_titles(show_id, draft.aliases, kind="alias")
            await repository.append_audit(
                action="show.add", guild_id=guild_id, user_id=interaction.user.id, show_id=show_id,
                new=audit_fields(draft.fields()) | {"aliases": list(draft.aliases)},
            )  # fmt: skip
        await self.changed(show_id)
        return self.bot.catalog.shows[show_id]

    async def title_choices(
        self, interaction: discord.Interaction[Dramabot], current: str
    ) -> list[app_commands.Choice[str]]:
        """Offer the shows this user may change: all for an owner, else only this server's own."""
        catalog = self.bot.catalog
        guild_id = interaction.guild_id
        if interaction.user.id in self.bot.settings.owner_ids:
            return show_choices(catalog, current, guild_id)
        text = current.strip()[:100]
        own = self.own_shows(guild_id)
        if text:
            # The index completes over the shared and the server's shows together and keeps 25, so popular
            # shared titles could crowd the server's own out: those named from the text come first, then the
            # index's typo and acronym matches among them.
            named = shows_named_from(text, own)
            listed = {show.id for show in named}
            hits = catalog.complete_shows(text, guild_id=guild_id)
            own = named + [
                catalog.shows[hit.id]
                for hit in hits
                if hit.id not in listed and hit.id in catalog.shows and catalog.shows[hit.id].guild_id == guild_id
            ]
        else:
            own.sort(key=lambda show: show.title.casefold())
        return [show_choice(show) for show in own[:25]]

    async def any_title_choices(
        self, interaction: discord.Interaction[Dramabot], current: str
    ) -> list[app_commands.Choice[str]]:
        return show_choices(self.bot.catalog, current, interaction.guild_id)

    # -- /show ----------------------------------------------------------------------------------------------

    @show.command(name="add")
    @app_commands.describe(
        title="The drama's title in English (romanised)",
        hangul_title="The title in Hangul",
        network="Where it airs; several separated by commas, e.g. tvN, Netflix",
        premiere="First air date as YYYY-MM-DD",
        episodes="How many episodes it has",
        air_days="Weekdays it airs, e.g. Wed,Thu",
        air_time="Local air time as HH:MM (24-hour clock)",
        timezone="The IANA time zone of the air time (default Asia/Seoul)",
        synopsis="A short summary",
    )
    async def show_add(
        self,
        interaction: discord.Interaction[Dramabot],
        title: app_commands.Range[str, 1, 100],
        hangul_title: app_commands.Range[str, 1, 100] | None = None,
        network: app_commands.Range[str, 1, 100] | None = None,
        premiere: app_commands.Range[str, 1, 10] | None = None,
        episodes: app_commands.Range[int, 1, 500] | None = None,
        air_days: app_commands.Range[str, 1, 60] | None = None,
        air_time: app_commands.Range[str, 1, 5] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        synopsis: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        """Add a drama to this server's catalog."""
        guild_id = require_curator(interaction)
        check_server_room(len(self.own_shows(guild_id)))
        draft = draft_show(
            title, hangul_title=hangul_title, network=network, premiere=premiere, episodes=episodes,
            air_days=air_days, air_time=air_time, timezone=timezone, synopsis=synopsis,
        )  # fmt: skip
        near = similar_show(draft.title, self.bot.catalog.visible_shows(guild_id))
        if near is not None:

            async def add_anyway(click: discord.Interaction[Dramabot]) -> str:
                show = await self.create_show(click, draft)
                return f"Added **{show.title}** to this server's catalog."

            prompt = Prompt(
                interaction.user.id, [(f"Add “{draft.title}” anyway", discord.ButtonStyle.primary, add_anyway)]
            )
            await prompt.send(
                interaction,
                content=f"The catalog already has **{show_label(near)}**. Did you mean it? "
                f"If “{draft.title}” is another drama, add it anyway.",
            )
            return
        show = await self.create_show(interaction, draft)
        card = show_card(self.bot.catalog, show, now=now_utc())
        await interaction.response.send_message(
            content=f"Added **{show.title}** to this server's catalog.", embed=card_embed(card)
        )

    @show.command(name="edit")
    @app_commands.describe(
        title="The drama to change",
        new_title="A new English title",
        hangul_title="The title in Hangul (- clears it)",
        network="Where it airs, comma-separated (- clears it)",
        premiere="First air date as YYYY-MM-DD (- clears it)",
        episodes="How many episodes it has (0 clears it)",
        air_days="Weekdays it airs, e.g. Wed,Thu (- clears them)",
        air_time="Local air time as HH:MM (- clears it)",
        timezone="The IANA time zone of the air time (- resets to Asia/Seoul)",
        synopsis="A short summary (- clears it)",
    )
    async def show_edit(
        self,
        interaction: discord.Interaction[Dramabot],
        title: app_commands.Range[str, 1, 100],
        new_title: app_commands.Range[str, 1, 100] | None = None,
        hangul_title: app_commands.Range[str, 1, 100] | None = None,
        network: app_commands.Range[str, 1, 100] | None = None,
        premiere: app_commands.Range[str, 1, 10] | None = None,
        episodes: app_commands.Range[int, 0, 500] | None = None,
        air_days: app_commands.Range[str, 1, 60] | None = None,
        air_time: app_commands.Range[str, 1, 5] | None = None,
        timezone: app_commands.Range[str, 1, 64] | None = None,
        synopsis: app_commands.Range[str, 1, 1000] | None = None,
    ) -> None:
        """Change any field of a drama; you see the old and new values before saving."""
        require_curator(interaction)
        show = self.editable_show(interaction, title)
        options: dict[str, str | int | None] = {
            "new_title": new_title, "hangul_title": hangul_title, "network": network, "premiere": premiere,
            "episodes": "-" if episodes == 0 else episodes, "air_days": air_days, "air_time": air_time,
            "timezone": timezone, "synopsis": synopsis,
        }  # fmt: skip
        changes = edit_changes(show, options)
        preview_old = audit_fields({name: getattr(show, name) for name in changes})
        preview_new = audit_fields(changes)

        async def save(click: discord.Interaction[Dramabot]) -> str:
            current = self.bot.catalog.shows.get(show.id)
            if current is None:
                raise InvalidInput(f"“{show.title}” is no longer in the catalog; nothing was changed.")
            require_can_edit(click, current)
            old = audit_fields({name: getattr(current, name) for name in changes})
            repository = self.bot.repository
            async with repository.transaction():
                # Marked as edited by hand, so seed upgrades and syncs keep an owner's edit of a shared show.
                await repository.update_show_fields(show.id, changes, by_admin=True)
                await repository.append_audit(
                    action="show.edit", guild_id=click.guild_id, user_id=click.user.id, show_id=show.id,
                    old=old, new=audit_fields(changes),
                )  # fmt: skip
            await self.changed(show.id)
            lines = [f"{FIELD_LABELS[name]}: {shown_value(old[name])} → {shown_value(v)}" for name, v in
                     audit_fields(changes).items()]  # fmt: skip
            return f"Saved the changes to **{self.bot.catalog.shows[show.id].title}**:\n" + "\n".join(lines)

        prompt = Prompt(interaction.user.id, [("Save", discord.ButtonStyle.success, save)])
        await prompt.send(
            interaction,
            content="Check the changes, then press Save.",
            embed=changes_embed(f"Change “{show.title}”?", preview_old, preview_new),
        )

    @show_edit.autocomplete("title")
    async def _edit_title(
        self, interaction: discord.Interaction[Dramabot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self.title_choices(interaction, current)

    @show.command(name="alias")
    @app_commands.describe(title="The drama", alias="Another name fans use for it")
    async def show_alias(
        self,
        interaction: discord.Interaction[Dramabot],
        title: app_commands.Range[str, 1, 100],
        alias: app_commands.Range[str, 1, 100],
    ) -> None:
        """Add another name fans use for a drama, so searches for it find the drama."""
        guild_id = require_curator(interaction)
        show = self.editable_show(interaction, title)
        name = checked_text(alias, "alias", ALIAS_LIMIT, required=True)
        assert name is not None
        if any(same_name(name, existing) for existing in show.all_titles):
            raise InvalidInput(f"“{name}” is already a name of “{show.title}”.")
        if len(show.aliases) >= MAX_ALIASES:
            raise InvalidInput(f"“{show.title}” already has {MAX_ALIASES} aliases, the most a drama may have.")
        repository = self.bot.repository
        async with repository.transaction():
            await repository.add_show_titles(show.id, [name], kind="alias")
            await repository.append_audit(
                action="show.alias", guild_id=guild_id, user_id=interaction.user.id, show_id=show.id,
                old={"aliases": list(show.aliases)}, new={"aliases": [*show.aliases, name]},
            )  # fmt: skip
        await self.changed(show.id)
        await interaction.response.send_message(f"“{name}” now finds **{show.title}**.")

    @show_alias.autocomplete("title")
    async def _alias_title(
        self, interaction: discord.Interaction[Dramabot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self.title_choices(interaction, current)

    @show.command(name="remove")
    @app_commands.describe(title="The drama to remove")
    async def show_remove(
        self, interaction: discord.Interaction[Dramabot], title: app_commands.Range[str, 1, 100]
    ) -> None:
        """Remove a drama from the catalog (asks first; /catalog undo brings it back within a day)."""
        require_curator(interaction)
        show = self.editable_show(interaction, title)

        async def remove(click: discord.Interaction[Dramabot]) -> str:
            current = self.bot.catalog.shows.get(show.id)
            if current is None:
                raise InvalidInput(f"“{show.title}” is already gone from the catalog.")
            require_can_edit(click, current)
            repository = self.bot.repository
            async with repository.transaction():
                await repository.set_show_removed(show.id, True)
                await repository.append_audit(
                    action="show.remove", guild_id=click.guild_id, user_id=click.user.id, show_id=show.id,
                    old={"title": current.title}, new=None,
                )  # fmt: skip
            await self.changed(show.id)
            return f"Removed **{current.title}**. Changed your mind? /catalog undo brings it back within a day."

        prompt = Prompt(interaction.user.id, [("Remove", discord.ButtonStyle.danger, remove)])
        where = "the shared catalog" if show.guild_id is None else "this server's catalog"
        await prompt.send(interaction, content=f"Remove **{show_label(show)}** from {where}?")

    @show_remove.autocomplete("title")
    async def _remove_title(
        self, interaction: discord.Interaction[Dramabot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self.title_choices(interaction, current)

    @show.command(name="cast")
    @app_commands.describe(
        title="The drama",
        person="The actor's name, romanised (a new person is created if not in the catalog)",
        character="The character they play",
        role="How big the part is",
    )
    @app_commands.choices(
        role=[
            app_commands.Choice(name=r.value.capitalize(), value=r.value) for r in (Role.MAIN, Role.SUPPORT, Role.GUEST)
        ]
    )
    async def show_cast(
        self,
        interaction: discord.Interaction[Dramabot],
        title: app_commands.Range[str, 1, 100],
        person: app_commands.Range[str, 1, 100],
        character: app_commands.Range[str, 1, 100] | None = None,
        role: str = Role.MAIN.value,
    ) -> None:
        """Add an actor to a drama's cast."""
        require_curator(interaction)
        show = self.editable_show(interaction, title)
        name = checked_text(person, "name", NAME_LIMIT, required=True)
        assert name is not None
        part = checked_text(character, "character", CHARACTER_LIMIT)
        kind = Role(role) if role in {r.value for r in Role} else None
        if kind is None:
            raise InvalidInput("Pick the role from the list: main, support or guest.")
        catalog = self.bot.catalog
        # Only people this server can see: another server's private cast stays private, and is not linked.
        people = [p for p in catalog.people.values() if catalog.person_visible(p.id, interaction.guild_id)]
        exact = next((p for p in people if any(same_name(name, n) for n in p.all_names)), None)

        async def add(click: discord.Interaction[Dramabot], existing: Person | None) -> str:
            current = self.bot.catalog.shows.get(show.id)
            if current is None:
                raise InvalidInput(f"“{show.title}” is no longer in the catalog; nothing was changed.")
            require_can_edit(click, current)
            repository = self.bot.repository
            billing = len(self.bot.catalog.credits_of_show(show.id, CreditKind.CAST)) + 1
            async with repository.transaction():
                person_id = existing.id if existing else await repository.add_person(name)
                await repository.add_credit(
                    show.id, person_id, CreditKind.CAST, character=part, role=kind, billing=billing, source="admin"
                )
                await repository.append_audit(
                    action="show.cast", guild_id=click.guild_id, user_id=click.user.id, show_id=show.id,
                    person_id=person_id,
                    new={"person": existing.name if existing else name, "character": part, "role": kind.value},
                )  # fmt: skip
            if existing is None:
                await self.bot.catalog.refresh_person(repository, person_id)
            await self.changed(show.id)
            who = existing.name if existing else name
            return f"**{who}** is now in the cast of **{current.title}**" + (f" as {part}." if part else ".")

        if exact is not None:
            await interaction.response.send_message(await add(interaction, exact))
            return
        near = similar_person(name, people)
        if near is None:
            await interaction.response.send_message(await add(interaction, None))
            return

        async def use_near(click: discord.Interaction[Dramabot]) -> str:
            return await add(click, near)

        async def create_new(click: discord.Interaction[Dramabot]) -> str:
            return await add(click, None)

        prompt = Prompt(
            interaction.user.id,
            [
                (f"Use {near.name}", discord.ButtonStyle.primary, use_near),
                (f"Add new person “{name}”", discord.ButtonStyle.secondary, create_new),
            ],
        )
        await prompt.send(interaction, content=f"Did you mean **{near.name}**, who is already in the catalog?")

    @show_cast.autocomplete("title")
    async def _cast_title(
        self, interaction: discord.Interaction[Dramabot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self.title_choices(interaction, current)

    @show.command(name="episode")
    @app_commands.describe(
        title="The drama",
        number="The episode's number",
        air_time="When it now airs, as YYYY-MM-DD HH:MM in the drama's own time zone",
    )
    async def show_episode(
        self,
        interaction: discord.Interaction[Dramabot],
        title: app_commands.Range[str, 1, 100],
        number: app_commands.Range[int, 1, 500],
        air_time: app_commands.Range[str, 1, 16],
    ) -> None:
        """Reschedule one episode (a delay or a special)."""
        guild_id = require_curator(interaction)
        show = self.editable_show(interaction, title)
        if show.episode_count is not None and number > show.episode_count:
            raise InvalidInput(
                f"“{show.title}” has {show.episode_count} episodes; set a higher count with /show edit first."
            )
        air_at = parse_local_datetime(air_time, show.timezone)
        before = next((e for e in self.bot.catalog.episodes_of(show.id) if e.number == number), None)
        repository = self.bot.repository
        async with repository.transaction():
            await repository.upsert_episodes(
                show.id, [Episode(show.id, number, air_at, before.title if before else None)], source="admin"
            )
            await repository.append_audit(
                action="show.episode", guild_id=guild_id, user_id=interaction.user.id, show_id=show.id,
                old={"episode": number, "air_at": before.air_at.isoformat() if before else None},
                new={"episode": number, "air_at": air_at.isoformat()},
            )  # fmt: skip
        await self.changed(show.id)
        stamp = int(air_at.timestamp())
        await interaction.response.send_message(
            f"Episode {number} of **{show.title}** now airs <t:{stamp}:F> (<t:{stamp}:R>)."
        )

    @show_episode.autocomplete("title")
    async def _episode_title(
        self, interaction: discord.Interaction[Dramabot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self.title_choices(interaction, current)

    # -- /catalog --------------------------------------------------------------------------------------------

    @catalog_commands.command(name="import")
    @app_commands.describe(file="A JSON or CSV file of shows in the documented format (see data/import-example.json)")
    async def catalog_import(self, interaction: discord.Interaction[Dramabot], file: discord.Attachment) -> None:
        """Add many dramas from a file; all of them are added, or none if any line has a problem."""
        guild_id = require_curator(interaction)
        if file.size > IMPORT_MAX_BYTES:
            raise InvalidInput(f"The file is larger than {IMPORT_MAX_BYTES // 1000} kB; split it into smaller files.")
        await interaction.response.defer(ephemeral=True, thinking=True)
        data = await file.read()
        try:
            rows = parse_import(data, file.filename)
            check_against_catalog(rows, self.bot.catalog.visible_shows(guild_id))
        except ImportRejected as rejected:
            lines = [f"line {p.line}: {p.message}" for p in rejected.problems[:10]]
            if len(rejected.problems) > 10:
                lines.append(f"… and {len(rejected.problems) - 10} more.")
            await interaction.followup.send(
                "Nothing was imported; fix these lines and try again:\n" + "\n".join(lines), ephemeral=True
            )
            return
        check_server_room(len(self.own_shows(guild_id)), len(rows))
        repository = self.bot.repository
        show_ids: list[int] = []
        async with repository.transaction():
            for row in rows:
                show_id = await repository.add_show(row.draft.fields(), guild_id=guild_id)
                await repository.add_show_titles(show_id, row.draft.aliases, kind="alias")
                await repository.append_audit(
                    action="show.add", guild_id=guild_id, user_id=interaction.user.id, show_id=show_id,
                    new=audit_fields(row.draft.fields())
                    | {"aliases": list(row.draft.aliases), "import": file.filename},
                )  # fmt: skip
                show_ids.append(show_id)
        await self.changed(*show_ids)
        names = ", ".join(row.draft.title for row in rows[:10]) + (" …" if len(rows) > 10 else "")
        await interaction.followup.send(f"Imported {len(rows)} dramas: {names}", ephemeral=True)

    @catalog_commands.command(name="export")
    @app_commands.describe(format="The file format (the same one /catalog import reads)")
    @app_commands.choices(
        format=[app_commands.Choice(name="JSON", value="json"), app_commands.Choice(name="CSV", value="csv")]
    )
    async def catalog_export(self, interaction: discord.Interaction[Dramabot], format: str = "json") -> None:
        """Download the dramas this server added, as a file you can import again."""
        guild_id = require_curator(interaction)
        kind = "csv" if format == "csv" else "json"
        shows = [show for show in self.bot.catalog.shows.values() if show.guild_id == guild_id]
        if not shows:
            raise InvalidInput("This server has not added any dramas yet; add one with /show add.")
        data = export_shows(shows, kind)
        await interaction.response.send_message(
            f"{len(shows)} dramas this server added.",
            file=discord.File(io.BytesIO(data), filename=f"dramabot-shows.{kind}"),
            ephemeral=True,
        )

    @catalog_commands.command(name="history")
    @app_commands.describe(title="Only the changes to this drama (optional)")
    async def catalog_history(
        self, interaction: discord.Interaction[Dramabot], title: app_commands.Range[str, 1, 100] | None = None
    ) -> None:
        """List the latest catalog changes made in this server: who, what, when, old and new values."""
        guild_id = require_curator(interaction)
        show_id = None
        if title is not None:
            show_id = lookup_show(self.bot.catalog, title, guild_id).best.id
        entries = await self.bot.repository.audit_entries(guild_id, show_id=show_id, limit=HISTORY_LIMIT)
        if not entries:
            raise InvalidInput("No catalog changes have been made in this server yet.")
        lines: list[str] = []
        for entry in entries:
            show = self.bot.catalog.shows.get(entry.show_id or 0)
            if show is None and entry.show_id is not None:  # removed since: the log still names it
                show = await self.bot.repository.show_even_if_removed(entry.show_id)
            what = show.title if show else "a person"
            verb = ACTION_LABELS.get(entry.action, entry.action)
            line = f"<t:{int(entry.at.timestamp())}:f> <@{entry.user_id}> {verb} **{what}**"
            detail = history_detail(entry.action, entry.old or {}, entry.new or {})
            lines.append(f"{line}{': ' + detail if detail else ''}"[:400])
        description = ""
        for line in lines:
            if len(description) + len(line) + 1 > 4000:
                break
            description += line + "\n"
        embed = discord.Embed(title="Catalog history", description=description, colour=EMBED_COLOUR)
        await interaction.response.send_message(embed=embed, ephemeral=True)

    @catalog_history.autocomplete("title")
    async def _history_title(
        self, interaction: discord.Interaction[Dramabot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self.any_title_choices(interaction, current)

    @catalog_commands.command(name="undo")
    async def catalog_undo(self, interaction: discord.Interaction[Dramabot]) -> None:
        """Undo this server's latest add, edit or removal of a drama from the last day."""
        guild_id = require_curator(interaction)
        repository = self.bot.repository
        # A server's admins may undo only changes to the server's own shows: an owner's change to a shared
        # show made here must not stand in the way of theirs.
        owner = interaction.user.id in self.bot.settings.owner_ids
        entry = await repository.last_undoable(guild_id, UNDOABLE, now_utc() - UNDO_WINDOW, own_shows_only=not owner)
        if entry is None or entry.show_id is None:
            raise InvalidInput("There is no add, edit or removal from the last day to undo.")
        show = await repository.show_even_if_removed(entry.show_id)
        if show is None:
            raise InvalidInput("That drama is gone for good; nothing to undo.")
        require_can_edit(interaction, show)
        if entry.action == "show.remove" and show.guild_id is not None:
            check_server_room(len(self.own_shows(show.guild_id)))
        old: dict[str, Any] | None = None
        new: dict[str, Any] = {"undid": entry.id, "action": entry.action}
        async with repository.transaction():
            if entry.action == "show.remove":
                await repository.set_show_removed(show.id, False)
                message = f"Brought **{show.title}** back."
            elif entry.action == "show.add":
                await repository.set_show_removed(show.id, True)
                message = f"Took **{show.title}** out again (it was added)."
            else:
                restored = {name: field_from_audit(name, value) for name, value in (entry.old or {}).items()}
                old = audit_fields({name: getattr(show, name) for name in restored})
                await repository.update_show_fields(show.id, restored, by_admin=True)
                new |= audit_fields(restored)
                message = f"Put back the earlier values of **{restored.get('title', show.title)}**."
            await repository.append_audit(
                action="catalog.undo", guild_id=guild_id, user_id=interaction.user.id, show_id=show.id, old=old,
                new=new,
            )  # fmt: skip
        await self.changed(show.id)
        await interaction.response.send_message(message)

    @catalog_commands.command(name="promote")
    @app_commands.describe(title="This server's drama to move into the shared catalog")
    async def catalog_promote(
        self, interaction: discord.Interaction[Dramabot], title: app_commands.Range[str, 1, 100]
    ) -> None:
        """Move a server's drama into the shared catalog every server sees (bot owners only)."""
        guild_id = require_curator(interaction)
        if interaction.user.id not in self.bot.settings.owner_ids:
            raise Forbidden("Only the bot's owners can move a drama into the shared catalog.")
        show = self.editable_show(interaction, title)
        if show.guild_id is None:
            raise InvalidInput(f"“{show.title}” is already in the shared catalog.")
        repository = self.bot.repository
        async with repository.transaction():
            await repository.set_show_guild(show.id, None)
            await repository.append_audit(
                action="catalog.promote", guild_id=guild_id, user_id=interaction.user.id, show_id=show.id,
                old={"guild_id": show.guild_id}, new={"guild_id": None, "title": show.title},
            )  # fmt: skip
        await self.changed(show.id)
        await interaction.response.send_message(f"**{show.title}** is now in the shared catalog of every server.")

    @catalog_promote.autocomplete("title")
    async def _promote_title(
        self, interaction: discord.Interaction[Dramabot], current: str
    ) -> list[app_commands.Choice[str]]:
        return await self.title_choices(interaction, current)


def history_detail(action: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """The old → new values of one audit entry, as short as a history line needs."""
    if action == "catalog.undo":
        undone = ACTION_LABELS.get(str(new.get("action")), str(new.get("action")))
        restored = [n for n in new if n not in ("undid", "action")]
        values = "; ".join(
            f"{FIELD_LABELS.get(n, n)} {shown_value(old.get(n))} → {shown_value(new[n])}" for n in restored
        )
        return f"undid “{undone}”" + (f" ({values})" if values else "")
    if action == "show.edit":
        return "; ".join(f"{FIELD_LABELS.get(n, n)} {shown_value(old.get(n))} → {shown_value(new[n])}" for n in new)
    if action == "show.alias":
        added = [a for a in new.get("aliases", []) if a not in old.get("aliases", [])]
        return "alias " + ", ".join(f"“{a}”" for a in added)
    if action == "show.cast":
        part = f" as {new['character']}" if new.get("character") else ""
        return f"{new.get('person')}{part} ({new.get('role')})"
    if action == "show.episode":
        return f"episode {new.get('episode')} {_when(old.get('air_at'))} → {_when(new.get('air_at'))}"
    if action == "show.add" and new.get("import"):
        return f"imported from {new['import']}"
    return ""


def _when(iso: str | None) -> str:
    return f"<t:{int(dt.datetime.fromisoformat(iso).timestamp())}:f>" if iso else "(none)"


async def setup(bot: Dramabot) -> None:
    await bot.add_cog(Curation(bot))
