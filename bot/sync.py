"""Keep the shared catalog fresh from TVmaze (and TMDB when a key is set), merging without duplicates.

Merge rules, for each show a source describes:

1. Find the catalog show it is: the show already linked to this source record (or whose `tvmaze_id` /
   `tmdb_id` column names it), else the show linked to an IMDb or TheTVDB id the record names, else a
   shared show with the same normalised title (any of its titles) and premiere year. A title alone matches
   only when one show has it and a year is missing on either side. No match: a new shared show.
2. Facts the source owns (TVmaze: schedule, status, finale, its id; TMDB: Hangul title, episode count, its
   id) are updated; its other facts only fill fields the catalog leaves empty. A field an admin edited
   (`Show.edited_fields`) is never overwritten: the difference is logged at INFO.
3. Episodes (TVmaze only: it has air times) are added or updated by number; an episode an admin wrote is
   kept. Credits are stored with the source's name, people matched by TMDB id, then by name ignoring case,
   hyphens and spaces ("Han So-hee" is "Han So Hee"); a person another source already credits in the show
   is not credited twice.
4. Each show is written as one change through a `CatalogWriter` (one transaction with its audit rows); a
   malformed payload, or one the database rejects, is logged and skipped with nothing half-written. Inside the
   bot the writer is its `CatalogEditor`, on the bot's own connection, so each show reaches every command as
   soon as it commits; `dramabot sync` opens the database itself and writes through a plain `CatalogWriter`.
"""

from __future__ import annotations

import datetime as dt
import logging
import zlib
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot import db
from bot.clock import SYSTEM_CLOCK
from bot.curation.editor import CatalogWriter, Change
from bot.models import SEOUL, CreditKind, Episode, Person, Show
from bot.seed import read_seed
from bot.settings import Settings
from bot.sources import Source, SourceCredit, SourceShow, tmdb, tvmaze
from bot.sources.configured import check_source, open_sources
from bot.sources.http import CallStats, SourceError, SourceUnreachable
from bot.sources.tmdb import TmdbSource
from bot.sources.tvmaze import TvmazeSource
from bot.store import Repository
from bot.text import name_key

log = logging.getLogger(__name__)

DEFAULT_DAYS = 14
CACHE_KEEP_DAYS = 30  # cached answers unused this long (past days' schedules) are dropped
Progress = Callable[[str], None]


@dataclass(frozen=True, slots=True)
class Skipped:
    source: str
    what: str
    reason: str

    def __str__(self) -> str:
        return f"{self.source}: {self.what}: {self.reason}"


@dataclass(slots=True)
class SyncSummary:
    """What a sync did. Filled in as it runs; `show_ids`/`person_ids` are what a Catalog must refresh."""

    shows_added: int = 0
    shows_updated: int = 0
    shows_unchanged: int = 0
    episodes_added: int = 0
    episodes_changed: int = 0
    people_added: int = 0
    credits_added: int = 0
    edits_kept: int = 0
    calls: int = 0
    not_modified: int = 0
    retries: int = 0
    calls_by_source: dict[str, int] = field(default_factory=dict)
    skipped: list[Skipped] = field(default_factory=list)
    show_ids: set[int] = field(default_factory=set)
    person_ids: set[int] = field(default_factory=set)

    def lines(self) -> list[str]:
        """The summary as the CLI prints it."""
        by_source = ", ".join(f"{name} {count}" for name, count in self.calls_by_source.items())
        lines = [
            f"shows: {self.shows_added} added, {self.shows_updated} updated, {self.shows_unchanged} unchanged",
            f"episodes: {self.episodes_added} added, {self.episodes_changed} changed",
            f"people added: {self.people_added}, credits added: {self.credits_added},"
            f" admin edits kept: {self.edits_kept}",
            f"calls: {self.calls} ({by_source or 'none'}); {self.not_modified} not modified (304),"
            f" {self.retries} retried",
        ]
        lines.extend(f"skipped {entry}" for entry in self.skipped)
        return lines

    def _count_calls(self, source: str, stats: CallStats) -> None:
        self.calls += stats.calls
        self.not_modified += stats.not_modified
        self.retries += stats.retries
        self.calls_by_source[source] = stats.calls


class DatabaseCache:
    """The sources' answers for conditional requests, kept in the catalog database (compressed)."""

    def __init__(self, repository: Repository) -> None:
        self._repository = repository

    async def get(self, url: str) -> tuple[str | None, str | None, bytes] | None:
        found = await self._repository.cached_response(url)
        if found is None:
            return None
        etag, last_modified, body = found
        return etag, last_modified, zlib.decompress(body)

    async def put(self, url: str, *, etag: str | None, last_modified: str | None, body: bytes) -> None:
        await self._repository.store_response(url, etag=etag, last_modified=last_modified, body=zlib.compress(body))


