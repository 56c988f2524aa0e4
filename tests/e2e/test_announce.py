"""Announcements, /countdown and /upcoming over the real protocol: what a server sees, and when.

Each test puts its own shows in the test's copy of the database and sets the server to "followed shows only",
so the seed catalog's own episodes never join in, whatever the time of day the suite runs.
"""

from __future__ import annotations

import asyncio
import datetime as dt
import sqlite3
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from bot import db
from bot.models import Episode
from bot.sandbox import FakeDiscord, FakeRole, FakeUser, Message, Permission
from bot.store import Repository
from tests.e2e.test_announce_crash import outbox_states, wait_for
from tests.fakes.clock import HeldClock

UTC = dt.UTC
ANNOUNCE_CHANNEL = "announcements"
# The bot's clock runs this much faster where a test waits for an air time; Discord's own clocks stay real.
SPEED = 6.0
# How many real seconds after the bot's clock is released (`HeldClock`, once the server is set up) an air time
# comes: the setting up happens while the bot's time stands still, so a busy machine does not eat into it.
LEAD = 0.5


async def add_show(
    path: Path,
    title: str,
    episodes: Sequence[tuple[int, dt.datetime]],
    *,
    count: int = 16,
    networks: tuple[str, ...] = ("tvN",),
    tmdb_id: int | None = None,
) -> int:
    """Insert a shared show with exact episode times straight into the database (the bot is not running)."""
    connection = await db.connect(path)
    try:
        repository = Repository(connection)
        fields: dict[str, Any] = {"title": title, "episode_count": count, "networks": networks}
        if tmdb_id is not None:
            fields["tmdb_id"] = tmdb_id
        show_id = await repository.add_show(fields)
        await repository.upsert_episodes(
            show_id, [Episode(show_id, number, air_at) for number, air_at in episodes], source="admin"
        )
    finally:
        await connection.close()
    return show_id


async def configure(fake: FakeDiscord, *follow: str, role: bool = True) -> None:
    """Set the main server up as an admin would: followed shows only, these shows, the fans role, the channel."""
    admin = fake.admin
    result = await fake.run_command("announce mode", {"mode": "followed"}, user=admin)
    assert result.ephemeral and "followed shows only" in result.content
    for title in follow:
        result = await fake.run_command("announce follow", {"title": title}, user=admin)
        assert result.content.startswith(f"Following {title}"), result.content
    if role:
        result = await fake.run_command("announce role", {"role": fake.guild.role("Drama Fans")}, user=admin)
        assert "will ping" in result.content
    result = await fake.run_command("announce channel", {"channel": fake.channels[ANNOUNCE_CHANNEL]}, user=admin)
    assert result.ephemeral and result.content.startswith("Announcements are on in"), result.content


def add_moderator(fake: FakeDiscord) -> tuple[FakeUser, FakeRole]:
    """Give the main server a moderator with Manage Server but not Mention Everyone (before the bot connects)."""
    # Fixed ids far below the time-based snowflakes the fake hands out, so they can never collide.
    moderators = FakeRole(1_001, "Moderators", int(Permission.MANAGE_GUILD), 1)
    staff = FakeRole(1_002, "Staff", 0, 1, mentionable=False)
    fake.guild.roles |= {moderators.id: moderators, staff.id: staff}
    return fake.add_user("modsun", guilds=[fake.guild], roles=["Moderators"]), moderators


def field(message: Message, name: str) -> str:
    embed = message.embed
    assert embed is not None
    return next(str(f["value"]) for f in embed.get("fields", []) if f["name"] == name)


async def status_text(fake: FakeDiscord) -> str:
    result = await fake.run_command("announce status", user=fake.admin)
    assert result.ephemeral and result.embed is not None
    embed = result.embed
    parts = [embed.get("description", "")] + [f"{f['name']}: {f['value']}" for f in embed.get("fields", [])]
    return "\n".join(parts)


