"""What a newcomer tripped over (issue 18): each item as a plain-function test, then the console scripts
tests/scripts/newcomer.txt and newcomer-again.txt run by the real bot on one database, twice."""

from __future__ import annotations

import datetime as dt
import io
import shutil
import sqlite3
import subprocess
import sys
from pathlib import Path
from zoneinfo import ZoneInfo

from bot.ask import answer
from bot.cards import (
    announcement_text,
    countdown_card,
    render_timestamps,
    show_card,
    upcoming_card,
    upcoming_lines,
    weekly_slot,
    zone_label,
)
from bot.catalog import Catalog
from bot.console import run_console
from bot.models import AnnouncementKind, Show

SCRIPTS = Path(__file__).parent / "scripts"
BAD_IMPORT = Path(__file__).parent / "data" / "bad-import.csv"
SEOUL = ZoneInfo("Asia/Seoul")
TUE, WED = 1, 2
# Monday 2 March 2026, 12:00 UTC: the Tuesday-morning broadcast below is Monday evening in UTC.
NOW = dt.datetime(2026, 3, 2, 12, 0, tzinfo=dt.UTC)


def dawn_ferry(**fields: object) -> Show:
    """A drama that airs Tuesdays and Wednesdays at 08:34 in Seoul: 23:34 on Mondays and Tuesdays in UTC."""
    values: dict[str, object] = {
        "id": 1, "title": "Dawn Ferry", "networks": ("KBS2",), "premiere": dt.date(2026, 3, 3),
        "episode_count": 16, "air_days": (TUE, WED), "air_time": dt.time(8, 34),
    }  # fmt: skip
    values.update(fields)
    return Show(**values)  # type: ignore[arg-type]


def in_utc(text: str) -> str:
    return render_timestamps(text, tz=dt.UTC, now=NOW)


# -- times: the show's own days and clock, its zone named; each airing a timestamp -----------------------------


def test_the_air_days_are_the_shows_own_days_at_its_own_time_with_its_zone_named() -> None:
    show = dawn_ferry()
    catalog = Catalog([show], [], [])
    airs = next(f for f in show_card(catalog, show, now=NOW).fields if f.name == "Air days")
    slot, upcoming = airs.value.splitlines()
    assert slot == "Tue & Wed 08:34 KST"  # never "Tue, Wed at 23:34 UTC", which is Mon/Tue in UTC
    # The next airing is a Discord timestamp: each reader sees it in their own zone, here UTC.
    assert in_utc(upcoming) == "next 02 March 2026 23:34 UTC (in 11 hours)"
    assert weekly_slot(dawn_ferry(air_time=None), at=NOW) == "Tue & Wed (KST)"
    assert weekly_slot(dawn_ferry(air_days=(0, 2, 4)), at=NOW) == "Mon, Wed & Fri 08:34 KST"
    assert weekly_slot(dawn_ferry(air_days=()), at=NOW) == ""


def test_a_zone_is_named_as_people_write_it_at_that_moment() -> None:
    new_york = dawn_ferry(timezone="America/New_York")
    assert zone_label(new_york, dt.datetime(2026, 1, 5, tzinfo=dt.UTC)) == "EST"
    assert zone_label(new_york, dt.datetime(2026, 7, 5, tzinfo=dt.UTC)) == "EDT"
    # zoneinfo writes "+07" where a zone has no letters: the IANA name says more.
    assert zone_label(dawn_ferry(timezone="Asia/Ho_Chi_Minh"), NOW) == "Asia/Ho_Chi_Minh"


def test_countdown_upcoming_and_ask_agree_on_one_frame() -> None:
    show = dawn_ferry()
    catalog = Catalog([show], [], [])
    lines = in_utc(countdown_card(show, catalog.schedule_of(show), now=NOW).description).splitlines()
    assert lines == [
        "Premieres: Episode 1 of 16",
        "Airs Monday, 02 March 2026 23:34 UTC (in 11 hours)",
        "Broadcast: Tue 03 March 2026 08:34 KST; weekly Tue & Wed 08:34 KST",
    ]
    card, _page, _pages = upcoming_card(
        upcoming_lines(catalog, guild_id=None, now=NOW, days=2, network=""), page=0, days=2, network=""
    )
    # Listed under its Seoul date, at its Seoul time; the reader's own time in brackets.
    assert in_utc(card.description).splitlines()[:2] == [
        "**Tuesday 03 March** (Seoul)",
        "08:34 KST (23:34 UTC) · **Dawn Ferry** (KBS2) · Premiere · Episode 1 of 16",
    ]
    said = in_utc(answer("when is the next episode of dawn ferry?", catalog, guild_id=None, now=NOW).text)
    assert said == (
        "Dawn Ferry (2026) premieres on Monday, 02 March 2026 23:34 UTC (in 11 hours; Tue 08:34 KST). "
        "It airs every Tue & Wed 08:34 KST."
    )