class ShowMatcher:
    """The shared catalog's shows by normalised title, to recognise a show a source names differently."""

    def __init__(self, shows: Iterable[Show]) -> None:
        self._by_key: dict[str, dict[int, Show]] = {}
        for show in shows:
            self.add(show)

    def add(self, show: Show) -> None:
        if show.guild_id is not None:
            return
        for title in show.all_titles:
            self._by_key.setdefault(name_key(title), {})[show.id] = show

    def replace(self, show: Show) -> None:
        for shows in self._by_key.values():
            shows.pop(show.id, None)
        self.add(show)

    def match(self, record: SourceShow) -> Show | None:
        """Return the one shared show with one of the record's titles and its premiere year, if any."""
        titles = [record.title, *record.alt_titles]
        if record.facts.get("hangul_title"):
            titles.append(record.facts["hangul_title"])
        id_field = f"{record.source}_id"
        for title in titles:
            candidates = [
                show
                for show in self._by_key.get(name_key(title), {}).values()
                if getattr(show, id_field, None) in (None, record.external_id)  # another record's show is not it
            ]
            if record.premiere is not None:
                same_year = [s for s in candidates if s.year == record.premiere.year]
                if same_year:
                    return same_year[0]
                undated = [s for s in candidates if s.year is None]
                if len(candidates) == 1 and undated:
                    return undated[0]
            elif len(candidates) == 1:
                return candidates[0]
        return None


class PeopleIndex:
    """People by TMDB id and by folded name; additions stay pending until their transaction commits."""

    def __init__(self, people: Iterable[Person]) -> None:
        self._by_tmdb: dict[int, int] = {}
        self._by_name: dict[str, int] = {}
        self._pending: list[tuple[int, tuple[str, ...], int | None]] = []
        for person in people:
            self._index(person.id, person.all_names, person.tmdb_id)

    def _index(self, person_id: int, names: Iterable[str], tmdb_id: int | None) -> None:
        if tmdb_id is not None:
            self._by_tmdb.setdefault(tmdb_id, person_id)
        for name in names:
            self._by_name.setdefault(name_key(name), person_id)

    def find(self, credit: SourceCredit) -> int | None:
        for person_id, names, tmdb_id in reversed(self._pending):
            if (credit.person_tmdb_id is not None and credit.person_tmdb_id == tmdb_id) or name_key(
                credit.person_name
            ) in map(name_key, names):
                return person_id
        if credit.person_tmdb_id is not None and credit.person_tmdb_id in self._by_tmdb:
            return self._by_tmdb[credit.person_tmdb_id]
        for name in (credit.person_name, credit.person_hangul_name):
            if name and name_key(name) in self._by_name:
                return self._by_name[name_key(name)]
        return None

    def add_pending(self, person_id: int, names: Sequence[str], tmdb_id: int | None) -> None:
        self._pending.append((person_id, tuple(names), tmdb_id))

    def commit(self) -> None:
        for person_id, names, tmdb_id in self._pending:
            self._index(person_id, names, tmdb_id)
        self._pending.clear()

    def rollback(self) -> None:
        self._pending.clear()


@dataclass(slots=True)
class _Changes:
    """What merging one record changed, counted into the summary only once its transaction commits."""

    added: bool = False
    fields: dict[str, tuple[Any, Any]] = field(default_factory=dict)
    titles: int = 0
    episodes_added: int = 0
    episodes_changed: int = 0
    credits_added: int = 0
    credits_changed: int = 0
    people: list[int] = field(default_factory=list)
    edits_kept: int = 0

    @property
    def any(self) -> bool:
        return bool(
            self.added
            or self.fields
            or self.titles
            or self.episodes_added
            or self.episodes_changed
            or self.credits_added
            or self.credits_changed
        )