async def test_a_show_added_ahead_is_announced_on_time_pinging_only_the_role(
    fake_discord: FakeDiscord, start_dramabot: Any, database_path: Path
) -> None:
    clock = HeldClock(SPEED, wall_origin=dt.datetime.now(UTC).replace(microsecond=0))
    air_at = clock.now() + clock.lead(LEAD)
    await add_show(database_path, "Moonlit Countdown", [(3, air_at)], tmdb_id=990001)
    async with start_dramabot(clock=clock):
        await configure(fake_discord, "Moonlit Countdown")
        clock.release()
        message = await fake_discord.wait_for_message(ANNOUNCE_CHANNEL, within=15)
        late = clock.real_seconds((clock.now() - air_at).total_seconds())
        assert -0.1 <= late < 3.0, f"announced {late:.2f} real seconds after the air time"
        embed = message.embed
        assert embed is not None and embed["title"] == "Moonlit Countdown"
        assert embed["url"] == "https://www.themoviedb.org/tv/990001"
        assert field(message, "Episode") == "Episode 3 of 16"
        assert field(message, "Network") == "tvN"
        unix = int(air_at.timestamp())
        assert f"<t:{unix}:F>" in field(message, "Airs") and f"<t:{unix}:R>" in field(message, "Airs")

        fans = fake_discord.guild.role("Drama Fans")
        assert message.content == f"<@&{fans.id}>"
        assert message.mentioned_role_ids == [fans.id]
        assert message.mentioned_user_ids == [] and not message.raw["mention_everyone"]
        allowed = message.allowed_mentions or {}
        assert allowed.get("parse") == [] and [int(r) for r in allowed.get("roles", [])] == [fans.id]
        assert not allowed.get("users") and not allowed.get("replied_user")

        await wait_for(lambda: outbox_states(database_path) == {"sent": 1}, 5, "the post marked sent")
        await asyncio.sleep(0.3)
        assert len(fake_discord.messages(ANNOUNCE_CHANNEL)) == 1, "announced once"


async def test_a_forbidden_channel_pauses_the_server_and_status_says_why(
    fake_discord: FakeDiscord, start_dramabot: Any, database_path: Path
) -> None:
    clock = HeldClock(SPEED)
    air_at = clock.now() + clock.lead(LEAD)
    await add_show(database_path, "Paused Melody", [(2, air_at)])
    rule = fake_discord.fail_next("POST", r"/channels/\d+/messages$", 403)
    async with start_dramabot(clock=clock):
        await configure(fake_discord, "Paused Melody", role=False)
        clock.release()
        status = ""
        for _ in range(150):  # the 403 answer notifies no waiter: poll what an admin would see
            if rule.hits:
                status = await status_text(fake_discord)
                if status.startswith("Paused"):
                    break
            await asyncio.sleep(0.1)
        assert status.startswith("Paused since <t:"), status
        assert "403" in status and "Missing Permissions" in status and "/announce channel" in status
        assert fake_discord.messages(ANNOUNCE_CHANNEL) == []

        # The admin fixes the channel and sets it again: the held announcement goes out, once.
        result = await fake_discord.run_command(
            "announce channel", {"channel": fake_discord.channels[ANNOUNCE_CHANNEL]}, user=fake_discord.admin
        )
        assert "resume" in result.content
        message = await fake_discord.wait_for_message(ANNOUNCE_CHANNEL, within=10)
        assert field(message, "Episode") == "Episode 2 of 16"
        assert not message.pings_anyone
        await asyncio.sleep(0.5)
        assert len(fake_discord.messages(ANNOUNCE_CHANNEL)) == 1
        assert (await status_text(fake_discord)).startswith("On")


async def test_the_channel_check_names_what_is_missing(fake_discord: FakeDiscord, start_dramabot: Any) -> None:
    async with start_dramabot():
        channel = fake_discord.channels["off-topic"]
        bot_role = next(r for r in fake_discord.guild.roles.values() if r.bot_id == fake_discord.bot.id)
        await fake_discord.set_overwrite(channel, bot_role, deny=int(Permission.EMBED_LINKS))
        result = await fake_discord.run_command("announce channel", {"channel": channel}, user=fake_discord.admin)
        assert result.ephemeral
        expected = f"I can't announce in <#{channel.id}>: I am missing the Embed Links permission there."
        assert result.content == expected
        status = await fake_discord.run_command("announce status", user=fake_discord.admin)
        assert "not set up" in status.content


async def test_only_who_may_mention_everyone_can_make_the_bot_ping_an_unmentionable_role(
    fake_discord: FakeDiscord, start_dramabot: Any
) -> None:
    moderator, _ = add_moderator(fake_discord)
    staff = fake_discord.guild.role("Staff")
    async with start_dramabot():
        refused = await fake_discord.run_command("announce role", {"role": staff}, user=moderator)
        assert refused.ephemeral
        assert refused.content.startswith(f"<@&{staff.id}> is not mentionable and you lack the Mention @everyone")
        status = await fake_discord.run_command("announce status", user=moderator)
        assert "not set up" in status.content, "nothing was saved"

        fans = fake_discord.guild.role("Drama Fans")
        allowed = await fake_discord.run_command("announce role", {"role": fans}, user=moderator)
        assert allowed.content == f"Announcements will ping <@&{fans.id}>."
        by_admin = await fake_discord.run_command("announce role", {"role": staff}, user=fake_discord.admin)
        assert by_admin.content == f"Announcements will ping <@&{staff.id}>."


