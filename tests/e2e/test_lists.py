"""/list over the sandbox Discord: a list is built, kept private, shared, exported and imported, kept to its server,
ranked in /list top, and forgotten (afterwards the database holds no row naming the user)."""

from __future__ import annotations

import json
import sqlite3
from pathlib import Path
from typing import Any

from bot import db
from bot.sandbox import FakeDiscord, Upload
from bot.store import Repository

LOCAL_TITLE = "Moonlit Club Special"


async def add_local_show(path: Path, guild_id: int) -> int:
    """A drama of the main server's own, straight into the database before the bot starts."""
    connection = await db.connect(path)
    try:
        return await Repository(connection).add_show({"title": LOCAL_TITLE, "episode_count": 8}, guild_id=guild_id)
    finally:
        await connection.close()


def rows_naming(path: Path, user_id: int) -> list[str]:
    """Every row of every table with a column holding `user_id` (the audit log included)."""
    found: list[str] = []
    with sqlite3.connect(path) as connection:
        tables = [t for (t,) in connection.execute("SELECT name FROM sqlite_master WHERE type = 'table'")]
        for table in tables:
            columns = [c[1] for c in connection.execute(f"PRAGMA table_info({table})")]
            for column in columns:
                count = connection.execute(f"SELECT COUNT(*) FROM {table} WHERE {column} = ?", (user_id,)).fetchone()[0]
                if count:
                    found.append(f"{table}.{column}: {count}")
    return found


def description(result: Any) -> str:
    assert result.embed is not None, result.content
    return str(result.embed.get("description", ""))


async def test_a_list_is_built_kept_private_shared_exported_imported_and_forgotten(
    fake_discord: FakeDiscord, start_dramabot: Any, database_path: Path
) -> None:
    fake = fake_discord
    member, admin = fake.member, fake.admin
    local_id = await add_local_show(database_path, fake.guild_id)
    async with start_dramabot():
        added = await fake.run_command("list add", {"title": "Goblin", "status": "completed", "score": 9})
        assert added.ephemeral and added.content.startswith("Added **Goblin**"), added.content
        assert "completed, episode 16 of 16, 9/10" in added.content
        assert added.message is not None and added.message.allowed_mentions == {"parse": []}

        watching = await fake.run_command("list add", {"title": "Signal", "episode": 3})
        assert watching.ephemeral and "watching, episode 3 of 16" in watching.content, watching.content

        bad = await fake.run_command("list add", {"title": "Signal", "score": 11})
        assert bad.ephemeral and bad.content == "A score is a whole number from 1 to 10."
        too_far = await fake.run_command("list progress", {"title": "Signal", "episode": 17})
        assert too_far.content == "Signal has 16 episodes; pick one from 0 to 16."

        # Autocomplete offers the user's own entries first.
        choices = await fake.autocomplete("list progress", "title", "s")
        assert choices and choices[0].name.startswith("Signal"), choices

        last = await fake.run_command("list progress", {"title": "Signal", "episode": 16})
        assert "episode 16 of 16 watched" in last.content and "mark it completed?" in last.content
        done = await fake.click(last, next(c.custom_id for c in last.components if c.custom_id))
        assert done.ephemeral and done.content == "Marked **Signal** completed."

        local = await fake.run_command("list add", {"title": LOCAL_TITLE, "status": "watching"})
        assert local.content.startswith(f"Added **{LOCAL_TITLE}**"), local.content

        # Private: another member cannot see it; the owner can.
        private = await fake.run_command("list show", {"user": member}, user=admin)
        assert (
            private.ephemeral and private.content == "Min-jun's list is private; they can share it with /list share on."
        )
        mine = await fake.run_command("list show")
        assert mine.ephemeral and "**Goblin** (2016) · completed · 9/10" in description(mine)
        assert LOCAL_TITLE in description(mine)

        shared = await fake.run_command("list share", {"sharing": "on"})
        assert shared.ephemeral and shared.content.startswith("Your list is shared")
        seen = await fake.run_command("list show", {"user": member, "status": "completed"}, user=admin)
        text = description(seen)
        assert seen.ephemeral and "Goblin" in text and "Signal" in text and LOCAL_TITLE not in text

        # The server's own drama stays in its server: another server's view and export leave it out.
        elsewhere = await fake.run_command(
            "list show", channel=fake.other_guild.channels["general"], guild=fake.other_guild
        )
        assert "Goblin" in description(elsewhere) and LOCAL_TITLE not in description(elsewhere)
        exported_elsewhere = await fake.run_command(
            "list export", {"format": "json"}, channel=fake.other_guild.channels["general"], guild=fake.other_guild
        )
        titles = [e["title"] for e in json.loads(exported_elsewhere.attachments[0].data)["entries"]]
        assert sorted(titles) == ["Goblin", "Signal"]

        exported = await fake.run_command("list export", {"format": "csv"})
        assert exported.ephemeral and exported.attachments[0].filename == "dramabot-list.csv"
        csv_text = exported.attachments[0].data.decode()
        assert csv_text.splitlines()[0] == "title,year,status,episode,score,show_id"
        assert f"{LOCAL_TITLE},,watching,0,,{local_id}" in csv_text

        # Import: all or nothing. A bad line changes nothing; the good file lands whole for the admin.
        broken = csv_text + "No Such Drama Anywhere,,watching,,,\n"
        refused = await fake.run_command(
            "list import", {"file": Upload("list.csv", broken.encode(), "text/csv")}, user=admin
        )
        assert refused.ephemeral and refused.content.startswith("Nothing was imported: line 5:"), refused.content
        empty = await fake.run_command("list show", user=admin)
        assert "This list is empty" in description(empty)
        imported = await fake.run_command(
            "list import", {"file": Upload("list.csv", csv_text.encode(), "text/csv")}, user=admin
        )
        assert imported.content == "Imported 3 dramas into your list.", imported.content
        copied = description(await fake.run_command("list show", user=admin))
        assert "Goblin" in copied and LOCAL_TITLE in copied and "9/10" in copied

        # /list top: only members who share, and only shows with three scores.
        owner = fake.owner
        for user, score in ((admin, 7), (owner, 8)):
            await fake.run_command("list add", {"title": "Goblin", "score": score}, user=user)
            await fake.run_command("list share", {"sharing": "on"}, user=user)
        top = await fake.run_command("list top")
        assert not top.ephemeral and "1. **Goblin**: 8.0/10 from 3 scores" in description(top), description(top)

        # Forget: asks first; then nothing about the member is left.
        asked = await fake.run_command("list forget")
        assert asked.ephemeral and "Sure?" in asked.content
        button = next(c.custom_id for c in asked.components if c.custom_id)
        assert rows_naming(database_path, member.id) != []
        gone = await fake.click(asked, button)
        assert "I keep nothing about you" in (gone.message.content if gone.message else "")
        assert rows_naming(database_path, member.id) == []
        after = await fake.run_command("list show")
        assert "This list is empty" in description(after)
        top_after = await fake.run_command("list top")
        assert "No drama has three scores yet" in description(top_after)