def test_upcoming_gives_the_weekday_of_a_show_whose_own_date_is_not_the_seoul_one() -> None:
    show = dawn_ferry(timezone="America/New_York", air_time=dt.time(21, 0), air_days=(0,), premiere=dt.date(2026, 3, 2))
    catalog = Catalog([show], [], [])
    (line,) = upcoming_lines(catalog, guild_id=None, now=NOW, days=1, network="")
    # Monday 21:00 in New York is Tuesday 11:00 in Seoul: listed under Tuesday, marked as its own Monday.
    assert line.day == dt.date(2026, 3, 3)
    assert in_utc(line.text).startswith("Mon 21:00 EST (02:00 UTC) · **Dawn Ferry**")


# -- wording -----------------------------------------------------------------------------------------------------


def test_an_announcement_says_premiere_once() -> None:
    moment = dt.datetime(2026, 3, 2, 23, 34, tzinfo=dt.UTC)
    first = announcement_text(dawn_ferry(), episode=1, total=16, kind=AnnouncementKind.PREMIERE, air_at=moment,
                              time_known=True)  # fmt: skip
    assert first.description == "**Dawn Ferry** premieres with episode 1 of 16."
    third = announcement_text(dawn_ferry(), episode=3, total=None, kind=AnnouncementKind.EPISODE, air_at=moment,
                              time_known=True)  # fmt: skip
    assert third.description == "**Dawn Ferry** airs episode 3."


def test_a_card_with_no_details_says_so_rather_than_unknown() -> None:
    bare = Show(id=2, title="Bare Bones Drama")
    card = show_card(Catalog([bare], [], []), bare, now=NOW)
    assert card.description == "No year, network, episode count or air dates in the catalog yet."
    assert "Unknown" not in card.description


def test_discord_py_says_nothing_about_voice() -> None:
    # A fresh process, so discord.py's once-per-process warning has not been spent by another client.
    program = (
        "import logging, sys; logging.basicConfig(stream=sys.stdout, level=logging.WARNING)\n"
        "import discord\n"
        "from bot.app import Dramabot\nfrom bot.settings import Settings\n"
        "Dramabot(Settings())\n"
        "print('plain client:'); discord.VoiceClient.warn_nacl = True; discord.Client(intents=discord.Intents.none())\n"
    )
    result = subprocess.run([sys.executable, "-c", program], capture_output=True, text=True, timeout=60, check=True)
    ours, plain = result.stdout.split("plain client:")
    assert "voice will NOT be supported" not in ours
    assert "PyNaCl is not installed, voice will NOT be supported" in plain  # the warning exists to be silenced


# -- the console scripts ---------------------------------------------------------------------------------------


def next_tuesday_in_seoul(after_days: int = 3) -> dt.date:
    day = dt.datetime.now(SEOUL).date() + dt.timedelta(days=after_days)
    return day + dt.timedelta(days=(TUE - day.weekday()) % 7)


def run(script: str, database: Path, tmp_path: Path, **values: str) -> tuple[int, str]:
    text = (SCRIPTS / script).read_text(encoding="utf-8")
    for name, value in values.items():
        text = text.replace("{" + name + "}", value)
    path = tmp_path / script
    path.write_text(text, encoding="utf-8")
    out = io.StringIO()
    return run_console({}, script=path, database=database, stdout=out), out.getvalue()


def after(out: str, line: str) -> str:
    """What the console printed for one script line: from its echo to the next echo."""
    start = out.index(f"> {line}\n") + len(line) + 3
    end = out.find("\n> ", start)
    return out[start : end if end >= 0 else len(out)]


