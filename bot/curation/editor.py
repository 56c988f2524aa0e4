"""Every change to the catalog, written one way: one transaction, its audit row, then the catalog in memory.

`CatalogWriter.change()` is that path: the block's writes commit together with their audit rows, or none of them
do; once committed, the shows and people the change touched are re-read. A `CatalogWriter` alone (the `dramabot
sync` command) has no catalog in memory to refresh; a `CatalogEditor` (the running bot) refreshes its catalog and
tells `on_change` which shows changed, and holds what curators may do: each method re-checks the curator's
rights against the show as it is now, since a confirmation button may be pressed minutes after it was offered.
"""

from __future__ import annotations

import asyncio
import datetime as dt
from collections.abc import AsyncIterator, Callable, Mapping, Sequence
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from typing import Any

from bot.catalog import Catalog
from bot.curation.files import ImportRow, check_against_catalog
from bot.curation.rules import (
    Curator,
    ShowDraft,
    audit_fields,
    check_server_room,
    field_from_audit,
    own_shows,
)
from bot.errors import InvalidInput
from bot.models import AuditEntry, CreditKind, Episode, Person, Role, Show
from bot.store import Repository

UNDO_WINDOW = dt.timedelta(days=1)
# Every change /catalog undo can take back; it takes back the newest of them, whichever kind it is.
UNDOABLE = ("show.remove", "show.edit", "show.add", "show.alias", "show.cast", "show.episode")
ChangeListener = Callable[[int], None]


@dataclass(slots=True)
class Change:
    """One change being written: who made it (None for the sync), and what to re-read once it commits."""

    repository: Repository
    guild_id: int | None
    user_id: int | None
    show_ids: list[int] = field(default_factory=list)
    person_ids: list[int] = field(default_factory=list)

    async def audit(
        self,
        action: str,
        *,
        show_id: int | None = None,
        person_id: int | None = None,
        old: Mapping[str, Any] | None = None,
        new: Mapping[str, Any] | None = None,
    ) -> None:
        """Record the change in the audit log, in its transaction."""
        await self.repository.append_audit(
            action=action, guild_id=self.guild_id, user_id=self.user_id, show_id=show_id, person_id=person_id,
            old=old, new=new,
        )  # fmt: skip

    def touch(self, *show_ids: int) -> None:
        """Mark shows to re-read once the change commits."""
        self.show_ids.extend(show_ids)

    def touch_people(self, *person_ids: int) -> None:
        """Mark people to re-read once the change commits (new people, before the shows that credit them)."""
        self.person_ids.extend(person_ids)


@dataclass(frozen=True, slots=True)
class Edited:
    """A saved edit: the show as it is now, and the changed fields' values before and after (audit form)."""

    show: Show
    old: dict[str, Any]
    new: dict[str, Any]


@dataclass(frozen=True, slots=True)
class Undone:
    """What an undo reversed (an `UNDOABLE` action), the show's title now, and the history entry it took back."""

    action: str
    title: str
    entry: AuditEntry | None = None


class CatalogWriter:
    """Write catalog changes through one repository, each in one transaction with its audit rows."""

    def __init__(self, repository: Repository) -> None:
        self.repository = repository

    @asynccontextmanager
    async def change(self, *, guild_id: int | None = None, user_id: int | None = None) -> AsyncIterator[Change]:
        """Run the block's writes as one change; once it commits, refresh what it touched."""
        change = Change(self.repository, guild_id, user_id)
        async with self.repository.transaction():
            yield change
        await self.committed(change)

    async def committed(self, change: Change) -> None:
        """Show a committed change to readers; a bare writer has none."""


