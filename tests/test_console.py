"""`dramabot console`: its parsing and drawing as plain functions, and whole scripted sessions with the real bot."""

from __future__ import annotations

import asyncio
import datetime as dt
import io
import re
import shutil
import time
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from bot.clock import ScaledClock
from bot.console import (
    Completer,
    Console,
    Names,
    UsageError,
    component_lines,
    display_width,
    embed_lines,
    option_value,
    parse_command,
    readable,
    run_console,
    sandbox_bot,
)
from bot.sandbox import Component, FakeDiscord

# Commands shaped as Discord stores them after a sync (types: 1 subcommand, 2 group, 3 text, 4 integer, 5
# boolean, 7 channel, 8 role).
COMMANDS: dict[str, dict[str, Any]] = {
    "drama": {"name": "drama", "options": [{"type": 3, "name": "title", "required": True, "autocomplete": True}]},
    "announce": {
        "name": "announce",
        "options": [
            {"type": 1, "name": "channel", "options": [{"type": 7, "name": "channel", "required": True}]},
            {"type": 2, "name": "role", "options": [
                {"type": 1, "name": "set", "options": [{"type": 8, "name": "role", "required": True}]},
            ]},
        ],
    },
    "trivia": {
        "name": "trivia",
        "options": [
            {"type": 1, "name": "start", "options": [
                {"type": 4, "name": "rounds"},
                {"type": 3, "name": "show"},
                {"type": 5, "name": "ping"},
                {"type": 3, "name": "difficulty", "choices": [{"name": "Easy", "value": "easy"},
                                                              {"name": "Hard", "value": "hard"}]},
            ]},
        ],
    },
}  # fmt: skip


def test_parse_named_lone_and_quoted_options() -> None:
    assert parse_command("/drama title: soundtrak 1", COMMANDS).values == {"title": "soundtrak 1"}
    assert parse_command("/drama soundtrak 1", COMMANDS).values == {"title": "soundtrak 1"}
    parsed = parse_command('/trivia start rounds: 3 show: "Reply 1988" difficulty: hard', COMMANDS)
    assert parsed.path == "trivia start"
    assert parsed.values == {"rounds": "3", "show": "Reply 1988", "difficulty": "hard"}
    assert parsed.last == "difficulty"
    assert parse_command("/announce channel channel: #announcements", COMMANDS).values == {"channel": "#announcements"}
    assert parse_command("/announce role set role: @Drama Fans", COMMANDS).path == "announce role set"


def test_parse_refuses_what_discord_would_not_send() -> None:
    with pytest.raises(UsageError, match="no command /dramma"):
        parse_command("/dramma x", COMMANDS)
    with pytest.raises(UsageError, match="needs one of: channel, role"):
        parse_command("/announce", COMMANDS)
    with pytest.raises(UsageError, match="needs title:"):
        parse_command("/drama", COMMANDS)
    with pytest.raises(UsageError, match="name: value"):
        parse_command("/trivia start 3", COMMANDS)


def test_option_values_become_what_the_fake_sends() -> None:
    fake = FakeDiscord()
    start = {o["name"]: o for o in COMMANDS["trivia"]["options"][0]["options"]}
    assert option_value(start["rounds"], "3", fake) == 3
    assert option_value(start["ping"], "yes", fake) is True
    assert option_value(start["difficulty"], "Hard", fake) == "hard"
    with pytest.raises(UsageError, match="whole number"):
        option_value(start["rounds"], "three", fake)
    with pytest.raises(UsageError, match="one of Easy, Hard"):
        option_value(start["difficulty"], "medium", fake)
    assert option_value({"type": 7, "name": "channel"}, "#trivia", fake) is fake.channels["trivia"]
    assert option_value({"type": 8, "name": "role"}, "@drama fans", fake).name == "Drama Fans"
    assert option_value({"type": 6, "name": "user"}, "@Hana", fake) is fake.admin


def test_cards_are_boxed_with_local_times_names_and_wide_characters() -> None:
    moment = dt.datetime(2027, 3, 3, 11, 50, tzinfo=dt.UTC)
    embed = {
        "title": "Soundtrack #1 (사운드트랙 #1)",
        "description": f"Airs <t:{int(moment.timestamp())}:F>",
        "fields": [{"name": "Main cast", "value": "Han So Hee as Lee Eun Soo\nPark Hyung Sik as Han Sun Woo"}],
        "footer": {"text": "Catalog facts"},
    }
    lines = embed_lines(embed, tz=dt.timezone(dt.timedelta(hours=9)), width=60)
    assert {display_width(line) for line in lines} == {60}  # Hangul takes two columns; the box stays square
    text = "\n".join(lines)
    assert "Airs Wednesday, 03 March 2027 20:50 UTC+09:00" in text
    assert "│   Han So Hee as Lee Eun Soo" in text
    assert readable("**Trivia!** <@7> in <#8>", Names(users={7: "Min-jun"}, channels={8: "trivia"})) == (
        "Trivia! @Min-jun in #trivia"
    )


