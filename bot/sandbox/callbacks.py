"""Interactions from the fake's side: opening one for the bot, and the endpoints the bot answers it on.

The bot answers an interaction once on its callback endpoint, within Discord's deadline, then edits that answer
or adds follow-ups through the interaction's webhook for 15 minutes.
"""

from __future__ import annotations

import secrets
import time
from typing import Any, NoReturn

from aiohttp import web

from . import limits
from .gateway import GatewayServer
from .interactions import (
    ALLOWED_CALLBACKS,
    APPLICATION_COMMAND,
    AUTOCOMPLETE_RESULT,
    CHANNEL_MESSAGE,
    DEFERRED_CHANNEL_MESSAGE,
    DEFERRED_UPDATE_MESSAGE,
    MODAL,
    UPDATE_MESSAGE,
    Callback,
    InteractionRecord,
)
from .messages import LOADING, SENDABLE_FLAGS, MessageStore
from .models import EVERYONE_PERMISSIONS, FakeChannel, FakeUser, Message, Upload
from .monitor import Monitor
from .payloads import SandboxError
from .rest import (
    API_PREFIX,
    DiscordHTTPError,
    RestServer,
    invalid_form,
    json_response,
    no_content,
    read_body,
    unknown,
)
from .world import World

ATTACHMENT_SIZE_LIMIT = 10 * 1024 * 1024
FOLLOWUP_WINDOW = 15 * 60.0  # seconds an interaction's webhook stays usable
EPHEMERAL = 64