def test_the_newcomers_script_twice_on_one_database(tmp_path: Path, seeded_database: Path) -> None:
    database = Path(shutil.copyfile(seeded_database, tmp_path / "newcomer.sqlite3"))
    premiere = next_tuesday_in_seoul()
    status, out = run("newcomer.txt", database, tmp_path, premiere=premiere.isoformat(), bad_import=str(BAD_IMPORT))
    assert status == 0, out  # every line did what it should; the `expect error` lines failed as they should
    assert out.count("(failed, as expected)") == 4, out

    # Times.
    local = dt.datetime.combine(premiere, dt.time(8, 34), SEOUL)
    added = after(out, f"/show add title: Dawn Ferry network: KBS2 premiere: {premiere} episodes: 16 air_days: "
                       "Tue,Wed air_time: 08:34")  # fmt: skip
    assert "│   Tue & Wed 08:34 KST " in added, added
    # The console shows timestamps in this machine's zone, as Discord shows them in the reader's.
    mine = local.astimezone()
    assert f"│   next {mine:%d %B %Y %H:%M} {mine.tzname()} (in " in added, added
    countdown = after(out, "/countdown dawn ferry")
    assert f"│ Broadcast: Tue {local:%d %B %Y} 08:34 KST; weekly Tue & Wed 08:34 KST" in countdown, countdown
    upcoming = after(out, "/upcoming days: 14 network: KBS2")
    assert f"│ {premiere:%A %d %B} (Seoul)" in upcoming, upcoming
    assert f"│ 08:34 KST ({mine:%H:%M} {mine.tzname()}) · Dawn Ferry" in upcoming, upcoming
    asked = after(out, "@Dramabot when is the next episode of dawn ferry?")
    assert f"premieres on {mine:%A, %d %B %Y %H:%M}" in asked, asked
    assert "; Tue 08:34 KST). It airs every Tue & Wed 08:34 KST." in asked, asked

    # Wording.
    assert "│ No year, network, episode count or air dates in the catalog yet." in after(
        out, "/show add title: Bare Bones Drama"
    )
    sample = after(out, "/announce test")
    assert "premieres with episode 1 of 16." in sample and "premiere · episode" not in sample, sample

    # Undo: the alias, the newest change, not the add before it; and it says which.
    undone = after(out, "/catalog undo")
    assert "Took the alias “Ferry at Dawn” off Dawn Ferry." in undone, undone
    assert "That was the newest change you can undo: @Hana added an alias to Dawn Ferry" in undone, undone

    # The console's behaviour.
    assert "✖ no message with buttons or menus in #trivia yet; there are some in #general" in out, out
    assert "│ Hospital Playlist Season 2" in after(out, "select 2")  # back in #general, the menu is there
    assert "✖ “drama goblin” would be a plain chat message" in out and "did you mean /drama goblin?" in out
    assert "✖ title: is given twice, “goblin” and “vincenzo”; keep one." in out
    imported = after(out, f"expect error /catalog import file: {BAD_IMPORT}")
    assert "Nothing was imported" in imported and "line 3:" in imported and "(failed, as expected)" in imported

    # Hard trivia about Goblin: nothing about it is obscure enough.
    assert "Who directed Goblin?" not in out  # hard questions follow obscurity (unit-tested in test_trivia.py)

    # The second start: the same server, channels and people, so their dramas and settings are still there.
    status, again = run("newcomer-again.txt", database, tmp_path)
    assert status == 0, again
    assert "│ Channel: #announcements " in after(again, "/announce status"), again
    assert "│ Dawn Ferry " in after(again, "/drama dawn ferry"), again
    history = after(again, "/catalog history")
    assert "@Hana added an alias to Dawn Ferry" in history and "unknown" not in history, history
    assert "Took Bare Bones Drama out again" in after(again, "/catalog undo"), again


def test_a_new_database_gets_a_world_of_its_own(tmp_path: Path, seeded_database: Path) -> None:
    first = Path(shutil.copyfile(seeded_database, tmp_path / "first.sqlite3"))
    second = Path(shutil.copyfile(seeded_database, tmp_path / "second.sqlite3"))
    script = "as admin\n/announce channel channel: #announcements\n"
    ids = []
    for database in (first, second, first):
        path = tmp_path / "script.txt"
        path.write_text(script, encoding="utf-8")
        assert run_console({}, script=path, database=database, stdout=io.StringIO()) == 0
        with sqlite3.connect(database) as connection:
            (channel,) = connection.execute("SELECT channel_id FROM announce_settings").fetchone()
        ids.append(channel)
    assert ids[0] == ids[2] != ids[1]  # one database, one server; another database, another
