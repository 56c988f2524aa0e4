"""bot/airing.py: the shows that may air in a window are found without asking every show, and none is missed."""

from __future__ import annotations

import datetime as dt
import itertools
import shutil
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from bot import db
from bot.catalog import Catalog
from bot.models import Episode, Show, Status
from bot.store import Repository

UTC = dt.UTC
NOW = dt.datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
TICK = dt.timedelta(microseconds=1)

shows = st.builds(
    lambda n, days, count, finale, status, air_hour, moved: (
        Show(
            id=n, title=f"Show {n}", premiere=(NOW + dt.timedelta(days=days)).date(), air_days=((days % 7),),
            episode_count=count, finale=(NOW + dt.timedelta(days=days + finale)).date() if finale else None,
            status=status, air_time=dt.time(air_hour, 0) if air_hour is not None else None,
        ),
        [Episode(n, number, NOW + dt.timedelta(days=days + offset)) for number, offset in moved],
    ),
    n=st.integers(1, 10**6),
    days=st.integers(-500, 300),
    count=st.one_of(st.none(), st.integers(1, 40)),
    finale=st.one_of(st.none(), st.integers(0, 200)),
    status=st.sampled_from([None, Status.AIRING, Status.FINISHED, Status.UPCOMING]),
    air_hour=st.one_of(st.none(), st.integers(0, 23)),
    moved=st.lists(st.tuples(st.integers(1, 45), st.integers(-10, 400)), max_size=3, unique_by=lambda m: m[0]),
)  # fmt: skip


@settings(max_examples=60, deadline=None)
@given(
    catalog_shows=st.lists(shows, max_size=25, unique_by=lambda pair: pair[0].id),
    windows=st.lists(st.tuples(st.integers(-600, 500), st.integers(1, 24 * 40)), min_size=1, max_size=6),
)
def test_every_show_with_an_episode_in_a_window_is_among_the_windows_shows(
    catalog_shows: list[tuple[Show, list[Episode]]], windows: list[tuple[int, int]]
) -> None:
    catalog = Catalog([show for show, _ in catalog_shows], [], [], [e for _, rows in catalog_shows for e in rows])
    chosen = [(NOW + dt.timedelta(days=day), dt.timedelta(hours=hours)) for day, hours in windows]
    # And windows at the edges of each run: starting at its last episode, ending just after its first.
    for show in catalog.shows.values():
        run = (
            [ep.air_at for ep in itertools.islice(schedule.episodes(), 60)]
            if (schedule := catalog.schedule_of(show))
            else []
        )
        chosen += [(run[-1], TICK), (run[0] - dt.timedelta(hours=1), dt.timedelta(hours=1) + TICK)] if run else []
    for start, length in chosen:  # windows in any order: the set-aside horizon moves back and forth
        end = start + length
        airing = {show.id for show in catalog.shows_airing_between(start, end)}
        for show in catalog.shows.values():
            schedule = catalog.schedule_of(show)
            if schedule is not None and schedule.between(start, end):
                assert show.id in airing, (show, start, end)
        assert {schedule.show.id for schedule in catalog.schedules_between(start, end)} == airing


async def test_a_show_moved_into_a_window_is_found_there_after_its_refresh(
    seeded_database: Path, tmp_path: Path
) -> None:
    repository = Repository(await db.connect(Path(shutil.copyfile(seeded_database, tmp_path / "c.sqlite3"))))
    try:
        catalog = await Catalog.load(repository)
        await catalog.warm_airing()
        window = (NOW, NOW + dt.timedelta(days=2))
        ended = next(s for s in catalog.shows.values() if s.premiere and s.premiere.year < 2010)
        assert ended.id not in {s.id for s in catalog.shows_airing_between(*window)}

        await repository.upsert_episodes(ended.id, [Episode(ended.id, 1, NOW + dt.timedelta(hours=5))], source="admin")
        await catalog.refresh_show(repository, ended.id)

        assert ended.id in {s.id for s in catalog.shows_airing_between(*window)}
        assert [
            ep.number for s in catalog.schedules_between(*window) if s.show.id == ended.id for ep in s.between(*window)
        ] == [1]
    finally:
        await repository.close()
