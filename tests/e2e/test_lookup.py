"""/drama and /person over the real protocol: what a Discord user sees when they look shows and people up."""

from __future__ import annotations

import os
import sqlite3
import subprocess
import sys
from pathlib import Path
from typing import Any

from bot.sandbox import FakeDiscord


def field(embed: dict[str, Any], name: str) -> str:
    for item in embed.get("fields", []):
        if item["name"] == name:
            return str(item["value"])
    raise AssertionError(f"no field {name!r} in {[f['name'] for f in embed.get('fields', [])]}")


async def test_login_syncs_described_commands_once(fake_discord: FakeDiscord, start_dramabot: Any) -> None:
    async with start_dramabot():
        commands = {c["name"]: c for c in fake_discord.commands()}
        assert {"drama", "person"} <= set(commands)
        for command in commands.values():
            assert command["description"]
            for option in command.get("options", []):
                assert option["description"], f"/{command['name']} {option['name']} has no description"
        first_syncs = fake_discord.sync_count
        assert first_syncs == 1

    # A restart with the same commands must not spend Discord's daily command-create budget again.
    async with start_dramabot():
        assert fake_discord.sync_count == first_syncs


async def test_drama_card_for_a_typo(fake_discord: FakeDiscord, start_dramabot: Any) -> None:
    async with start_dramabot():
        result = await fake_discord.run_command("drama", {"title": "soundtrak 1"})
        embed = result.embed
        assert embed is not None and not result.ephemeral
        assert embed["title"] == "Soundtrack #1 (사운드트랙 #1)"
        assert "2022" in embed["description"] and "Disney+" in embed["description"]
        assert "4 episodes" in embed["description"] and "Finished" in embed["description"]
        assert "2022-03-23" in field(embed, "Aired")
        assert field(embed, "Director") == "Kim Hee Won"
        main_cast = field(embed, "Main cast")
        assert "Han So Hee as Lee Eun Soo" in main_cast
        assert "Park Hyung Sik as Han Sun Woo" in main_cast
        assert embed["image"]["url"].startswith("https://image.tmdb.org/")
        assert "MyDramaList" in embed["footer"]["text"]
        links = [c for c in result.components if c.url]
        assert [c.label for c in links] == ["TMDB"] and links[0].url.endswith("/tv/137872")
        assert not result.message.pings_anyone


async def test_autocomplete_offers_the_show_as_typed(fake_discord: FakeDiscord, start_dramabot: Any) -> None:
    async with start_dramabot():
        choices = await fake_discord.autocomplete("drama", "title", "sountr")
        assert choices and len(choices) <= 25
        assert choices[0].name.startswith("Soundtrack #1 (2022)")
        hangul = await fake_discord.autocomplete("drama", "title", "사운드")
        assert any(c.name.startswith("Soundtrack #1") for c in hangul)
        empty = await fake_discord.autocomplete("drama", "title", "")
        assert 0 < len(empty) <= 25

        # Picking a choice sends its value; the command must resolve it to that very show.
        result = await fake_discord.run_command("drama", {"title": choices[0].value})
        assert result.embed["title"].startswith("Soundtrack #1")
        assert not result.content  # a sure hit: no "did you mean"


async def test_person_lists_credits_with_characters(fake_discord: FakeDiscord, start_dramabot: Any) -> None:
    async with start_dramabot():
        result = await fake_discord.run_command("person", {"name": "han so-hee"})
        embed = result.embed
        assert embed["title"] == "Han So Hee"
        credits = next(f["value"] for f in embed["fields"] if f["name"].startswith("Credits"))
        assert "Soundtrack #1 (2022): as Lee Eun Soo" in credits
        lines = credits.splitlines()
        years = [int(line.split("(")[1][:4]) for line in lines if "(" in line]
        assert years == sorted(years, reverse=True), "newest first"

        choices = await fake_discord.autocomplete("person", "name", "han so")
        assert any(c.name == "Han So Hee" for c in choices)


async def test_person_credits_page_with_buttons(fake_discord: FakeDiscord, start_dramabot: Any) -> None:
    async with start_dramabot():
        result = await fake_discord.run_command("person", {"name": "Lee Yoo Jin"})
        first_page = result.embed["fields"][0]["value"]
        assert "page 1 of" in result.embed["footer"]["text"]
        older = next(c for c in result.components if c.label == "Older")
        await fake_discord.click(result, older.custom_id)
        await result.wait_for(lambda r: "page 2 of" in r.embed["footer"]["text"])
        assert result.embed["fields"][0]["value"] != first_page


async def test_a_guess_says_so_and_offers_the_others(fake_discord: FakeDiscord, start_dramabot: Any) -> None:
    async with start_dramabot():
        result = await fake_discord.run_command("drama", {"title": "queen of teras"})  # a typo: a guess
        assert "not sure" in (result.content or "")
        picker = next(c for c in result.components if c.custom_id == "drama:pick")
        assert len(picker.options) >= 2
        shown = result.embed["title"]
        other = next(o for o in picker.options if not shown.startswith(o.label.split(" (")[0]))
        await fake_discord.select(result, "drama:pick", [other.value])
        await result.wait_for(lambda r: r.embed["title"] != shown)
        assert result.embed["title"].startswith(other.label.split(" (")[0])


