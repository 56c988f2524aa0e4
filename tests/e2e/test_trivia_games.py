"""/trivia over the real protocol: games played with buttons by two players, as a Discord user sees them.

Each test shrinks the cog's `time_scale` (real seconds per second of game time), so a 10-second round lasts a
fraction of a second; rounds that everyone answers close at once anyway.
"""

from __future__ import annotations

import os
import re
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path
from typing import Any

from bot.sandbox import FakeDiscord, Message

CHANNEL = "trivia"
# A bot's first game builds its question pool: a second of work in a thread, several on a machine shared with
# other test workers. The game start is deferred meanwhile, and Discord waits 15 minutes for a deferred reply.
FIRST_GAME = 30.0


def trivia_cog(bot: Any) -> Any:
    cog = bot.get_cog("Trivia")
    assert cog is not None, "the trivia cog is not loaded"
    return cog


async def next_question(fake: FakeDiscord, number: int, total: int, within: float = 5.0) -> Message:
    return await fake.wait_for_message(
        CHANNEL, lambda m: bool(m.embed) and m.embed["title"] == f"Question {number} of {total}", within=within
    )


async def revealed(fake: FakeDiscord, question: Message, within: float = 5.0) -> str:
    """Wait for a question's reveal; return its text."""
    await fake.wait_until(
        lambda: "Answer:" in question.embed["description"],
        within=within,
        what="the reveal of " + question.embed["title"],
    )
    assert all(c.disabled for c in question.components), "the buttons stay clickable after the reveal"
    return question.embed["description"]


def answer_letter(reveal: str) -> str:
    match = re.search(r"\*\*Answer: ([A-D])\) ", reveal)
    assert match, reveal
    return match[1]


async def test_a_game_of_three_rounds_with_two_players(fake_discord: FakeDiscord, start_dramabot: Any) -> None:
    fake = fake_discord
    member, admin = fake.member, fake.admin
    async with start_dramabot() as bot:
        trivia_cog(bot).time_scale = 0.15  # a 10-second round lasts 1.5 s, the pause between rounds 0.45 s
        start = await fake.run_command(
            "trivia start", {"rounds": 3, "seconds": 10}, user=member, channel=CHANNEL, within=FIRST_GAME
        )
        assert not start.ephemeral
        assert f"<@{member.id}> started medium trivia: 3 rounds of 10 seconds" in start.content
        assert not start.message.pings_anyone

        # A second game in the same channel is refused while this one runs.
        again = await fake.run_command("trivia start", {}, user=admin, channel=CHANNEL)
        assert again.ephemeral and "already running in this channel" in again.content

        picks = {1: {admin.id: 0, member.id: 1}, 2: {admin.id: 2, member.id: 3}, 3: {admin.id: 3}}
        totals = {admin.id: 0, member.id: 0}
        rights = {admin.id: 0, member.id: 0}
        for number in (1, 2, 3):
            question = await next_question(fake, number, 3)
            buttons = question.components
            assert [c.label[:3] for c in buttons] == ["A) ", "B) ", "C) ", "D) "]
            assert all(c.custom_id.startswith("trivia:") for c in buttons)
            assert "Closes <t:" in question.embed["description"]
            first = await fake.click(question, buttons[picks[number][admin.id]].custom_id, user=admin)
            assert first.ephemeral and first.content.startswith(f"Locked in: {'ABCD'[picks[number][admin.id]]}) ")
            if number == 1:
                double = await fake.click(question, buttons[2].custom_id, user=admin)
                assert double.ephemeral
                assert double.content == "You already answered this round (A); only your first click counts."
            if member.id in picks[number]:
                await fake.click(question, buttons[picks[number][member.id]].custom_id, user=member)

            reveal = await revealed(fake, question)
            right = answer_letter(reveal)
            assert [c.style for c in question.components].count(3) == 1  # the right answer turns green
            assert question.components["ABCD".index(right)].style == 3
            for user_id, option in picks[number].items():
                if "ABCD"[option] == right:
                    points = int(re.search(rf"<@{user_id}> \(\+(\d+)\)", reveal)[1])
                    assert 100 <= points <= 150
                    totals[user_id] += points
                    rights[user_id] += 1
                else:
                    assert f"<@{user_id}> ({'ABCD'[option]})" in reveal.split("Missed: ")[1]
            # Rounds 1 and 2 closed as soon as both players had answered; round 3 waited for the clock.
            assert ("Time's up." in reveal) is (number == 3)

        final = await fake.wait_for_message(CHANNEL, lambda m: m.content.startswith("Trivia over"))
        assert final.content.startswith("Trivia over after 3 rounds.")
        assert "**Final scores**" in final.content and not final.pings_anyone
        for user_id, points in totals.items():
            assert f"<@{user_id}>: {points} points" in final.content

        board = await fake.run_command("trivia leaderboard", {"period": "week"}, user=member, channel=CHANNEL)
        assert board.embed["title"] == "Trivia leaderboard: this week"
        lines = board.embed["description"].splitlines()
        assert len(lines) == 2
        ranked = sorted(totals, key=lambda user_id: -totals[user_id])
        if totals[admin.id] != totals[member.id]:
            assert lines[0].startswith(f"1. <@{ranked[0]}>: **{totals[ranked[0]]}** points")
        assert f"<@{admin.id}>: **{totals[admin.id]}** points" in board.embed["description"]
        assert lines[0].endswith(" right, 1 game)") and not board.message.pings_anyone

        stats = await fake.run_command("trivia stats", {"user": admin}, user=member, channel=CHANNEL)
        fields = {f["name"]: f["value"] for f in stats.embed["fields"]}
        assert stats.embed["title"] == f"Trivia stats: {admin.global_name}"
        assert fields["Points"] == str(totals[admin.id]) and fields["Games"] == "1"
        assert fields["Right answers"].startswith(f"{rights[admin.id]}/3 ")
        assert fields["Last played"].startswith("<t:")

        nobody = await fake.run_command("trivia stats", {"user": fake.owner}, user=member, channel=CHANNEL)
        assert nobody.ephemeral and "has not scored in trivia" in nobody.content

        other = await fake.run_command("trivia leaderboard", {}, user=fake.owner, guild=fake.other_guild)
        assert "Nobody has scored trivia points here all time" in other.content  # scores are per server