class CatalogSync:
    """One sync run through a writer: load the matchers once, then merge record after record."""

    def __init__(self, writer: CatalogWriter, summary: SyncSummary, progress: Progress | None = None) -> None:
        self.writer = writer
        self.repository = writer.repository
        self.summary = summary
        self._progress = progress or (lambda _message: None)
        self._shows = ShowMatcher(())
        self._people = PeopleIndex(())

    async def load(self) -> None:
        self._shows = ShowMatcher(await self.repository.all_shows())
        self._people = PeopleIndex(await self.repository.all_people())

    def _skip(self, source: str, what: str, reason: str) -> None:
        log.warning("sync skipped %s: %s: %s", source, what, reason)
        self.summary.skipped.append(Skipped(source, what, reason))

    # -- the sources ------------------------------------------------------------------------------------

    async def from_tvmaze(self, source: TvmazeSource, *, today: dt.date, days: int) -> None:
        dates = [today + dt.timedelta(days=n) for n in range(days)]
        airing, failures = await source.dramas_airing(
            dates, lambda done, total, label: self._progress(f"tvmaze schedules {done}/{total}: {label}")
        )
        for what, reason in failures:
            self._skip("tvmaze", what, reason)
        hints = tvmaze.stamps_of(airing.values())
        stamps = await self.repository.source_stamps("tvmaze")
        if stamps:
            # Linked shows off the schedule (a finished show, a moved premiere) still get their changes.
            try:
                for tvmaze_id, stamp in (await source.updated_today()).items():
                    if stamps.get(str(tvmaze_id), stamp) != stamp:
                        hints[tvmaze_id] = stamp
            except SourceError as exc:
                self._skip("tvmaze", "show updates", str(exc))
        for done, (tvmaze_id, hint) in enumerate(sorted(hints.items()), start=1):
            self._progress(f"tvmaze shows {done}/{len(hints)}: {tvmaze_id}")
            known = str(tvmaze_id) in stamps
            if known and hint is not None and stamps[str(tvmaze_id)] == hint:
                self.summary.shows_unchanged += 1
                continue
            record = await self._fetch(source, tvmaze_id, today)
            if record is not None:
                await self.merge(record, known=known)

    async def from_tmdb(self, source: TmdbSource, *, today: dt.date, days: int) -> None:
        last = today + dt.timedelta(days=max(days - 1, 0))
        try:
            ids = await source.korean_shows_airing(
                today, last, lambda done, total, label: self._progress(f"tmdb discover {done}/{total}: {label}")
            )
        except SourceError as exc:
            self._skip("tmdb", "discover", str(exc))
            return
        stamps = await self.repository.source_stamps("tmdb")
        for done, tmdb_id in enumerate(ids, start=1):
            self._progress(f"tmdb shows {done}/{len(ids)}: {tmdb_id}")
            record = await self._fetch(source, tmdb_id, today)
            if record is None:
                continue
            known = str(tmdb_id) in stamps
            if known and stamps[str(tmdb_id)] == record.stamp:
                self.summary.shows_unchanged += 1
                continue
            await self.merge(record, known=known)

    async def _fetch(self, source: Source, external_id: int, today: dt.date) -> SourceShow | None:
        """Fetch and parse one show, or record why it is skipped."""
        try:
            return await source.fetch_show(external_id, today=today)
        except SourceError as exc:  # refused, failing, or malformed
            self._skip(source.name, f"show {external_id}", str(exc))
        except SourceUnreachable:
            raise
        except Exception as exc:  # a payload shaped in a way the parser did not foresee
            log.warning("parsing %s show %d failed", source.name, external_id, exc_info=True)
            self._skip(source.name, f"show {external_id}", f"malformed payload: {type(exc).__name__}: {exc}")
        return None

    # -- merging one record ---------------------------------------------------------------------------------

    async def merge(self, record: SourceShow, *, known: bool = False) -> None:
        """Merge one source record into the catalog as one change, or skip it whole."""
        show_id = await self._find(record)
        if show_id is None and known:
            self._skip(record.source, record.label, "its catalog show was removed; not re-adding it")
            return
        changes = _Changes()
        try:
            async with self.writer.change() as change:
                show_id = await self._write(record, show_id, changes, change)
                if changes.any:
                    change.touch_people(*changes.people)
                    change.touch(show_id)
        except Exception as exc:  # the transaction rolled back: nothing of this record was written
            self._people.rollback()
            log.debug("merge of %s failed", record.label, exc_info=True)
            self._skip(record.source, record.label, f"{type(exc).__name__}: {exc}")
            return
        self._people.commit()
        show = await self.repository.get_show(show_id)
        if show is not None:
            self._shows.replace(show)
        summary = self.summary
        summary.edits_kept += changes.edits_kept
        summary.episodes_added += changes.episodes_added
        summary.episodes_changed += changes.episodes_changed
        summary.credits_added += changes.credits_added
        summary.people_added += len(changes.people)
        summary.person_ids.update(changes.people)
        if changes.added:
            summary.shows_added += 1
        elif changes.any:
            summary.shows_updated += 1
        else:
            summary.shows_unchanged += 1
        if changes.any:
            summary.show_ids.add(show_id)

    async def _find(self, record: SourceShow) -> int | None:
        show_id = await self.repository.shared_show_for_source(record.source, str(record.external_id))
        for kind, external_id in record.other_ids.items():
            if show_id is None:
                show_id = await self.repository.shared_show_for_source(kind, external_id)
        if show_id is None:
            show = self._shows.match(record)
            show_id = show.id if show else None
        return show_id

    async def _write(self, record: SourceShow, show_id: int | None, changes: _Changes, change: Change) -> int:
        repository = self.repository
        if show_id is None:
            show_id = await repository.add_show(record.facts)
            changes.added = True
            await change.audit(f"sync.{record.source}.add", show_id=show_id, new=dict(record.facts))
            log.info("sync added show %d from %s", show_id, record.label)
        else:
            current = await repository.get_show(show_id)
            if current is None:
                raise LookupError(f"show {show_id} vanished")
            updates = self._field_updates(record, current, changes)
            if updates:
                await repository.update_show_fields(show_id, updates, by_admin=False)
                await change.audit(
                    f"sync.{record.source}",
                    show_id=show_id,
                    old={name: old for name, (old, _new) in changes.fields.items()},
                    new={name: new for name, (_old, new) in changes.fields.items()},
                )
                log.info(
                    "sync updated show %d (%s) from %s: %s",
                    show_id,
                    current.title,
                    record.label,
                    ", ".join(sorted(updates)),
                )
        changes.titles = await repository.add_show_titles(show_id, record.alt_titles)
        await repository.link_show_source(show_id, record.source, str(record.external_id), record.stamp)
        for kind, external_id in record.other_ids.items():
            if await repository.shared_show_for_source(kind, external_id) in (None, show_id):
                await repository.link_show_source(show_id, kind, external_id, None)
        if record.episodes is not None:
            await self._write_episodes(record, show_id, changes)
        await self._write_credits(record, show_id, changes)
        return show_id

    def _field_updates(self, record: SourceShow, current: Show, changes: _Changes) -> dict[str, Any]:
        owned = set(record.owned)
        if record.source == tmdb.SOURCE and current.tvmaze_id is None:
            owned |= tmdb.OWNED_WITHOUT_TVMAZE
        updates: dict[str, Any] = {}
        for name, value in record.facts.items():
            old = getattr(current, name)
            if old == value or (name not in owned and old not in (None, (), "")):
                continue
            if name in current.edited_fields:
                changes.edits_kept += 1
                log.info(
                    "sync kept the admin's %s of show %d (%s): %s; %s says %s",
                    name,
                    current.id,
                    current.title,
                    old,
                    record.label,
                    value,
                )
                continue
            updates[name] = value
            changes.fields[name] = (old, value)
        return updates

    async def _write_episodes(self, record: SourceShow, show_id: int, changes: _Changes) -> None:
        current = {e.number: e for e in await self.repository.episodes_of_show(show_id)}
        sources = await self.repository.episode_sources(show_id)
        writes: list[Episode] = []
        for item in record.episodes or ():
            old = current.get(item.number)
            episode = Episode(
                show_id=show_id, number=item.number, air_at=item.air_at.astimezone(dt.UTC), title=item.title
            )
            if old is not None and (old.air_at, old.title) == (episode.air_at, episode.title):
                continue
            if old is not None and sources.get(item.number) == "admin":
                changes.edits_kept += 1
                log.info(
                    "sync kept the admin's episode %d of show %d: %s; %s says %s",
                    item.number,
                    show_id,
                    old.air_at.isoformat(),
                    record.label,
                    episode.air_at.isoformat(),
                )
                continue
            writes.append(episode)
            if old is None:
                changes.episodes_added += 1
            else:
                changes.episodes_changed += 1
                log.info(
                    "sync moved episode %d of show %d: %s -> %s",
                    item.number,
                    show_id,
                    old.air_at.isoformat(),
                    episode.air_at.isoformat(),
                )
        if writes:
            await self.repository.upsert_episodes(show_id, writes, source=record.source)

    async def _write_credits(self, record: SourceShow, show_id: int, changes: _Changes) -> None:
        repository = self.repository
        existing = await repository.credit_sources(show_id)
        credited_elsewhere = {(pid, kind) for (pid, kind, _c), source in existing.items() if source != record.source}
        mine = {key for key, source in existing.items() if source == record.source}
        keep: set[tuple[int, str, str]] = set()
        for credit in record.credits:
            person_id = await self._person_for(credit, changes)
            key = (person_id, str(credit.kind), credit.character or "")
            if key in keep or (person_id, str(credit.kind)) in credited_elsewhere:
                continue
            keep.add(key)
            if key in mine:
                if await repository.update_credit(
                    show_id,
                    person_id,
                    credit.kind,
                    character=credit.character,
                    role=credit.role,
                    billing=credit.billing,
                ):
                    changes.credits_changed += 1
            else:
                await repository.add_credit(
                    show_id,
                    person_id,
                    credit.kind,
                    character=credit.character,
                    role=credit.role,
                    billing=credit.billing,
                    source=record.source,
                )
                changes.credits_added += 1
        for person_id, kind, character in mine - keep:
            await repository.remove_credit(show_id, person_id, CreditKind(kind), character)
            changes.credits_changed += 1

    async def _person_for(self, credit: SourceCredit, changes: _Changes) -> int:
        repository = self.repository
        person_id = self._people.find(credit)
        if person_id is None:
            person_id = await repository.add_person(
                credit.person_name, hangul_name=credit.person_hangul_name, tmdb_id=credit.person_tmdb_id
            )
            changes.people.append(person_id)
            names = [credit.person_name, *([credit.person_hangul_name] if credit.person_hangul_name else [])]
            self._people.add_pending(person_id, names, credit.person_tmdb_id)
            return person_id
        if credit.person_hangul_name or credit.person_tmdb_id:
            await repository.fill_person_ids(
                person_id, hangul_name=credit.person_hangul_name, tmdb_id=credit.person_tmdb_id
            )
        # Keep the source's spelling ("Han So-hee") as another name the person is found by.
        await repository.add_person_names(person_id, [credit.person_name])
        return person_id