async def test_announcements_go_only_to_a_channel_the_admin_can_post_in(
    fake_discord: FakeDiscord, start_dramabot: Any
) -> None:
    moderator, moderators = add_moderator(fake_discord)
    async with start_dramabot():
        hidden = fake_discord.channels["off-topic"]
        muted = fake_discord.channels["trivia"]
        await fake_discord.set_overwrite(hidden, moderators, deny=int(Permission.VIEW_CHANNEL))
        await fake_discord.set_overwrite(muted, moderator, deny=int(Permission.SEND_MESSAGES))
        for channel in (hidden, muted):
            refused = await fake_discord.run_command("announce channel", {"channel": channel}, user=moderator)
            assert refused.ephemeral
            assert refused.content.startswith(f"You can't send messages in <#{channel.id}> yourself"), refused.content
        status = await fake_discord.run_command("announce status", user=moderator)
        assert "not set up" in status.content

        announcements = fake_discord.channels[ANNOUNCE_CHANNEL]
        result = await fake_discord.run_command("announce channel", {"channel": announcements}, user=moderator)
        assert result.content.startswith(f"Announcements are on in <#{announcements.id}>")


async def test_a_restart_delivers_a_missed_announcement_once_and_skips_older_ones(
    fake_discord: FakeDiscord, start_dramabot: Any, database_path: Path
) -> None:
    later = dt.datetime.now(UTC) + dt.timedelta(days=3)
    await add_show(database_path, "Sleeper Hit", [(5, later)])
    await add_show(database_path, "Long Gone", [(7, later)])
    async with start_dramabot():
        await configure(fake_discord, "Sleeper Hit", "Long Gone")
        assert "Sleeper Hit" in await status_text(fake_discord)

    # Simulate eight hours of downtime: the bot last planned eight hours ago, announcements were on before that,
    # and while it was down one episode aired two hours ago (within the 6-hour grace) and one seven hours ago.
    now = dt.datetime.now(UTC)
    with sqlite3.connect(database_path) as raw:
        iso = lambda moment: moment.astimezone(UTC).isoformat(timespec="seconds")  # noqa: E731
        eight_hours_ago = iso(now - dt.timedelta(hours=8))
        raw.execute("UPDATE meta SET value = ? WHERE key = 'announce_planned_until'", (eight_hours_ago,))
        raw.execute("UPDATE announce_settings SET since = ?", (iso(now - dt.timedelta(hours=9)),))
        for title, hours in (("Sleeper Hit", 2), ("Long Gone", 7)):
            raw.execute(
                "UPDATE episodes SET air_at = ? WHERE show_id = (SELECT id FROM shows WHERE title = ?)",
                (iso(now - dt.timedelta(hours=hours)), title),
            )

    async with start_dramabot():
        message = await fake_discord.wait_for_message(ANNOUNCE_CHANNEL, within=10)
        assert message.embed is not None and message.embed["title"] == "Sleeper Hit"
        assert field(message, "Episode") == "Episode 5 of 16"
        status = await status_text(fake_discord)
        assert "Missed (1 skipped, 0 failed)" in status and "skipped: Long Gone episode 7" in status

    async with start_dramabot():
        await status_text(fake_discord)  # the bot is up and has planned
        await asyncio.sleep(1.0)
    titles = [m.embed["title"] for m in fake_discord.messages(ANNOUNCE_CHANNEL) if m.embed]
    assert titles == ["Sleeper Hit"], titles


async def test_countdown_shows_discord_timestamps(
    fake_discord: FakeDiscord, start_dramabot: Any, database_path: Path
) -> None:
    now = dt.datetime.now(UTC).replace(microsecond=0)
    next_air = now + dt.timedelta(days=2, hours=3)
    await add_show(database_path, "Countdown Lovers", [(1, now - dt.timedelta(days=5)), (2, next_air)], count=4)
    async with start_dramabot():
        choices = await fake_discord.autocomplete("countdown", "title", "Countdown Lov")
        assert choices and choices[0].name.startswith("Countdown Lovers")
        result = await fake_discord.run_command("countdown", {"title": choices[0].value})
        embed = result.embed
        assert embed is not None and not result.ephemeral
        unix = int(next_air.timestamp())
        assert "Episode 2 of 4" in embed["description"]
        assert f"<t:{unix}:F>" in embed["description"] and f"<t:{unix}:R>" in embed["description"]
        assert not result.message.pings_anyone


