"""What happened to one interaction: the bot's callback, the original response, follow-ups, modal, choices."""

from __future__ import annotations

import asyncio
import contextlib
import dataclasses
import time
from collections.abc import Callable
from typing import Any

from .models import Attachment, Choice, Component, FakeChannel, FakeGuild, FakeUser, Message, walk_components
from .monitor import Monitor
from .payloads import SandboxError, SandboxTimeout

# Interaction types, as Discord numbers them.
APPLICATION_COMMAND = 2
MESSAGE_COMPONENT = 3
AUTOCOMPLETE = 4
MODAL_SUBMIT = 5

# Callback types.
CHANNEL_MESSAGE = 4
DEFERRED_CHANNEL_MESSAGE = 5
DEFERRED_UPDATE_MESSAGE = 6
UPDATE_MESSAGE = 7
AUTOCOMPLETE_RESULT = 8
MODAL = 9

ALLOWED_CALLBACKS = {
    APPLICATION_COMMAND: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, MODAL},
    MESSAGE_COMPONENT: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE, MODAL},
    AUTOCOMPLETE: {AUTOCOMPLETE_RESULT},
    MODAL_SUBMIT: {CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE},
}


@dataclasses.dataclass(frozen=True)
class Callback:
    type: int
    data: dict[str, Any]
    elapsed: float  # seconds after the interaction was created


class InteractionRecord:
    """The fake's bookkeeping for one interaction token."""

    def __init__(
        self,
        *,
        id: int,
        token: str,
        kind: int,
        label: str,
        user: FakeUser,
        channel: FakeChannel,
        guild: FakeGuild | None,
        payload: dict[str, Any],
        source_message: Message | None = None,
    ) -> None:
        self.id = id
        self.token = token
        self.kind = kind
        self.label = label
        self.user = user
        self.channel = channel
        self.guild = guild
        self.payload = payload
        self.source_message = source_message
        self.created = time.monotonic()
        self.last_activity = self.created
        self.callbacks: list[Callback] = []
        self.original: Message | None = None
        self.followups: list[Message] = []
        self.modal: dict[str, Any] | None = None
        self.choices: list[dict[str, Any]] | None = None
        self.rejected: list[dict[str, Any]] = []  # error bodies the fake answered this interaction's requests with

    def touch(self) -> None:
        """Note that the bot just did something with this interaction."""
        self.last_activity = time.monotonic()

    def reject(self, body: dict[str, Any]) -> None:
        """Note an error Discord answered one of the bot's requests for this interaction with."""
        self.rejected.append(body)
        self.touch()

    @property
    def responded(self) -> bool:
        return bool(self.callbacks)