async def run_sync(
    target: Repository | CatalogWriter,
    *,
    tvmaze_source: TvmazeSource | None = None,
    tmdb_source: TmdbSource | None = None,
    days: int = DEFAULT_DAYS,
    today: dt.date | None = None,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
) -> SyncSummary:
    """Bring the shared catalog up to date with the given sources over the next `days` days; summarise.

    `target` is the writer each show goes through (a bare repository gets a plain CatalogWriter). TVmaze runs
    first (it owns the schedule); TMDB then adds what it knows to the same shows. `now` (the system clock's
    by default) dates the cache pruning, and `today`, the first schedule date, is Seoul's date at `now`.
    """
    if days < 1:
        raise ValueError("a sync covers at least one day")
    writer = target if isinstance(target, CatalogWriter) else CatalogWriter(target)
    now = now or SYSTEM_CLOCK.now()
    today = today or now.astimezone(ZoneInfo(SEOUL)).date()
    summary = SyncSummary()
    sync = CatalogSync(writer, summary, progress)
    await sync.load()
    if tvmaze_source is not None:
        await sync.from_tvmaze(tvmaze_source, today=today, days=days)
        summary._count_calls(tvmaze_source.name, tvmaze_source.client.stats)
    if tmdb_source is not None:
        await sync.from_tmdb(tmdb_source, today=today, days=days)
        summary._count_calls(tmdb_source.name, tmdb_source.client.stats)
    pruned = await writer.repository.prune_http_cache(now - dt.timedelta(days=CACHE_KEEP_DAYS))
    log.info("sync done: %s; %d stale cached answers dropped", "; ".join(summary.lines()), pruned)
    return summary