class InteractionEndpoints:
    """Open interactions for the bot, and serve the callback and follow-up webhook it answers them on."""

    def __init__(
        self,
        world: World,
        monitor: Monitor,
        rest: RestServer,
        gateway: GatewayServer,
        messages: MessageStore,
        *,
        deadline: float,
    ) -> None:
        self.world = world
        self.monitor = monitor
        self.rest = rest
        self.gateway = gateway
        self.messages = messages
        self.deadline = deadline  # seconds the bot has for its first callback (Discord's is 3)
        self._interactions: dict[str, InteractionRecord] = {}  # by token

    def routes(self) -> list[web.RouteDef]:
        """Return the callback route and the interaction webhook's routes."""
        webhook = API_PREFIX + "/webhooks/{app}/{token}"
        return [
            web.post(API_PREFIX + "/interactions/{interaction}/{token}/callback", self._callback),
            web.post(webhook, self._webhook_execute),
            web.get(webhook + "/messages/{message}", self._webhook_get),
            web.patch(webhook + "/messages/{message}", self._webhook_edit),
            web.delete(webhook + "/messages/{message}", self._webhook_delete),
        ]

    def open(
        self,
        kind: int,
        data: dict[str, Any],
        *,
        label: str,
        user: FakeUser,
        channel: FakeChannel,
        locale: str = "en-US",
        message: Message | None = None,
    ) -> InteractionRecord:
        """Create an interaction of `kind` by `user` in `channel` (on `message`, for a component or a modal)."""
        world = self.world
        guild = world.guild_of(channel)
        interaction_id = world.snowflake()
        token = f"interaction.{interaction_id}.{secrets.token_urlsafe(24)}"
        permissions = world.member_permissions(guild, channel, user)
        payload: dict[str, Any] = {
            "id": str(interaction_id),
            "application_id": str(world.application_id),
            "type": kind,
            "token": token,
            "version": 1,
            "data": data,
            "locale": locale,
            "entitlements": [],
            "entitlement_sku_ids": [],
            "attachment_size_limit": ATTACHMENT_SIZE_LIMIT,
            "channel_id": str(channel.id),
            "channel": channel.to_json(),
        }
        if guild is not None:
            member = guild.members[user.id]
            payload |= {
                "guild_id": str(guild.id),
                "guild": {"id": str(guild.id), "locale": "en-US", "features": []},
                "guild_locale": "en-US",
                "member": member.to_json(permissions=permissions),
                "app_permissions": str(guild.channel_permissions(channel, world.bot.id)),
                "authorizing_integration_owners": {"0": str(guild.id)},
                "context": 0,
            }
        else:
            payload |= {
                "user": user.to_json(),
                "app_permissions": str(int(EVERYONE_PERMISSIONS)),
                "authorizing_integration_owners": {"0": str(user.id)},
                "context": 1,
            }
        if message is not None:
            payload["message"] = message.raw
        record = InteractionRecord(
            id=interaction_id,
            token=token,
            kind=kind,
            label=label,
            user=user,
            channel=channel,
            guild=guild,
            payload=payload,
            source_message=message,
        )
        self._interactions[token] = record
        return record

    async def send(self, record: InteractionRecord) -> None:
        """Send the interaction to the bot as INTERACTION_CREATE."""
        if not self.gateway.connected:
            raise SandboxError("no bot is connected to the fake gateway; start one and await wait_until_ready()")
        guild_id = record.guild.id if record.guild else None
        await self.gateway.dispatch("INTERACTION_CREATE", record.payload, guild_id=guild_id)

    # ------------------------------------------------------------------ the callback

    @staticmethod
    def _refuse(record: InteractionRecord, error: DiscordHTTPError) -> NoReturn:
        record.reject(error.body)
        raise error

    def _check_form(
        self, record: InteractionRecord, violation: str, errors: list[limits.FormError], request: web.Request
    ) -> None:
        if errors:
            self.rest.violate(violation, f"{record.label}: " + "; ".join(map(str, errors)), request)
            self._refuse(record, invalid_form(errors))

    def _check_callback(
        self, record: InteractionRecord, kind: int, data: dict[str, Any], has_files: bool, request: web.Request
    ) -> float:
        """Raise Discord's error for a callback it would refuse; return the seconds since the interaction began."""
        elapsed = time.monotonic() - record.created
        if record.callbacks:
            self.rest.violate("double_response", f"{record.label} was answered twice", request)
            message = "Interaction has already been acknowledged."
            self._refuse(record, DiscordHTTPError(400, 40060, message))
        if elapsed > self.deadline:
            detail = f"{record.label} first answered after {elapsed:.2f} s (limit {self.deadline} s)"
            self.rest.violate("late_response", detail, request)
            self._refuse(record, unknown("interaction", 10062))
        if kind not in ALLOWED_CALLBACKS[record.kind]:
            self.rest.violate("wrong_callback", f"callback type {kind} is not valid for {record.label}", request)
            raise invalid_form(
                [limits.FormError(("type",), "INTERACTION_RESPONSE_TYPE_INVALID", "Invalid response type")]
            )
        if kind in (CHANNEL_MESSAGE, UPDATE_MESSAGE):
            source = record.source_message if kind == UPDATE_MESSAGE else None
            self.messages.reject_invalid(
                self.messages.merged(source, data) if source is not None else data,
                request,
                what=f"reply to {record.label}",
                record=record,
                creating=kind == CHANNEL_MESSAGE,
                has_files=has_files,
            )
        elif kind == AUTOCOMPLETE_RESULT:
            self._check_form(record, "invalid_choices", limits.check_choices(data.get("choices") or []), request)
        elif kind == MODAL:
            self._check_form(record, "invalid_modal", limits.check_modal(data), request)
        return elapsed

    async def _callback(self, request: web.Request) -> web.Response:
        record = self._interactions.get(request.match_info["token"])
        if record is None or str(record.id) != request.match_info["interaction"]:
            raise unknown("interaction", 10062)
        payload, files = await read_body(request)
        payload = payload or {}
        kind = int(payload.get("type", 0))
        data: dict[str, Any] = payload.get("data") or {}
        elapsed = self._check_callback(record, kind, data, bool(files), request)
        record.callbacks.append(Callback(kind, data, elapsed))
        record.touch()
        created: Message | None = None
        if kind == CHANNEL_MESSAGE:
            created = self._answer(record, data, files, flags=int(data.get("flags") or 0) & SENDABLE_FLAGS)
        elif kind == DEFERRED_CHANNEL_MESSAGE:
            created = self._answer(record, {}, [], flags=LOADING | (int(data.get("flags") or 0) & EPHEMERAL))
        elif kind in (DEFERRED_UPDATE_MESSAGE, UPDATE_MESSAGE):
            record.original = record.source_message
            if kind == UPDATE_MESSAGE and record.source_message is not None:
                self.messages.edit(record.source_message, data, files)
                await self.messages.updated(record.source_message)
        elif kind == AUTOCOMPLETE_RESULT:
            record.choices = list(data.get("choices") or [])
        elif kind == MODAL:
            record.modal = data
        if created is not None:
            await self.messages.created(created)
        self.monitor.notify()
        if request.query.get("with_response", "").lower() not in ("1", "true"):
            return no_content()
        original = record.original
        resource: dict[str, Any] = {"type": kind}
        if kind in (CHANNEL_MESSAGE, DEFERRED_CHANNEL_MESSAGE, UPDATE_MESSAGE) and original is not None:
            resource["message"] = original.raw
        return json_response(
            {
                "interaction": {
                    "id": str(record.id),
                    "type": record.kind,
                    "activity_instance_id": None,
                    "response_message_id": str(original.id) if original is not None else None,
                    "response_message_loading": kind == DEFERRED_CHANNEL_MESSAGE,
                    "response_message_ephemeral": bool(original is not None and original.ephemeral),
                },
                "resource": resource,
            }
        )

    def _answer(
        self, record: InteractionRecord, payload: dict[str, Any], files: list[Upload], *, flags: int
    ) -> Message:
        """Build the interaction's original response (for a deferral, the "thinking..." placeholder)."""
        message_type = 20 if record.kind == APPLICATION_COMMAND else 0
        record.original = self.messages.build(
            record.channel, self.world.bot, payload, files, record=record, flags=flags, message_type=message_type
        )
        return record.original

    # ------------------------------------------------------------------ the webhook: follow-ups and edits

    def _webhook_record(self, request: web.Request) -> InteractionRecord:
        record = self._interactions.get(request.match_info["token"])
        if request.match_info["app"] != str(self.world.application_id) or record is None:
            raise unknown("Webhook", 10015)
        if time.monotonic() - record.created > FOLLOWUP_WINDOW:
            raise DiscordHTTPError(401, 50027, "Invalid Webhook Token")
        if not record.callbacks:
            self.rest.violate("followup_before_response", f"{record.label}: webhook used before any callback", request)
            raise unknown("Webhook", 10015)
        return record

    def _webhook_message(self, record: InteractionRecord, raw_id: str) -> Message:
        if raw_id == "@original":
            if record.original is None or record.original.deleted:
                raise unknown("Message", 10008)
            return record.original
        message = self.messages.find(int(raw_id)) if raw_id.isdigit() else None
        if message is None or message.deleted or message.interaction_id != record.id:
            raise unknown("Message", 10008)
        return message

    async def _webhook_execute(self, request: web.Request) -> web.Response:
        record = self._webhook_record(request)
        payload, files = await read_body(request)
        payload = payload or {}
        what = f"follow-up to {record.label}"
        self.messages.reject_invalid(payload, request, what=what, record=record, creating=True, has_files=bool(files))
        original = record.original
        if original is not None and original.loading and not original.deleted:
            # Discord turns the first follow-up after a deferred reply into that reply, ephemeral or not as
            # the defer said, whatever the follow-up's own flags.
            self.messages.edit(original, {k: v for k, v in payload.items() if k != "flags"}, files)
            message = original
            await self.messages.updated(message)
        else:
            flags = int(payload.get("flags") or 0) & SENDABLE_FLAGS
            message = self.messages.build(record.channel, self.world.bot, payload, files, record=record, flags=flags)
            record.followups.append(message)
            await self.messages.created(message)
        record.touch()
        self.monitor.notify()
        if request.query.get("wait", "").lower() in ("1", "true"):
            return json_response(message.raw)
        return no_content()

    async def _webhook_get(self, request: web.Request) -> web.Response:
        record = self._webhook_record(request)
        return json_response(self._webhook_message(record, request.match_info["message"]).raw)

    async def _webhook_edit(self, request: web.Request) -> web.Response:
        record = self._webhook_record(request)
        message = self._webhook_message(record, request.match_info["message"])
        payload, files = await read_body(request)
        payload = payload or {}
        self.messages.reject_invalid(
            self.messages.merged(message, payload),
            request,
            what=f"edit of the reply to {record.label}",
            record=record,
            creating=False,
            has_files=bool(files),
        )
        self.messages.edit(message, payload, files)
        record.touch()
        await self.messages.updated(message)
        return json_response(message.raw)

    async def _webhook_delete(self, request: web.Request) -> web.Response:
        record = self._webhook_record(request)
        message = self._webhook_message(record, request.match_info["message"])
        record.touch()
        await self.messages.deleted(message)
        return no_content()
