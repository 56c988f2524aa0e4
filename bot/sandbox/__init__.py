"""A fake Discord (REST + gateway) on 127.0.0.1 that the real discord.py client can log into.

Used by the end-to-end tests and by `dramabot console`. It speaks the protocol with aiohttp only and never
imports discord: what it checks is what Discord itself would accept.

    async with FakeDiscord() as fake:
        ...  # point discord.py at fake.api_base / fake.gateway_url, start the bot
        await fake.wait_until_ready()
        result = await fake.run_command("drama", {"title": "Reply 1988"})
        assert "Reply 1988" in result.text
"""

from .interactions import Callback, InteractionResult
from .models import (
    Attachment,
    Choice,
    Component,
    FakeChannel,
    FakeGuild,
    FakeMember,
    FakeRole,
    FakeUser,
    Message,
    MessageEvent,
    Overwrite,
    Permission,
    RequestRecord,
    SelectOption,
    Upload,
    Violation,
)
from .payloads import BotError, SandboxError, SandboxTimeout
from .rest import FailureRule, LostResponse
from .server import FakeDiscord

__all__ = [
    "Attachment",
    "BotError",
    "Callback",
    "Choice",
    "Component",
    "FailureRule",
    "FakeChannel",
    "FakeDiscord",
    "FakeGuild",
    "FakeMember",
    "FakeRole",
    "FakeUser",
    "InteractionResult",
    "LostResponse",
    "Message",
    "MessageEvent",
    "Overwrite",
    "Permission",
    "RequestRecord",
    "SandboxError",
    "SandboxTimeout",
    "SelectOption",
    "Upload",
    "Violation",
]