async def test_stop_needs_the_starter_or_manage_messages(fake_discord: FakeDiscord, start_dramabot: Any) -> None:
    fake = fake_discord
    async with start_dramabot():
        none = await fake.run_command("trivia stop", {}, user=fake.admin, channel=CHANNEL)
        assert none.ephemeral and none.content.startswith("No trivia game is running in this channel")

        await fake.run_command("trivia start", {"seconds": 60}, user=fake.admin, channel=CHANNEL, within=FIRST_GAME)
        question = await next_question(fake, 1, 5)
        refused = await fake.run_command("trivia stop", {}, user=fake.member, channel=CHANNEL)
        assert refused.ephemeral
        assert refused.content == "Only the player who started this game, or someone with Manage Messages, can stop it."
        assert not question.deleted and not any(c.disabled for c in question.components)

        stopped = await fake.run_command("trivia stop", {}, user=fake.admin, channel=CHANNEL)
        assert stopped.ephemeral
        final = await fake.wait_for_message(CHANNEL, lambda m: m.content.startswith("Trivia stopped"))
        assert final.content.startswith(f"Trivia stopped by <@{fake.admin.id}> after 0 rounds.")
        assert "No points were scored." in final.content
        await fake.wait_until(lambda: not question.components, what="the open question's buttons to go")

        # The channel is free again; the member starts a game and Manage Messages (the admin) may stop it.
        await fake.run_command("trivia start", {"seconds": 60}, user=fake.member, channel=CHANNEL)
        await next_question(fake, 1, 5)
        moderated = await fake.run_command("trivia stop", {}, user=fake.admin, channel=CHANNEL)
        assert moderated.ephemeral and moderated.content.startswith("Stopping the game")
        await fake.wait_for_message(CHANNEL, lambda m: m.content.startswith(f"Trivia stopped by <@{fake.admin.id}>"))


async def test_silent_rounds_end_the_game_and_show_filter(fake_discord: FakeDiscord, start_dramabot: Any) -> None:
    fake = fake_discord
    async with start_dramabot() as bot:
        trivia_cog(bot).time_scale = 0.02  # 10 s rounds pass in 0.2 s
        choices = await fake.autocomplete("trivia start", "show", "sountr", channel=CHANNEL)
        assert choices and choices[0].name.startswith("Soundtrack #1 (2022)") and len(choices) <= 25
        start = await fake.run_command(
            "trivia start", {"rounds": 6, "seconds": 10, "show": choices[0].value}, channel=CHANNEL, within=FIRST_GAME
        )
        assert "trivia about Soundtrack #1 (2022)" in start.content
        for number in (1, 2, 3):
            question = await next_question(fake, number, 6)
            labels = " ".join(c.label or "" for c in question.components)
            assert "Soundtrack #1" in question.embed["description"] + labels
            assert "Nobody answered." in await revealed(fake, question)
        final = await fake.wait_for_message(CHANNEL, lambda m: m.content.startswith("Trivia ended"))
        assert final.content.startswith("Trivia ended: nobody answered for 3 rounds in a row.")
        assert not [m for m in fake.messages(CHANNEL) if m.embed and m.embed["title"] == "Question 4 of 6"]

        bad = await fake.run_command("trivia start", {"show": "qqqq zzzz xxxx"}, channel=CHANNEL)
        assert bad.ephemeral and bad.content.startswith("No drama in the catalog matches")