async def sync_from_sources(
    writer: CatalogWriter,
    settings: Settings,
    *,
    source: str | None = None,
    days: int = DEFAULT_DAYS,
    now: dt.datetime | None = None,
    progress: Progress | None = None,
) -> SyncSummary:
    """Run one sync through `writer` from the configured sources (see `open_sources`), caching in its database."""
    async with open_sources(settings, source=source, cache=DatabaseCache(writer.repository)) as sources:
        return await run_sync(
            writer, tvmaze_source=sources.tvmaze, tmdb_source=sources.tmdb, days=days, now=now, progress=progress
        )


async def sync_command(
    settings: Settings,
    *,
    source: str | None = None,
    days: int = DEFAULT_DAYS,
    progress: Progress | None = None,
    seed_file: Path | None = None,
) -> SyncSummary:
    """Run one sync against the configured database, as `dramabot sync` does (the running bot uses its own).

    Opens the database, applies migrations and the seed (so seed shows are matched, not duplicated), and
    closes everything it opened. TMDB is used only when TMDB_API_KEY is set.
    """
    check_source(settings, source)
    connection = await db.connect(settings.database_path)
    try:
        await db.migrate(connection)
        repository = Repository(connection)
        await repository.load_seed(read_seed(seed_file))
        return await sync_from_sources(CatalogWriter(repository), settings, source=source, days=days, progress=progress)
    finally:
        await connection.close()