def test_buttons_and_menus_are_numbered_links_are_not() -> None:
    raw = [
        {"type": 2, "label": "TMDB", "url": "https://example.org", "style": 5},
        {"type": 3, "custom_id": "pick", "placeholder": "Pick one",
         "options": [{"label": "A", "value": "1"}, {"label": "B", "value": "2"}]},
        {"type": 2, "custom_id": "next", "label": "Next", "style": 2, "disabled": True},
    ]  # fmt: skip
    lines, controls = component_lines(Component.from_json(c, 0) for c in raw)
    assert [c.custom_id for c in controls] == ["pick", "next"]
    assert lines == [
        "  ↗ TMDB: https://example.org",
        "  [1] menu: Pick one",
        "        1. A",
        "        2. B",
        "  [2] button: Next (disabled)",
    ]


async def test_scaled_clock_runs_faster_for_whoever_reads_it() -> None:
    clock = ScaledClock(100.0)
    start = clock.now()
    began = time.monotonic()
    await clock.sleep_until(start + dt.timedelta(seconds=20))  # 20 s of bot time: 0.2 s of ours
    assert 0.15 <= time.monotonic() - began < 2.0
    assert clock.now() - start >= dt.timedelta(seconds=20)
    assert clock.now().tzinfo is not None


# -- whole sessions: the real bot against the fake Discord, driven through script mode ---------------------


def copy_of(seeded_database: Path, tmp_path: Path) -> Path:
    return Path(shutil.copyfile(seeded_database, tmp_path / "bot.sqlite3"))


def run_script(tmp_path: Path, text: str, **options: Any) -> tuple[int, str]:
    script = tmp_path / "script.txt"
    script.write_text(text, encoding="utf-8")
    out = io.StringIO()
    status = run_console({}, script=script, stdout=out, **options)
    return status, out.getvalue()


def test_script_looks_up_completes_and_picks_from_the_menu(tmp_path: Path, seeded_database: Path) -> None:
    status, out = run_script(
        tmp_path,
        "# comments are skipped\n"
        "/drama title: soundtrak 1\n"
        "complete /drama title: sountr\n"
        "/drama hospital\n"
        "select 1 2\n"
        "help\n",
        database=copy_of(seeded_database, tmp_path),
    )
    assert status == 0, out
    assert "comments are skipped" not in out, out
    assert "> /drama title: soundtrak 1\nDramabot:\n╭" in out, out
    card = out[out.index("> /drama title: soundtrak 1") : out.index("> complete")]
    assert "│ Soundtrack #1 (사운드트랙 #1)" in card, out
    assert "│   Han So Hee as Lee Eun Soo" in card, out
    assert "  ↗ TMDB: https://www.themoviedb.org/tv/137872" in card, out
    suggestions = out[out.index("> complete") : out.index("> /drama hospital")]
    assert "The bot suggests for title:" in suggestions, out
    assert "  1. Soundtrack #1 (2022) · 사운드트랙 #1\n" in suggestions, out
    menu = out[out.index("> /drama hospital") : out.index("> select")]
    assert "I am not sure which drama you meant by “hospital”" in menu, out
    assert "  [1] menu: Not this one? Pick the drama you meant" in menu, out
    assert "        2. Hospital Playlist Season 2 (2021)" in menu, out
    picked = out[out.index("> select") : out.index("> help")]
    assert "Dramabot (edited):" in picked and "│ Hospital Playlist Season 2" in picked, out
    assert "/drama title:" in out and "Show a drama's card" in out and "click N" in out, out


def test_errors_fail_the_script_and_permissions_depend_on_who_types(tmp_path: Path) -> None:
    permission_lines = (
        "expect error /show add title: Console Test Drama\nas admin\n/show add title: Console Test Drama\nas member\n"
    )
    status, out = run_script(tmp_path, permission_lines + "/drama title: zzzzqqqq\n/drama sountrack\n")
    assert status == 1, out
    assert "in a throwaway copy of the seed catalog" in out
    assert "Dramabot (only you can see this): No drama in the catalog matches “zzzzqqqq”" in out
    assert out.count(" failed)") == 1  # "(line N failed)": the unknown drama, not the expected error
    assert "│ Soundtrack #1" in out  # lines after a failure still run
    assert "✖ Discord hides /show from Min-jun: it needs Manage Server. Try: as admin" in out
    assert "(failed, as expected)" in out
    assert "(you are now Hana @hana_admin — Admin)" in out
    assert "Added Console Test Drama to this server's catalog." in out


