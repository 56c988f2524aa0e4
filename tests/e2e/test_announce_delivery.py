"""How the real cog delivers an announcement: on the bot's clock, with a nonce Discord enforces, once after a crash.

No test here waits for a real air time. The bot runs on a `ScaledClock`, so bot-minutes pass in fractions of a
second, or the episode aired while the bot was down and is delivered late (within the grace window) on start.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import os
import signal
import sqlite3
import sys
from collections.abc import Callable
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from bot import db
from bot.app import Dramabot
from bot.clock import ScaledClock
from bot.models import AnnounceMode, Episode, GuildAnnounceSettings
from bot.sandbox import FakeDiscord, Message
from bot.settings import Settings
from bot.store import Repository

ROOT = Path(__file__).resolve().parents[2]
UTC = dt.UTC
SEOUL = ZoneInfo("Asia/Seoul")
CHANNEL = "announcements"
SPEED = 300.0  # a bot-minute passes in 0.2 real seconds


def outbox(path: Path) -> list[tuple[int, str, str, int | None, int]]:
    """(episode, state, nonce, message id, attempts) of every outbox row, read from the database file."""
    with sqlite3.connect(path) as raw:
        rows = raw.execute("SELECT episode, state, nonce, message_id, attempts FROM announce_outbox ORDER BY id")
        return [tuple(row) for row in rows]  # type: ignore[misc]


async def until(condition: Callable[[], Any], within: float, what: str) -> Any:
    """Poll `condition` (something only a file or a process shows, so nothing to wake on) until it holds."""
    loop = asyncio.get_running_loop()
    deadline = loop.time() + within
    while not (value := condition()):
        if loop.time() > deadline:
            raise TimeoutError(f"timed out after {within} s waiting for {what}")
        await asyncio.sleep(0.02)
    return value


async def test_an_episode_is_announced_at_its_time_on_the_bots_clock_with_an_enforced_nonce(
    fake_discord: FakeDiscord, start_client: Any, bot_settings: Settings, database_path: Path
) -> None:
    fake = fake_discord
    admin = fake.admin
    bot = Dramabot(bot_settings, clock=ScaledClock(SPEED))
    async with start_client(bot, configure_endpoints=False):
        added = await fake.run_command("show add", {"title": "Clockwork Sonata", "episodes": 8}, user=admin)
        assert added.content.startswith("Added **Clockwork Sonata**")
        for command, options in (
            ("announce mode", {"mode": "followed"}),
            ("announce follow", {"title": "Clockwork Sonata"}),
            ("announce role", {"role": fake.guild.role("Drama Fans")}),
            ("announce channel", {"channel": fake.channels[CHANNEL]}),
        ):
            assert "Manage Server" not in (await fake.run_command(command, options, user=admin)).content

        # An admin moves episode 3 to two or three bot-minutes from now (the option takes whole minutes).
        local = bot.clock.now().astimezone(SEOUL).replace(second=0, microsecond=0) + dt.timedelta(minutes=3)
        moved = await fake.run_command(
            "show episode", {"title": "Clockwork Sonata", "number": 3, "air_time": f"{local:%Y-%m-%d %H:%M}"},
            user=admin,
        )  # fmt: skip
        air_at = local.astimezone(UTC)
        assert f"<t:{int(air_at.timestamp())}:F>" in moved.content
        assert fake.messages(CHANNEL) == [], "nothing before the air time"

        message: Message = await fake.wait_for_message(CHANNEL, within=10)
        late = bot.clock.now() - air_at
        assert dt.timedelta(0) <= late < dt.timedelta(minutes=2), f"announced {late} after its air time"
        assert message.embed is not None and message.embed["title"] == "Clockwork Sonata"
        assert message.content == f"<@&{fake.guild.role('Drama Fans').id}>"

        # The nonce is the outbox row's, and Discord is told to enforce it: a resend returns this message.
        nonce = message.raw.get("nonce")
        assert isinstance(nonce, str) and nonce, "the announcement carries a nonce"
        assert message.enforce_nonce, "and asks Discord to enforce it"
        rows = await until(lambda: [r for r in outbox(database_path) if r[1] == "sent"], 5, "the row marked sent")
        assert rows == [(3, "sent", nonce, message.id, 1)]
        assert [m.id for m in fake.messages(CHANNEL)] == [message.id], "announced once"


async def prepare_missed_announcement(path: Path, fake: FakeDiscord) -> None:
    """A server that follows a show whose episode 4 aired an hour ago, while the bot was down (within the grace)."""
    now = dt.datetime.now(UTC)
    connection = await db.connect(path)
    try:
        repository = Repository(connection)
        show_id = await repository.add_show({"title": "Crash Landing Twice", "episode_count": 16})
        await repository.upsert_episodes(show_id, [Episode(show_id, 4, now - dt.timedelta(hours=1))], source="admin")
        settings = GuildAnnounceSettings(
            guild_id=fake.guild_id, since=now - dt.timedelta(hours=3), channel_id=fake.channels[CHANNEL].id,
            mode=AnnounceMode.FOLLOWED, enabled=True,
        )  # fmt: skip
        await repository.save_announce_settings(settings)
        await repository.follow_show(fake.guild_id, show_id)
        await repository.add_to_outbox([], planned_until=now - dt.timedelta(hours=2))  # last ran two hours ago
    finally:
        await connection.close()


async def test_a_crash_between_send_and_mark_of_dramabot_run_never_posts_twice(
    fake_discord: FakeDiscord, start_dramabot: Any, database_path: Path, tmp_path: Path
) -> None:
    fake = fake_discord
    channel = fake.channels[CHANNEL]
    await prepare_missed_announcement(database_path, fake)
    # Discord posts the announcement but the answer never reaches the bot, which is killed while it waits.
    lost = fake.lose_next_response("POST", rf"/channels/{channel.id}/messages$")
    environment = {
        **{k: v for k, v in os.environ.items() if not k.startswith(("DISCORD", "DATABASE", "OWNER"))},
        "DISCORD_TOKEN": fake.token, "DISCORD_API_BASE": fake.api_base, "DATABASE_PATH": str(database_path),
        "LOG_LEVEL": "WARNING", "PYTHONPATH": str(ROOT),
    }  # fmt: skip
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "bot", "run", cwd=tmp_path, env=environment,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        await fake.wait_until(lambda: lost.hits == 1, within=30, what="`dramabot run` to post the announcement")
    finally:
        child.send_signal(signal.SIGKILL)
        _, errors = await child.communicate()
    assert child.returncode == -signal.SIGKILL, errors.decode()
    posted = fake.messages(channel)
    assert len(posted) == 1 and posted[0].embed and posted[0].embed["title"] == "Crash Landing Twice"
    assert [r[:2] for r in outbox(database_path)] == [(4, "claimed")], "sent, never marked"

    # The restart finds the row still claimed, its outcome unknown: it looks the channel up before any re-send
    # (Discord may have forgotten the nonce by now), finds the message, and marks the row sent with it.
    async with start_dramabot():
        await until(lambda: outbox(database_path)[0][1] == "sent", 10, "the claimed row to be marked sent")
    posts = [r for r in fake.request_log if r.method == "POST" and r.path == f"/channels/{channel.id}/messages"]
    lookups = [r for r in fake.request_log if r.method == "GET" and r.path == f"/channels/{channel.id}/messages"]
    assert len(posts) == 1, "the restart did not send again"
    assert lookups, "it looked the channel up instead"
    assert [m.id for m in fake.messages(channel)] == [posted[0].id], "only one message exists"
    assert outbox(database_path)[0][:4] == (4, "sent", posted[0].raw["nonce"], posted[0].id)


async def test_announcements_never_ping_everyone(fake_discord: FakeDiscord, start_dramabot: Any) -> None:
    fake = fake_discord
    async with start_dramabot():
        everyone = fake.guild.roles[fake.guild_id]  # @everyone's id is the server's
        refused = await fake.run_command("announce role", {"role": everyone}, user=fake.admin)
        assert refused.ephemeral
        assert refused.content == "I will not ping @everyone; pick or create a role for announcements instead."
        status = await fake.run_command("announce status", user=fake.admin)
        assert "not set up" in status.content, "nothing was saved"