class InteractionResult:
    """What the user saw after an interaction; live, so later edits and follow-ups show up here too."""

    def __init__(self, record: InteractionRecord, monitor: Monitor) -> None:
        self._record = record
        self._monitor = monitor

    def __repr__(self) -> str:
        return (
            f"<InteractionResult {self._record.label} type={self.response_type} ephemeral={self.ephemeral} "
            f"content={self.content!r} embeds={len(self.embeds)} followups={len(self.followups)}>"
        )

    @property
    def interaction_id(self) -> int:
        return self._record.id

    @property
    def user(self) -> FakeUser:
        return self._record.user

    @property
    def channel(self) -> FakeChannel:
        return self._record.channel

    @property
    def source_message(self) -> Message | None:
        """The message whose component started this interaction, if one did."""
        return self._record.source_message

    @property
    def last_activity(self) -> float:
        """When the bot last did something with this interaction, on `time.monotonic`."""
        return self._record.last_activity

    @property
    def response_type(self) -> int | None:
        """The first callback type: 4 message, 5 deferred, 6 deferred update, 7 update, 8 choices, 9 modal."""
        return self._record.callbacks[0].type if self._record.callbacks else None

    @property
    def original(self) -> Message | None:
        """The original response (for an update: the message the component sits on)."""
        return self._record.original

    @property
    def followups(self) -> list[Message]:
        return list(self._record.followups)

    @property
    def messages(self) -> list[Message]:
        """Every message this interaction produced, original first, deleted ones left out."""
        found = ([self._record.original] if self._record.original else []) + self._record.followups
        return [m for m in found if not m.deleted]

    @property
    def message(self) -> Message | None:
        """The message the user reads as the answer: the original response, else the first follow-up."""
        messages = self.messages
        return messages[0] if messages else None

    @property
    def content(self) -> str | None:
        return self.message.content if self.message else None

    @property
    def text(self) -> str:
        return self.message.text if self.message else ""

    @property
    def embeds(self) -> list[dict[str, Any]]:
        return self.message.embeds if self.message else []

    @property
    def embed(self) -> dict[str, Any] | None:
        return self.message.embed if self.message else None

    @property
    def components(self) -> list[Component]:
        return self.message.components if self.message else []

    @property
    def attachments(self) -> list[Attachment]:
        return self.message.attachments if self.message else []

    @property
    def ephemeral(self) -> bool:
        """Whether only the invoking user sees the answer (flag 64)."""
        message = self.message
        return bool(message and message.ephemeral)

    @property
    def modal(self) -> dict[str, Any] | None:
        """The modal the bot opened (callback type 9), as Discord received it."""
        return self._record.modal

    @property
    def modal_fields(self) -> list[Component]:
        """The modal's inputs, flattened like message components."""
        if self._record.modal is None:
            return []
        return [Component.from_json(c, row) for row, c in walk_components(self._record.modal.get("components", []))]

    @property
    def choices(self) -> list[Choice]:
        return [Choice(c["name"], c["value"]) for c in self._record.choices or []]

    @property
    def rejected(self) -> list[dict[str, Any]]:
        """Discord error bodies the fake answered this interaction's requests with (e.g. a too-long embed)."""
        return list(self._record.rejected)

    async def wait_for(
        self, predicate: Callable[[InteractionResult], bool], *, within: float = 5.0, what: str = "a change"
    ) -> InteractionResult:
        """Wait until `predicate(self)` holds, e.g. `lambda r: len(r.followups) == 2`."""
        await self._monitor.wait_until(lambda: predicate(self), within=within, what=f"{what} on {self._record.label}")
        return self

    async def wait_for_followup(self, count: int = 1, *, within: float = 5.0) -> Message:
        """Wait until the bot has sent `count` follow-ups; return the last one."""
        await self.wait_for(lambda r: len(r.followups) >= count, within=within, what=f"{count} follow-up(s)")
        return self._record.followups[count - 1]


async def settle(monitor: Monitor, record: InteractionRecord, *, within: float, quiet: float) -> None:
    """Wait for the bot's answer: the first callback, a deferred reply's completion, then `quiet` idle seconds."""
    deadline = time.monotonic() + within
    await monitor.wait_until(
        lambda: record.responded or bool(record.rejected), within=within, what=f"a response to {record.label}"
    )
    if not record.responded:
        # Discord refused the bot's answer (too late, too long...); give the bot a moment to try again.
        with contextlib.suppress(SandboxTimeout):
            await monitor.wait_until(lambda: record.responded, within=min(within, 0.5), what="a second attempt")
        if not record.responded:
            raise SandboxError(f"Discord rejected every response to {record.label}: {record.rejected}")
    first = record.callbacks[0].type
    if first == DEFERRED_CHANNEL_MESSAGE:
        await monitor.wait_until(
            lambda: (record.original is not None and not record.original.loading) or bool(record.followups),
            within=max(deadline - time.monotonic(), 0.01),
            what=f"the deferred reply to {record.label} to be completed",
        )
    while True:
        idle = time.monotonic() - record.last_activity
        if idle >= quiet or time.monotonic() >= deadline:
            return
        await asyncio.sleep(quiet - idle)
