"""/ask and @mentions over the real protocol: what a Discord user sees when they ask in plain words."""

from __future__ import annotations

import asyncio
import os
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bot.sandbox import FakeDiscord
from bot.sandbox.interactions import DEFERRED_CHANNEL_MESSAGE


async def test_ask_command_answers_in_the_channel(fake_discord: FakeDiscord, start_dramabot: Any) -> None:
    async with start_dramabot():
        command = fake_discord.command("ask")
        assert command["description"] and command["options"][0]["description"]

        result = await fake_discord.run_command("ask", {"question": "who plays Lee Eun Soo in Soundtrack #1?"})
        assert not result.ephemeral
        assert "Han So Hee" in result.content and "Soundtrack #1" in result.content
        assert not result.message.pings_anyone

        directed = await fake_discord.run_command("ask", {"question": "who directed soundtrak #1"})
        assert "Kim Hee Won" in directed.content


async def test_ask_command_declines_privately(fake_discord: FakeDiscord, start_dramabot: Any) -> None:
    async with start_dramabot():
        result = await fake_discord.run_command("ask", {"question": "who directed qqqq zzzz xxxx"})
        assert result.ephemeral
        assert "/drama" in result.content


async def test_answers_queued_in_the_worker_are_deferred_then_given(
    fake_discord: FakeDiscord, start_dramabot: Any
) -> None:
    fake = fake_discord
    other = fake.add_user("other asker", guilds=[fake.guild])
    async with start_dramabot() as bot:
        ask_cog = bot.get_cog("Ask")
        assert ask_cog is not None
        # Questions are answered one at a time, off the event loop. One ahead in the worker for 2 s: the bot says
        # "thinking..." at 1.5 s rather than risk Discord's 3 s (the fake refuses a later first reply; with 3.2 s
        # here and no deferral, that is what happened).
        ask_cog._worker.submit(time.sleep, 2.0)
        found, declined = await asyncio.gather(
            fake.run_command("ask", {"question": "who plays Lee Eun Soo in Soundtrack #1?"}, within=10),
            fake.run_command("ask", {"question": "who directed qqqq zzzz xxxx"}, user=other, within=10),
        )
    assert found.response_type == declined.response_type == DEFERRED_CHANNEL_MESSAGE
    assert not found.ephemeral and "Han So Hee" in found.content and not found.message.pings_anyone
    # "I don't know" stays private: the public "thinking..." is taken back and the answer goes to the asker alone.
    assert declined.ephemeral and "/drama" in declined.content
    assert declined.original is not None and declined.original.deleted
    assert [m.content for m in fake.messages("general") if not (m.deleted or m.ephemeral)] == [found.content]


async def test_a_mention_is_answered_as_a_reply_without_pings(fake_discord: FakeDiscord, start_dramabot: Any) -> None:
    async with start_dramabot():
        asked = await fake_discord.post_user_message("general", "when does soundtrack 1 come out", mentions_bot=True)
        reply = await fake_discord.wait_for_message("general")
        assert "2022-03-23" in reply.content and "Soundtrack #1" in reply.content
        assert reply.raw["message_reference"]["message_id"] == str(asked.id)
        assert not reply.pings_anyone, "the asker must not be pinged by the reply"

        # The mention can sit anywhere in the message; a question with @everyone in it pings no one either.
        bot_mention = f"<@{fake_discord.bot.id}>"
        await fake_discord.post_user_message("general", f"who directed soundtrak #1 {bot_mention} @everyone")
        second = await fake_discord.wait_for_message("general")
        assert "Kim Hee Won" in second.content and not second.pings_anyone


async def test_messages_without_a_mention_are_left_alone(fake_discord: FakeDiscord, start_dramabot: Any) -> None:
    async with start_dramabot():
        await fake_discord.post_user_message("general", "who directed soundtrak #1")
        # The gateway delivers messages in order: once the bot answered a later mention, it has seen the first.
        later = await fake_discord.post_user_message("general", "who wrote soundtrak #1", mentions_bot=True)
        reply = await fake_discord.wait_for_message("general")
        assert reply.raw["message_reference"]["message_id"] == str(later.id)
        assert [m.id for m in fake_discord.messages("general") if m.author_id == fake_discord.bot.id] == [reply.id]


async def test_an_empty_or_long_mention_gets_a_short_hint(fake_discord: FakeDiscord, start_dramabot: Any) -> None:
    async with start_dramabot():
        await fake_discord.post_user_message("general", "", mentions_bot=True)
        hint = await fake_discord.wait_for_message("general")
        assert "Ask me about a drama" in hint.content and not hint.pings_anyone

        await fake_discord.post_user_message("general", "who directed " + "soundtrack " * 60, mentions_bot=True)
        too_long = await fake_discord.wait_for_message("general")
        assert "shorter" in too_long.content


def test_terminal_ask_answers_a_question_a_line(database_path: Path, tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith("DISCORD")}
    env["DATABASE_PATH"] = str(database_path)
    questions = [
        "who plays Lee Eun Soo in Soundtrack #1?",
        "when does soundtrack 1 come out",
        "",
        "who directed soundtrak #1",
        "who " * 100,
        "who directed qqqq zzzz xxxx",
    ]
    run = subprocess.run(
        [sys.executable, "-m", "bot", "ask", "-"], input="\n".join(questions) + "\n", env=env, cwd=tmp_path,
        capture_output=True, text=True, timeout=60,
    )  # fmt: skip
    plays, premiere, blank, directed, too_long, unknown = run.stdout.split("\n")[:-1]
    assert "Han So Hee" in plays and "2022-03-23" in premiere and "Kim Hee Won" in directed
    assert blank == too_long == ""
    assert "/drama" in unknown
    assert "<t:" not in run.stdout  # timestamps are written out for a terminal
    assert run.returncode == 1, "two questions got no answer"
    assert run.stderr.splitlines() == [
        "dramabot: line 5: That question is longer than 300 characters; ask a shorter one.",
        "dramabot: 2 of 5 questions got no answer.",
    ]