async def test_tab_completes_commands_options_and_the_bots_suggestions(tmp_path: Path, seeded_database: Path) -> None:
    async with sandbox_bot({}, copy_of(seeded_database, tmp_path)) as (fake, bot, watch):
        out = io.StringIO()
        completer = Completer(Console(fake, bot, watch, out), asyncio.get_running_loop())

        async def tab(line: str) -> list[str]:
            return await asyncio.to_thread(completer.complete, line)  # readline calls it from the input thread

        assert await tab("/dra") == ["/drama "]
        assert await tab("/drama ti") == ["/drama title: "]
        assert "/trivia start " in await tab("/trivia ")
        assert "/trivia start rounds: 2 show: " in await tab("/trivia start rounds: 2 sh")
        assert await tab("/trivia start difficulty: ") == [f"/trivia start difficulty: {level}" for level in
                                                          ("easy", "medium", "hard")]  # fmt: skip
        assert await tab("as adm") == ["as admin"]
        assert await tab("channel #tr") == ["channel #trivia"]
        # Several fuzzy suggestions: listed with the bot's labels, the line kept; a number then picks one.
        assert await tab("/drama title: sountr") == ["/drama title: sountr"]
        assert "  1. Soundtrack #1 (2022) · 사운드트랙 #1\n" in out.getvalue()
        picked = "/drama title: Soundtrack #1 (2022) · 사운드트랙 #1"
        assert await tab("/drama title: sountr1") == [picked]
        assert await tab("/drama title: 1") == [picked]
        # As in Discord, the picked name is only a label: the bot receives the show itself, not a search.
        shown = len(out.getvalue())
        await completer.console.slash(picked)
        answer = out.getvalue()[shown:]
        assert "│ Soundtrack #1 (사운드트랙 #1)" in answer and "not sure" not in answer, answer


def test_a_missing_script_is_a_usage_error(tmp_path: Path) -> None:
    out = io.StringIO()
    assert run_console({}, script=tmp_path / "nope.txt", stdout=out) == 2
    assert "no script file" in out.getvalue()


def test_no_event_loop_is_left_running() -> None:
    with pytest.raises(RuntimeError):
        asyncio.get_running_loop()


async def test_clock_speed_brings_a_scheduled_announcement_sooner(tmp_path: Path, seeded_database: Path) -> None:
    # At 600 times the speed a bot-minute passes in a tenth of a real second: an episode 20 bot-minutes away is
    # announced about 2 s after it is added. The test waits for the post itself, not for a fixed time.
    database = copy_of(seeded_database, tmp_path)
    async with sandbox_bot({}, database, clock_speed=600.0) as (fake, bot, watch):
        out = io.StringIO()
        console = Console(fake, bot, watch, out)
        airs = (bot.clock.now().astimezone(ZoneInfo("Asia/Seoul")) + dt.timedelta(minutes=20)).replace(second=0)
        for line in (
            "as admin",
            "/announce channel channel: #announcements",
            f"/show add title: Clockwork Premiere Night premiere: {airs:%Y-%m-%d} episodes: 2"
            f" air_days: {airs:%a} air_time: {airs:%H:%M}",
        ):
            assert not await console.run_line(line), out.getvalue()
        added = time.monotonic()
        posted = await fake.wait_for_message(
            "announcements", lambda m: bool(m.embed) and m.embed["title"] == "Clockwork Premiere Night", within=15
        )
        assert time.monotonic() - added < 15, "20 bot-minutes passed in seconds"
        assert bot.clock.now() >= airs, "announced at its air time on the bot's clock, not before"
        console.drain_now()
    announced = out.getvalue()
    assert "[#announcements] Dramabot" in announced, announced
    assert "Clockwork Premiere Night" in announced[announced.index("[#announcements] Dramabot") :], announced
    assert posted.embed is not None
    # Relative times count from the bot's clock: from this machine's the episode would still be "in 19 minutes".
    when = re.search(r"│ Airs: .*\((.*)\)", announced)
    assert when is not None and (when.group(1).endswith(" ago") or when.group(1) == "in 0 seconds"), announced
