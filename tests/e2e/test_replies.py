"""What every reply promises, whatever a user typed: it pings nobody, and a confirmation acts once.

README: "Replies never ping anyone. The one mention the bot ever makes is the role a server chose with
/announce role, and only in announcements."
"""

from __future__ import annotations

import asyncio
import json
from typing import Any

from bot.sandbox import FakeDiscord


async def test_a_title_full_of_mentions_pings_nobody_in_any_reply(
    fake_discord: FakeDiscord, start_dramabot: Any
) -> None:
    fake = fake_discord
    fans = fake.guild.role("Drama Fans")
    title = f"<@{fake.member.id}> and <@&{fans.id}> Fan Club @everyone @here"
    async with start_dramabot():
        replies = [await fake.run_command("show add", {"title": title, "episodes": 8}, user=fake.admin)]
        assert replies[0].content.startswith(f"Added **{title}**"), replies[0].content
        replies.append(await fake.run_command("show alias", {"title": title, "alias": "@everyone"}, user=fake.admin))
        replies.append(await fake.run_command("drama", {"title": title}))
        replies.append(await fake.run_command("countdown", {"title": title}))
        replies.append(await fake.run_command("ask", {"question": f"how many episodes does {title} have"}))
        for reply in replies:
            assert f"<@{fake.member.id}>" in reply.text, reply.text  # the mention is shown...
            assert not reply.message.pings_anyone, reply.text  # ...and pings nobody
        person = f"<@{fake.admin.id}> @everyone"
        cast = await fake.run_command("show cast", {"title": title, "person": person}, user=fake.admin)
        assert person in cast.content and not cast.message.pings_anyone


async def test_a_double_click_adds_once(fake_discord: FakeDiscord, start_dramabot: Any) -> None:
    fake = fake_discord
    async with start_dramabot():
        near = await fake.run_command("show add", {"title": "Goblins"}, user=fake.admin)
        anyway = next(c.custom_id for c in near.components if c.label.startswith("Add"))
        assert anyway is not None
        first, second = await asyncio.gather(fake.click(near, anyway), fake.click(near, anyway))
        answers = sorted(r.content for r in (first, second) if r.ephemeral)
        assert answers == ["That is already being done; wait a moment."], answers
        assert near.content == "Added **Goblins** to this server's catalog."
        export = await fake.run_command("catalog export", user=fake.admin)
        assert [show["title"] for show in json.loads(export.attachments[0].data)["shows"]] == ["Goblins"]