async def test_upcoming_groups_by_day_and_pages(
    fake_discord: FakeDiscord, start_dramabot: Any, database_path: Path
) -> None:
    start = dt.datetime.now(UTC).replace(microsecond=0) + dt.timedelta(hours=1)
    episodes = [(n, start + dt.timedelta(hours=3 * n)) for n in range(1, 21)]  # 20 episodes over 2.5 days
    await add_show(database_path, "Marathon Love", episodes, count=20, networks=("TestNet",))
    async with start_dramabot():
        result = await fake_discord.run_command("upcoming", {"days": 4, "network": "testnet"})
        embed = result.embed
        assert embed is not None
        assert embed["title"] == "Airing in the next 4 days on testnet"
        assert embed["footer"]["text"].startswith("Page 1 of 2")
        first = embed["description"]
        assert first.count("Marathon Love") == 15 and "(Seoul)" in first
        assert f"<t:{int(episodes[0][1].timestamp())}:t>" in first and "Premiere · Episode 1 of 20" in first
        later = next(c for c in result.components if c.label == "Later")
        await fake_discord.click(result, later.custom_id)
        await result.wait_for(lambda r: r.embed["footer"]["text"].startswith("Page 2 of 2"))
        assert result.embed["description"].count("Marathon Love") == 5
        assert "Episode 20 of 20" in result.embed["description"]

        nothing = await fake_discord.run_command("upcoming", {"days": 2, "network": "No Such Net"})
        assert nothing.embed["description"] == "Nothing airs on No Such Net in the next 2 days."


async def test_a_catalog_change_wakes_the_announcer_for_a_moved_episode(
    fake_discord: FakeDiscord, start_dramabot: Any, database_path: Path
) -> None:
    show_id = await add_show(database_path, "Rescheduled Romance", [(6, dt.datetime.now(UTC) + dt.timedelta(days=3))])
    clock = HeldClock(SPEED, wall_origin=dt.datetime.now(UTC).replace(microsecond=0))
    async with start_dramabot(clock=clock) as bot:
        await configure(fake_discord, "Rescheduled Romance", role=False)
        await asyncio.sleep(0.3)  # the announcer has planned and gone to sleep until far later
        # A curator moves episode 6 to a moment from now: written, refreshed, announced as a catalog change.
        air_at = clock.now() + clock.lead(LEAD)
        await bot.repository.upsert_episodes(show_id, [Episode(show_id, 6, air_at)], source="admin")
        await bot.catalog.refresh_show(bot.repository, show_id)
        bot.dispatch("catalog_change", show_id)
        clock.release()
        message = await fake_discord.wait_for_message(ANNOUNCE_CHANNEL, within=10)
        assert clock.real_seconds((clock.now() - air_at).total_seconds()) < 3.0
        assert field(message, "Episode") == "Episode 6 of 16" and f"<t:{int(air_at.timestamp())}:F>" in field(
            message, "Airs"
        )


async def test_sample_unfollow_and_off(fake_discord: FakeDiscord, start_dramabot: Any, database_path: Path) -> None:
    await add_show(database_path, "Sample Sonata", [(1, dt.datetime.now(UTC) + dt.timedelta(days=2))], tmdb_id=990002)
    async with start_dramabot():
        missing = await fake_discord.run_command("announce test", user=fake_discord.admin)
        assert missing.ephemeral and "No announcement channel is set" in missing.content
        await configure(fake_discord, "Sample Sonata")

        result = await fake_discord.run_command("announce test", user=fake_discord.admin)
        assert result.ephemeral and result.content.startswith("Posted a sample announcement in <#")
        sample = await fake_discord.wait_for_message(ANNOUNCE_CHANNEL)
        assert sample.embed is not None and sample.embed["title"] == "Sample Sonata"
        assert field(sample, "Episode") == "Premiere · Episode 1 of 16"
        assert "sample" in sample.embed["description"] and not sample.pings_anyone

        status = await status_text(fake_discord)
        assert "Followed shows (1): Sample Sonata" in status and "Sample Sonata · episode 1" in status

        choices = await fake_discord.autocomplete("announce unfollow", "title", "samp", user=fake_discord.admin)
        assert [c.name for c in choices] == ["Sample Sonata"]
        admin = fake_discord.admin
        result = await fake_discord.run_command("announce unfollow", {"title": choices[0].value}, user=admin)
        assert result.content == "No longer following Sample Sonata."
        again = await fake_discord.run_command("announce unfollow", {"title": "Sample Sonata"}, user=fake_discord.admin)
        assert again.ephemeral and again.content.startswith("This server does not follow Sample Sonata")

        off = await fake_discord.run_command("announce off", user=fake_discord.admin)
        assert off.content.startswith("Announcements are off")
        assert (await status_text(fake_discord)).startswith("Off")