async def test_a_show_whose_facts_make_no_schedule_still_has_a_card(
    fake_discord: FakeDiscord, start_dramabot: Any, database_path: Path
) -> None:
    with sqlite3.connect(database_path) as raw:
        raw.execute("UPDATE shows SET timezone = 'Mars/Olympus_Mons', air_time = '21:00' WHERE title = 'Vincenzo'")
    async with start_dramabot():
        card = await fake_discord.run_command("drama", {"title": "Vincenzo"})
        assert not card.ephemeral and card.embed["title"].startswith("Vincenzo")
        countdown = await fake_discord.run_command("countdown", {"title": "Vincenzo"})
        assert countdown.embed["description"] == "No upcoming air dates are known for this drama yet."


async def test_nothing_found_is_private_and_suggests(fake_discord: FakeDiscord, start_dramabot: Any) -> None:
    async with start_dramabot():
        result = await fake_discord.run_command("drama", {"title": "qqqq zzzz xxxx"})
        assert result.ephemeral
        assert result.content.startswith("No drama in the catalog matches")
        assert result.embed is None

        too_long = await fake_discord.run_command("person", {"name": "a" * 100 + " b"})
        assert too_long.ephemeral and "shorter" in too_long.content


async def test_an_unexpected_failure_reaches_the_user_as_an_apology(
    fake_discord: FakeDiscord, start_dramabot: Any, database_path: Path, caplog: Any
) -> None:
    # A damaged database (a table gone) makes a query fail deep inside the bot.
    with sqlite3.connect(database_path) as raw:
        raw.execute("DROP TABLE trivia_scores")
    async with start_dramabot(report_logged_errors=False):
        result = await fake_discord.run_command("trivia leaderboard", {})
        assert result.ephemeral
        assert result.content.startswith("Sorry, something went wrong on my side (error id ")
        error_id = result.content.split("error id ")[1].split(")")[0]
        assert any(error_id in record.getMessage() and record.exc_info for record in caplog.records)


def run_cli(*args: str, env: dict[str, str], cwd: Path) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], env=env, cwd=cwd, capture_output=True, text=True, timeout=60
    )


async def test_run_without_or_with_a_rejected_token_exits_2(fake_discord: FakeDiscord, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCORD")}
    env["DATABASE_PATH"] = str(tmp_path / "db.sqlite3")
    missing = run_cli("run", env=env, cwd=tmp_path)
    assert missing.returncode == 2
    assert missing.stdout.strip().count("\n") == 0 and "DISCORD_TOKEN is not set" in missing.stdout

    env.update(DISCORD_TOKEN="not.a.token", DISCORD_API_BASE=fake_discord.api_base)
    rejected = await _run_in_thread(run_cli, "run", env=env, cwd=tmp_path)
    assert rejected.returncode == 2, rejected.stderr
    assert "Discord rejected DISCORD_TOKEN" in rejected.stdout
    assert "Traceback" not in rejected.stdout + rejected.stderr
    assert "not.a.token" not in rejected.stdout + rejected.stderr


async def _run_in_thread(function: Any, *args: Any, **kwargs: Any) -> Any:
    import asyncio

    # The fake Discord runs on this event loop, so the child process must be awaited off it.
    return await asyncio.to_thread(function, *args, **kwargs)


async def test_people_a_server_added_stay_in_that_server(
    fake_discord: FakeDiscord, start_dramabot: Any, database_path: Path
) -> None:
    with sqlite3.connect(database_path) as raw:
        now = "2026-01-01T00:00:00+00:00"
        show = raw.execute(
            "INSERT INTO shows (guild_id, title, created_at, updated_at) VALUES (?, 'Our Little Web Drama', ?, ?)",
            (fake_discord.guild_id, now, now),
        ).lastrowid
        person = raw.execute(
            "INSERT INTO people (name, created_at, updated_at) VALUES ('Quorra Vantablack', ?, ?)", (now, now)
        ).lastrowid
        raw.execute(
            "INSERT INTO credits (show_id, person_id, kind, character, role, source, created_at, updated_at)"
            " VALUES (?, ?, 'cast', 'Herself', 'main', 'admin', ?, ?)",
            (show, person, now, now),
        )
    async with start_dramabot():
        here = await fake_discord.run_command("person", {"name": "quorra vantablack"})
        assert here.embed["title"] == "Quorra Vantablack"
        assert "Our Little Web Drama" in here.embed["fields"][0]["value"]

        elsewhere_channel = fake_discord.other_guild.channels["general"]
        there = await fake_discord.run_command(
            "person", {"name": "quorra vantablack"}, channel=elsewhere_channel, user=fake_discord.admin
        )
        assert there.ephemeral and there.embed is None
        assert "Quorra" not in there.content
        choices = await fake_discord.autocomplete(
            "person", "name", "quorra", channel=elsewhere_channel, user=fake_discord.admin
        )
        assert all("Quorra" not in c.name for c in choices)


async def test_sigterm_closes_the_bot_and_its_database_cleanly(fake_discord: FakeDiscord, database_path: Path) -> None:
    import asyncio
    import signal

    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD", "DATABASE"))}
    env.update(
        DISCORD_TOKEN=fake_discord.token, DISCORD_API_BASE=fake_discord.api_base, DATABASE_PATH=str(database_path)
    )
    process = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await fake_discord.wait_until_ready(within=30)
        process.send_signal(signal.SIGTERM)
        status = await asyncio.wait_for(process.wait(), 15)
    finally:
        if process.returncode is None:
            process.kill()
    _out, errors = await process.communicate()
    assert status == 0, errors.decode()
    assert b"Traceback" not in errors
    # A clean close checkpoints the write-ahead log into the database file and removes it.
    assert pending_wal_bytes(database_path) == 0


def pending_wal_bytes(database: Path) -> int:
    wal = Path(f"{database}-wal")
    return wal.stat().st_size if wal.exists() else 0
