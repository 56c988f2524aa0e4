"""The whole catalog for a live deployment: every Korean scripted show TVmaze lists, with its cast and characters.

`dramabot sync --catalog` pages through TVmaze's index of every show (`/shows?page=N`, 250 a page), keeps the
Korean scripted ones, and fetches each with its cast, episodes and other titles, merging it exactly as the daily
sync does (bot/sync.py: matched to the seed's show by id or title and year, one transaction a show, an admin's
edit never overwritten).

- Rate limit: the same TVmaze client as the daily sync, under 20 calls in any 10 s, with backoff on 429.
- Idempotent: a show whose `updated` stamp in the index is the one last merged is not fetched again, so a second
  run changes nothing and costs only the index pages (answered 304 from the cache when unchanged).
- Resumable: the next index page to read is kept in the database (`meta.catalog_sync_page`) after each page; a
  run that is stopped or killed continues from there, and the shows of the page it was in are skipped by stamp.
  A run that reaches the end starts the next one from the first page again.
"""

from __future__ import annotations

import datetime as dt
import logging
from zoneinfo import ZoneInfo

from bot import db
from bot.clock import SYSTEM_CLOCK
from bot.curation.editor import CatalogWriter
from bot.models import SEOUL
from bot.seed import read_seed
from bot.settings import Settings
from bot.sources.configured import open_sources
from bot.sources.http import SourceError
from bot.sources.tvmaze import TvmazeSource, is_korean_drama
from bot.store import Repository
from bot.sync import CatalogSync, DatabaseCache, Progress, SyncSummary

log = logging.getLogger(__name__)

CURSOR_KEY = "catalog_sync_page"


class CatalogIndexSync(CatalogSync):
    """One run over TVmaze's show index, merging each Korean drama as the daily sync merges a scheduled one."""

    async def from_index(self, source: TvmazeSource, *, today: dt.date, max_pages: int | None = None) -> None:
        repository = self.repository
        stamps = await repository.source_stamps("tvmaze")
        page = int(await repository.get_meta(CURSOR_KEY) or 0)
        pages_read = 0
        while max_pages is None or pages_read < max_pages:
            try:
                shows = await source.show_index(page)
            except SourceError as exc:
                self._skip("tvmaze", f"show index page {page}", str(exc))
                return  # the next run resumes at this page
            if shows is None:
                await repository.set_meta(CURSOR_KEY, "0")  # the end: the next run reads the index from the start
                log.info("catalog sync reached the end of the TVmaze index at page %d", page)
                return
            dramas = [show for show in shows if is_korean_drama(show)]
            for done, show in enumerate(dramas, start=1):
                tvmaze_id = int(show["id"])
                self._progress(
                    f"tvmaze catalog page {page + 1}: {done}/{len(dramas)} Korean dramas ({show.get('name')})"
                )
                stamp = str(show["updated"]) if isinstance(show.get("updated"), int) else None
                known = str(tvmaze_id) in stamps
                if known and stamp is not None and stamps[str(tvmaze_id)] == stamp:
                    self.summary.shows_unchanged += 1
                    continue
                record = await self._fetch(source, tvmaze_id, today)
                if record is not None:
                    await self.merge(record, known=known)
                    if record.stamp is not None:
                        stamps[str(tvmaze_id)] = record.stamp
            page += 1
            pages_read += 1
            await repository.set_meta(CURSOR_KEY, str(page))


async def sync_catalog(
    target: CatalogWriter | Repository,
    source: TvmazeSource,
    *,
    today: dt.date,
    progress: Progress | None = None,
    max_pages: int | None = None,
) -> SyncSummary:
    """Merge every Korean scripted show of TVmaze's index, from the page the last run stopped at."""
    writer = target if isinstance(target, CatalogWriter) else CatalogWriter(target)
    summary = SyncSummary()
    sync = CatalogIndexSync(writer, summary, progress)
    await sync.load()
    await sync.from_index(source, today=today, max_pages=max_pages)
    summary._count_calls(source.name, source.client.stats)
    log.info("catalog sync done: %s", "; ".join(summary.lines()))
    return summary


async def catalog_sync_command(settings: Settings, *, progress: Progress | None = None) -> SyncSummary:
    """Run `dramabot sync --catalog` against the configured database: open it, load the seed, sync, close."""
    connection = await db.connect(settings.database_path)
    try:
        await db.migrate(connection)
        repository = Repository(connection)
        await repository.load_seed(read_seed())
        today = SYSTEM_CLOCK.now().astimezone(ZoneInfo(SEOUL)).date()
        async with open_sources(settings, source="tvmaze", cache=DatabaseCache(repository)) as sources:
            if sources.tvmaze is None:  # TVmaze needs no key, so it is always there
                raise RuntimeError("TVmaze is not configured")
            return await sync_catalog(repository, sources.tvmaze, today=today, progress=progress)
    finally:
        await connection.close()