class CatalogEditor(CatalogWriter):
    """The running bot's writer: refreshes its catalog after each change and knows what curators may change."""

    def __init__(self, repository: Repository, catalog: Catalog, *, on_change: ChangeListener | None = None) -> None:
        super().__init__(repository)
        self.catalog = catalog
        self._on_change = on_change

    async def committed(self, change: Change) -> None:
        """Let search, autocomplete, countdowns and the announcer see the change at once."""
        for person_id in dict.fromkeys(change.person_ids):
            await self.catalog.refresh_person(self.repository, person_id)
        for show_id in dict.fromkeys(change.show_ids):
            await self.catalog.refresh_show(self.repository, show_id)
            if self._on_change is not None:
                self._on_change(show_id)

    def check_room(self, guild_id: int, adding: int = 1) -> None:
        """Refuse to take a server past the number of dramas of its own it may have."""
        check_server_room(len(own_shows(self.catalog, guild_id)), adding)

    def _live(self, show: Show, gone: str = "“{title}” is no longer in the catalog; nothing was changed.") -> Show:
        """The show as the catalog holds it now; InvalidInput(`gone`) if it left the catalog since it was named."""
        current = self.catalog.shows.get(show.id)
        if current is None:
            raise InvalidInput(gone.format(title=show.title))
        return current

    # -- shows ----------------------------------------------------------------------------------------------

    async def add_show(self, by: Curator, draft: ShowDraft) -> Show:
        """Add a drama to the curator's server."""
        guild_id = by.require()
        self.check_room(guild_id)
        async with self.change(guild_id=guild_id, user_id=by.user_id) as change:
            show_id = await self._insert(change, guild_id, draft, {})
        return self.catalog.shows[show_id]

    async def import_shows(self, by: Curator, rows: Sequence[ImportRow], filename: str) -> list[int]:
        """Add every row of an import file to the curator's server, or none (ImportRejected names the lines)."""
        guild_id = by.require()
        # Every title this server sees, normalised: 30 ms at the seed's scale, too long for the event loop.
        await asyncio.to_thread(check_against_catalog, rows, self.catalog.visible_shows(guild_id))
        self.check_room(guild_id, len(rows))
        async with self.change(guild_id=guild_id, user_id=by.user_id) as change:
            return [await self._insert(change, guild_id, row.draft, {"import": filename}) for row in rows]

    async def _insert(self, change: Change, guild_id: int, draft: ShowDraft, note: Mapping[str, Any]) -> int:
        show_id = await self.repository.add_show(draft.fields(), guild_id=guild_id)
        await self.repository.add_show_titles(show_id, draft.aliases, kind="alias")
        new = audit_fields(draft.fields()) | {"aliases": list(draft.aliases)} | dict(note)
        await change.audit("show.add", show_id=show_id, new=new)
        change.touch(show_id)
        return show_id

    async def edit_show(self, by: Curator, show: Show, changes: Mapping[str, Any]) -> Edited:
        """Save new field values (from `rules.edit_changes`), marked as edited by hand."""
        current = self._live(show)
        by.require_can_edit(current)
        old = audit_fields({name: getattr(current, name) for name in changes})
        new = audit_fields(changes)
        async with self.change(guild_id=by.guild_id, user_id=by.user_id) as change:
            # Marked as edited by hand, so seed upgrades and syncs keep an owner's edit of a shared show.
            await self.repository.update_show_fields(show.id, changes, by_admin=True)
            await change.audit("show.edit", show_id=show.id, old=old, new=new)
            change.touch(show.id)
        return Edited(self.catalog.shows[show.id], old, new)

    async def add_alias(self, by: Curator, show: Show, alias: str) -> None:
        """Add a checked alias (`rules.checked_alias`) to a show."""
        current = self._live(show)
        by.require_can_edit(current)
        async with self.change(guild_id=by.guild_id, user_id=by.user_id) as change:
            await self.repository.add_show_titles(show.id, [alias], kind="alias")
            await change.audit(
                "show.alias", show_id=show.id, old={"aliases": list(current.aliases)},
                new={"aliases": [*current.aliases, alias]},
            )  # fmt: skip
            change.touch(show.id)

    async def remove_show(self, by: Curator, show: Show) -> Show:
        """Take a show out of the catalog (kept in the database, so that an undo brings it back)."""
        current = self._live(show, "“{title}” is already gone from the catalog.")
        by.require_can_edit(current)
        async with self.change(guild_id=by.guild_id, user_id=by.user_id) as change:
            await self.repository.set_show_removed(show.id, True)
            await change.audit("show.remove", show_id=show.id, old={"title": current.title})
            change.touch(show.id)
        return current

    async def promote(self, by: Curator, show: Show) -> None:
        """Move a server's show into the shared catalog (bot owners only)."""
        by.require_owner("move a drama into the shared catalog")
        current = self._live(show)
        by.require_can_edit(current)
        if current.guild_id is None:
            raise InvalidInput(f"“{current.title}” is already in the shared catalog.")
        async with self.change(guild_id=by.guild_id, user_id=by.user_id) as change:
            await self.repository.set_show_guild(show.id, None)
            await change.audit(
                "catalog.promote", show_id=show.id, old={"guild_id": current.guild_id},
                new={"guild_id": None, "title": current.title},
            )  # fmt: skip
            change.touch(show.id)

    # -- cast and episodes ----------------------------------------------------------------------------------

    async def add_cast(
        self, by: Curator, show: Show, name: str, person: Person | None, character: str | None, role: Role
    ) -> Show:
        """Credit `person` (or a new person called `name`) in a show's cast, billed last; return the show now."""
        current = self._live(show)
        by.require_can_edit(current)
        billing = len(self.catalog.credits_of_show(show.id, CreditKind.CAST)) + 1
        async with self.change(guild_id=by.guild_id, user_id=by.user_id) as change:
            person_id = person.id if person else await self.repository.add_person(name)
            await self.repository.add_credit(
                show.id, person_id, CreditKind.CAST, character=character, role=role, billing=billing, source="admin"
            )
            await change.audit(
                "show.cast", show_id=show.id, person_id=person_id,
                new={"person": person.name if person else name, "character": character, "role": role.value},
            )  # fmt: skip
            if person is None:
                change.touch_people(person_id)
            change.touch(show.id)
        return self.catalog.shows[show.id]

    async def move_episode(self, by: Curator, show: Show, number: int, air_at: dt.datetime) -> None:
        """Set when one episode airs (a delay or a special); syncs keep what an admin wrote."""
        current = self._live(show)
        by.require_can_edit(current)
        before = next((e for e in self.catalog.episodes_of(show.id) if e.number == number), None)
        episode = Episode(show.id, number, air_at, before.title if before else None)
        async with self.change(guild_id=by.guild_id, user_id=by.user_id) as change:
            source = (await self.repository.episode_sources(show.id)).get(number)  # what an undo writes back
            await self.repository.upsert_episodes(show.id, [episode], source="admin")
            await change.audit(
                "show.episode", show_id=show.id,
                old={"episode": number, "air_at": before.air_at.isoformat() if before else None, "source": source},
                new={"episode": number, "air_at": air_at.isoformat()},
            )  # fmt: skip
            change.touch(show.id)

    # -- the log -----------------------------------------------------------------------------------------------

    async def history(self, guild_id: int, show: Show | None, *, limit: int) -> list[tuple[AuditEntry, str]]:
        """A server's latest changes, newest first (of one show, if given), each with what it was about."""
        entries = await self.repository.audit_entries(guild_id, show_id=show.id if show else None, limit=limit)
        named: list[tuple[AuditEntry, str]] = []
        for entry in entries:
            subject = self.catalog.shows.get(entry.show_id) if entry.show_id is not None else None
            if subject is None and entry.show_id is not None:  # removed since: the log still names it
                subject = await self.repository.show_even_if_removed(entry.show_id)
            named.append((entry, subject.title if subject else "a person"))
        return named

    async def undo_last(self, by: Curator, *, now: dt.datetime) -> Undone:
        """Reverse the newest change in the server from the last day that an undo can take back."""
        guild_id = by.require()
        async with self.change(guild_id=guild_id, user_id=by.user_id) as change:
            # Found inside the transaction, so two undos pressed at once take back two changes, not one twice.
            # A server's admins may undo only changes to the server's own shows: an owner's change to a shared
            # show made here must not stand in the way of theirs.
            entry = await self.repository.last_undoable(
                guild_id, UNDOABLE, now - UNDO_WINDOW, own_shows_only=not by.is_owner
            )
            if entry is None or entry.show_id is None:
                raise InvalidInput("There is no change from the last day to undo.")
            show = await self.repository.show_even_if_removed(entry.show_id)
            if show is None:
                raise InvalidInput("That drama is gone for good; nothing to undo.")
            by.require_can_edit(show)
            if entry.action == "show.remove" and show.guild_id is not None:
                self.check_room(show.guild_id)
            old, new, title = await self._reverse(entry, show)
            new = {"undid": entry.id, "action": entry.action} | new
            await change.audit("catalog.undo", show_id=show.id, old=old, new=new)
            change.touch(show.id)
        return Undone(entry.action, title, entry)

    async def _reverse(self, entry: AuditEntry, show: Show) -> tuple[dict[str, Any] | None, dict[str, Any], str]:
        """Write the reverse of one history entry; return the audit's old and new values and the show's title."""
        before, after = entry.old or {}, entry.new or {}
        if entry.action in ("show.remove", "show.add"):
            await self.repository.set_show_removed(show.id, entry.action == "show.add")
            return None, {}, show.title
        if entry.action == "show.edit":
            restored = {name: field_from_audit(name, value) for name, value in before.items()}
            old = audit_fields({name: getattr(show, name) for name in restored})
            await self.repository.update_show_fields(show.id, restored, by_admin=True)
            return old, audit_fields(restored), str(restored.get("title", show.title))
        if entry.action == "show.alias":
            added = [alias for alias in after.get("aliases", []) if alias not in before.get("aliases", [])]
            await self.repository.remove_show_aliases(show.id, added)
            return {"aliases": added}, {}, show.title
        if entry.action == "show.cast" and entry.person_id is not None:
            character = after.get("character")
            await self.repository.remove_credit(show.id, entry.person_id, CreditKind.CAST, character)
            return {"person": after.get("person"), "character": character}, {}, show.title
        if entry.action == "show.episode":
            number = int(after.get("episode", 0))
            if before.get("air_at"):
                air_at = dt.datetime.fromisoformat(str(before["air_at"]))
                title = next((e.title for e in self.catalog.episodes_of(show.id) if e.number == number), None)
                episode = Episode(show.id, number, air_at, title)
                await self.repository.upsert_episodes(show.id, [episode], source=str(before.get("source") or "admin"))
            else:
                await self.repository.remove_episode(show.id, number)
            return {"episode": number, "air_at": after.get("air_at")}, {"air_at": before.get("air_at")}, show.title
        raise InvalidInput("That change cannot be undone.")