async def test_a_restart_ends_running_games_and_says_so(
    fake_discord: FakeDiscord, start_dramabot: Any, database_path: Path
) -> None:
    fake = fake_discord
    async with start_dramabot():
        await fake.run_command("trivia start", {"seconds": 60}, channel=CHANNEL, within=FIRST_GAME)
        question = await next_question(fake, 1, 5)
        await fake.click(question, question.components[0].custom_id, user=fake.admin)
    goodbye = await fake.wait_for_message(CHANNEL, lambda m: "ended by a restart" in m.content, within=1)
    assert goodbye.content.startswith("The trivia game was ended by a restart of the bot")
    assert not question.components  # no buttons left to click into a game that is gone

    # A crash skips the goodbye: the game is still recorded as running, and the next start says so.
    general = fake.channels["general"].id
    with sqlite3.connect(database_path) as raw:
        raw.execute(
            "INSERT INTO trivia_games (guild_id, channel_id, starter_id, rounds, seconds, difficulty, started_at)"
            " VALUES (?, ?, ?, 5, 20, 'medium', '2026-11-25T21:00:00+00:00')",
            (fake.guild_id, general, fake.member.id),
        )
    async with start_dramabot():
        notice = await fake.wait_for_message("general", lambda m: "ended by a restart" in m.content)
        assert notice.content.startswith("The trivia game in this channel was ended by a restart of the bot")
    with sqlite3.connect(database_path) as raw:
        assert raw.execute("SELECT COUNT(*) FROM trivia_games WHERE ended_at IS NULL").fetchone() == (0,)


async def test_a_failing_game_is_logged_and_told_to_the_players(
    fake_discord: FakeDiscord, start_dramabot: Any, caplog: Any
) -> None:
    fake = fake_discord
    async with start_dramabot(report_logged_errors=False) as bot:
        trivia_cog(bot).time_scale = 0.02
        # Discord refuses the first message edit, the reveal of round 1: the game cannot go on.
        fake.fail_next("PATCH", r"/channels/\d+/messages/\d+$", 403)
        await fake.run_command("trivia start", {"seconds": 10}, channel=CHANNEL, within=FIRST_GAME)
        await next_question(fake, 1, 5)
        failed = await fake.wait_for_message(CHANNEL, lambda m: "error on my side" in m.content)
        assert failed.content.startswith("The trivia game stopped because of an error on my side (error id ")
        error_id = failed.content.split("error id ")[1].split(")")[0]
        assert any(error_id in r.getMessage() and r.exc_info for r in caplog.records if r.levelname == "ERROR")
        # The channel is free for a new game.
        again = await fake.run_command("trivia start", {"seconds": 10}, channel=CHANNEL)
        assert not again.ephemeral


def test_trivia_sample_prints_questions_with_answers(database_path: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCORD")} | {"DATABASE_PATH": str(database_path)}
    run = [sys.executable, "-m", "bot", "trivia-sample", "--seed", "1", "--count", "10"]
    with ThreadPoolExecutor(2) as pool:  # two processes at once, to compare
        first, again = pool.map(
            lambda _: subprocess.run(run, env=env, cwd=tmp_path, capture_output=True, text=True, timeout=120), range(2)
        )
    assert first.returncode == 0, first.stderr
    blocks = first.stdout.strip().split("\n\n")
    assert len(blocks) == 10
    for number, block in enumerate(blocks, 1):
        lines = block.splitlines()
        assert lines[0].startswith(f"{number}. ") and len(lines) == 5
        assert [line.strip()[:2] for line in lines[1:]] == ["A)", "B)", "C)", "D)"]
        assert sum(line.endswith("<- answer") for line in lines[1:]) == 1
    assert again.stdout == first.stdout  # one seed, one set of questions
