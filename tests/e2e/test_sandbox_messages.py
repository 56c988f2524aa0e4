"""The fake Discord's message routes behave as Discord's do where exactly-once depends on them.

Discord remembers an enforced nonce for a few minutes only, may answer a message POST late (or never) after it
created the message, and returns embeds (not nonces) when a channel is read, and no messages at all to a bot
without Read Message History. Plain HTTP here, no bot.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any

import aiohttp
import pytest

from bot.sandbox import FakeDiscord, Permission


@pytest.fixture
async def http(fake_discord: FakeDiscord) -> AsyncIterator[aiohttp.ClientSession]:
    headers = {"Authorization": f"Bot {fake_discord.token}"}
    async with aiohttp.ClientSession(base_url=fake_discord.base_url, headers=headers) as session:
        yield session


def messages_path(fake: FakeDiscord, channel: str = "announcements") -> str:
    return f"/api/v10/channels/{fake.channels[channel].id}/messages"


async def post(http: aiohttp.ClientSession, path: str, nonce: str, footer: str = "") -> dict[str, Any]:
    payload = {"embeds": [{"title": "Hello", "footer": {"text": footer}}], "nonce": nonce, "enforce_nonce": True}
    async with http.post(path, json=payload) as response:
        assert response.status == 200
        body: dict[str, Any] = await response.json()
        return body


async def test_an_enforced_nonce_is_remembered_only_for_the_nonce_memory(
    fake_discord: FakeDiscord, http: aiohttp.ClientSession
) -> None:
    fake_discord.nonce_memory = 0.3
    path = messages_path(fake_discord)
    first = await post(http, path, "n-1")
    again = await post(http, path, "n-1")
    assert again["id"] == first["id"] and len(fake_discord.messages("announcements")) == 1
    await asyncio.sleep(0.4)
    later = await post(http, path, "n-1")
    assert later["id"] != first["id"] and len(fake_discord.messages("announcements")) == 2, "forgotten: a copy"


async def test_a_late_answer_comes_after_the_message_exists(
    fake_discord: FakeDiscord, http: aiohttp.ClientSession
) -> None:
    fake_discord.message_answer_delay = 0.5
    sending = asyncio.create_task(post(http, messages_path(fake_discord), "n-2", footer="Dramabot · ref abc"))
    await fake_discord.wait_until(lambda: fake_discord.answers_pending == 1, within=2)
    assert len(fake_discord.messages("announcements")) == 1 and not sending.done()
    async with http.get(messages_path(fake_discord), params={"limit": 10}) as response:
        listed = await response.json()
    assert [m["embeds"][0]["footer"]["text"] for m in listed] == ["Dramabot · ref abc"], "the reader sees the footer"
    assert "nonce" not in listed[0], "Discord does not return the nonce when a channel is read"
    body = await asyncio.wait_for(sending, 2)
    assert body["id"] == listed[0]["id"] and fake_discord.answers_pending == 0


async def test_reading_a_channel_pages_forward_and_needs_read_message_history(
    fake_discord: FakeDiscord, http: aiohttp.ClientSession
) -> None:
    path = messages_path(fake_discord)
    ids = [int((await post(http, path, f"p-{n}"))["id"]) for n in range(5)]
    async with http.get(path, params={"limit": 2, "after": ids[1]}) as response:
        page = [int(m["id"]) for m in await response.json()]
    assert page == [ids[3], ids[2]], "the two just after, newest first"
    async with http.get(path, params={"limit": 101}) as response:
        assert response.status == 400

    bot_role = next(r for r in fake_discord.guild.roles.values() if r.bot_id == fake_discord.bot.id)
    await fake_discord.set_overwrite("announcements", bot_role, deny=int(Permission.READ_MESSAGE_HISTORY))
    async with http.get(path, params={"limit": 50}) as response:
        assert response.status == 200 and await response.json() == [], "no history: no messages, no error"
    await fake_discord.set_overwrite("announcements", bot_role, deny=int(Permission.VIEW_CHANNEL))
    async with http.get(path) as response:
        assert response.status == 403 and (await response.json())["code"] == 50001
