"""Channel messages as the fake keeps them: built, edited and deleted by the bot's REST calls, with their files."""

from __future__ import annotations

import asyncio
import contextlib
import re
import time
from collections.abc import Sequence
from typing import Any

from aiohttp import web

from . import limits
from .gateway import GatewayServer
from .interactions import APPLICATION_COMMAND, InteractionRecord
from .models import FakeChannel, FakeUser, Message, Permission, Upload, iso_now
from .monitor import Monitor
from .payloads import SandboxError, pinged
from .rest import API_PREFIX, DiscordHTTPError, RestServer, invalid_form, json_response, no_content, read_body, unknown
from .world import World

CDN_PREFIX = "/cdn/attachments"
NONCE_WINDOW = 300.0  # seconds Discord remembers an enforced nonce ("a few minutes"); tests shorten it
# Flags a message's sender may set: EPHEMERAL, SUPPRESS_EMBEDS, SUPPRESS_NOTIFICATIONS, IS_COMPONENTS_V2.
SENDABLE_FLAGS = 64 | 4 | 4096 | limits.IS_COMPONENTS_V2
# Only SUPPRESS_EMBEDS and IS_COMPONENTS_V2 can be changed by an edit.
EDITABLE_FLAGS = 4 | limits.IS_COMPONENTS_V2
LOADING = 128  # the "Bot is thinking..." flag of a deferred reply


def _rich(embed: dict[str, Any]) -> dict[str, Any]:
    return {"type": "rich", **embed}


def _fetched(message: Message) -> dict[str, Any]:
    """A message as a fetch returns it: Discord echoes the nonce only in the create answer and the gateway event."""
    return {key: value for key, value in message.raw.items() if key != "nonce"}


class MessageStore:
    """Every message and uploaded file; the bot's channel-message routes; the events each change sends."""

    def __init__(
        self,
        world: World,
        monitor: Monitor,
        rest: RestServer,
        gateway: GatewayServer,
        *,
        nonce_memory: float = NONCE_WINDOW,
        answer_delay: float = 0.0,
    ) -> None:
        self.world = world
        self.monitor = monitor
        self.rest = rest
        self.gateway = gateway
        self.reactions: list[tuple[int, str]] = []  # (message id, emoji) the bot added
        # Seconds an enforced nonce is remembered: a repeat within it returns the first message, not a new one.
        self.nonce_memory = nonce_memory
        # Seconds a channel-message POST waits to answer after the message was created and announced (a slow or
        # lost answer: the message exists although the sender has not heard so).
        self.answer_delay = answer_delay
        self.answers_pending = 0  # POSTs whose message exists but whose answer has not been sent yet
        self._answer_now = asyncio.Event()  # set on stop: every late answer goes out at once
        self._messages: dict[int, Message] = {}
        self._files: dict[int, Upload] = {}  # attachment id -> upload
        self._nonces: dict[tuple[int, str], tuple[float, Message]] = {}
        self.downloads: list[str] = []  # file names of the attachments the bot fetched from the CDN, in order

    def visible(self, channel_id: int | None = None) -> list[Message]:
        """Return messages everyone can see in one channel (or in every channel), oldest first."""
        found = [
            m
            for m in self._messages.values()
            if not m.deleted and not m.ephemeral and (channel_id is None or m.channel_id == channel_id)
        ]
        return sorted(found, key=lambda m: m.order)

    def find(self, message_id: int) -> Message | None:
        """Return the message with this id, deleted and ephemeral ones included."""
        return self._messages.get(message_id)

    def get(self, message_id: int) -> Message:
        """Return the message with this id, or raise SandboxError."""
        found = self._messages.get(message_id)
        if found is None:
            raise SandboxError(f"no message {message_id}")
        return found

    def routes(self) -> list[web.RouteDef]:
        """Return the routes for channel messages, reactions, typing and attachment downloads."""
        a = API_PREFIX + "/channels/{channel}"
        return [
            web.get(CDN_PREFIX + "/{channel}/{attachment}/{filename}", self._cdn),
            web.get(a + "/messages", self._list_messages),
            web.post(a + "/messages", self._create_message),
            web.get(a + "/messages/{message}", self._get_message),
            web.patch(a + "/messages/{message}", self._edit_message),
            web.delete(a + "/messages/{message}", self._delete_message),
            web.post(a + "/typing", self._typing),
            web.put(a + "/messages/{message}/reactions/{emoji}/@me", self._add_reaction),
            web.delete(a + "/messages/{message}/reactions/{emoji}/@me", self._remove_reaction),
        ]

    # ------------------------------------------------------------------ building and changing messages

    def reject_invalid(
        self,
        payload: dict[str, Any],
        request: web.Request,
        *,
        what: str,
        record: InteractionRecord | None = None,
        creating: bool,
        has_files: bool,
    ) -> None:
        """Raise Discord's 400 for a payload over Discord's limits, or for a new message with nothing in it."""
        errors = limits.check_message(payload)
        if errors:
            self.rest.violate("invalid_message", f"{what}: " + "; ".join(map(str, errors)), request)
            error = invalid_form(errors)
            if record is not None:
                record.reject(error.body)
            raise error
        empty = not (
            payload.get("content")
            or payload.get("embeds")
            or payload.get("components")
            or payload.get("sticker_ids")
            or payload.get("poll")
            or has_files
        )
        if creating and empty:
            self.rest.violate("empty_message", what, request)
            error = DiscordHTTPError(400, 50006, "Cannot send an empty message")
            if record is not None:
                record.reject(error.body)
            raise error

    def build(
        self,
        channel: FakeChannel,
        author: FakeUser,
        payload: dict[str, Any],
        files: list[Upload],
        *,
        message_type: int = 0,
        flags: int = 0,
        record: InteractionRecord | None = None,
    ) -> Message:
        """Store a new message from `payload` as Discord renders it; the caller announces it with `created`."""
        world = self.world
        message_id = world.snowflake()
        attachments, data = self._attachments_for(channel, payload.get("attachments"), files)
        allowed = payload.get("allowed_mentions")
        reference = payload.get("message_reference")
        referenced = self._messages.get(int(reference["message_id"])) if reference else None
        if reference and referenced is None and reference.get("fail_if_not_exists", True):
            raise unknown("Message", 10008)
        raw: dict[str, Any] = {
            "id": str(message_id),
            "channel_id": str(channel.id),
            "author": author.to_json(),
            "content": payload.get("content") or "",
            "timestamp": iso_now(),
            "edited_timestamp": None,
            "tts": bool(payload.get("tts", False)),
            "mention_everyone": False,
            "mentions": [],
            "mention_roles": [],
            "attachments": attachments,
            "embeds": [_rich(e) for e in payload.get("embeds") or []],
            "components": payload.get("components") or [],
            "reactions": [],
            "pinned": False,
            "type": 19 if referenced is not None else message_type,
            "flags": flags,
        }
        if payload.get("nonce") is not None:
            raw["nonce"] = payload["nonce"]
        if referenced is not None:
            raw["message_reference"] = {
                "type": 0,
                "message_id": str(referenced.id),
                "channel_id": str(referenced.channel_id),
            }
            raw["referenced_message"] = dict(referenced.raw)
        if channel.guild_id is not None:
            raw["guild_id"] = str(channel.guild_id)
        if author.bot:
            raw["application_id"] = str(world.application_id)
        if record is not None:
            raw["webhook_id"] = str(world.application_id)
            raw["interaction_metadata"] = {
                "id": str(record.id),
                "type": record.kind,
                "user": record.user.to_json(),
                "authorizing_integration_owners": record.payload.get("authorizing_integration_owners", {}),
            }
            if record.kind == APPLICATION_COMMAND:
                raw["interaction_metadata"]["name"] = record.label.lstrip("/")
                raw["interaction"] = {
                    "id": str(record.id),
                    "type": record.kind,
                    "name": record.label.lstrip("/"),
                    "user": record.user.to_json(),
                }
        self._apply_mentions(raw, allowed, replied=referenced)
        message = Message(
            raw,
            files=data,
            allowed_mentions=allowed,
            visible_to=record.user.id if record is not None and flags & 64 else None,
            interaction_id=record.id if record is not None else None,
        )
        self._messages[message_id] = message
        return message

    def edit(self, message: Message, payload: dict[str, Any], files: list[Upload]) -> None:
        """Apply an edit's `payload` to `message`; the caller announces it with `updated`."""
        raw = message.raw
        if "content" in payload:
            raw["content"] = payload["content"] or ""
        if "embeds" in payload:
            raw["embeds"] = [_rich(e) for e in payload["embeds"] or []]
        if "components" in payload:
            raw["components"] = payload["components"] or []
        if "flags" in payload and payload["flags"] is not None:
            raw["flags"] = (raw["flags"] & ~EDITABLE_FLAGS) | (int(payload["flags"]) & EDITABLE_FLAGS)
        raw["flags"] &= ~LOADING  # any edit ends the "thinking..." state
        if "attachments" in payload or files:
            channel = self.world.channel(message.channel_id)
            attachments, data = self._attachments_for(channel, payload.get("attachments"), files, raw["attachments"])
            if "attachments" not in payload:
                attachments = raw["attachments"] + attachments
                data = message.files | data
            raw["attachments"] = attachments
            message.files = data
        if "allowed_mentions" in payload:
            message.allowed_mentions = payload["allowed_mentions"]
        self._apply_mentions(raw, message.allowed_mentions)
        raw["edited_timestamp"] = iso_now()
        message.edits += 1

    @staticmethod
    def merged(message: Message, payload: dict[str, Any]) -> dict[str, Any]:
        """Return what `message` would hold after the edit `payload`, for checking Discord's limits."""
        merged = {k: message.raw.get(k) for k in ("content", "embeds", "components", "flags")}
        merged.update({k: v for k, v in payload.items() if k in merged and v is not None})
        return merged

    def new_attachment(self, channel: FakeChannel, upload: Upload, description: str | None) -> dict[str, Any]:
        """Store `upload` on the fake CDN and return its attachment JSON."""
        attachment_id = self.world.snowflake()
        self._files[attachment_id] = upload
        url = f"{self.rest.base_url}{CDN_PREFIX}/{channel.id}/{attachment_id}/{upload.filename}"
        attachment: dict[str, Any] = {
            "id": str(attachment_id),
            "filename": upload.filename,
            "size": len(upload.data),
            "url": url,
            "proxy_url": url,
            "content_type": upload.content_type,
        }
        if description:
            attachment["description"] = description
        return attachment

    def _attachments_for(
        self,
        channel: FakeChannel,
        listed: list[dict[str, Any]] | None,
        files: list[Upload],
        existing: Sequence[dict[str, Any]] = (),
    ) -> tuple[list[dict[str, Any]], dict[int, bytes]]:
        """Turn `attachments` entries + uploaded files into attachment JSON; keep listed existing ones."""
        kept_by_id = {a["id"]: a for a in existing}
        result: list[dict[str, Any]] = []
        data: dict[int, bytes] = {}
        entries: list[dict[str, Any]] = listed if listed is not None else [{"id": i} for i in range(len(files))]
        used: set[int] = set()
        for entry in entries:
            raw_id = str(entry.get("id"))
            if raw_id in kept_by_id:
                result.append(kept_by_id[raw_id])
                kept = self._files.get(int(raw_id))
                data[int(raw_id)] = kept.data if kept is not None else b""
                continue
            index = int(raw_id)
            if not 0 <= index < len(files):
                detail = f"No file uploaded for attachment {index}"
                raise invalid_form([limits.FormError(("attachments",), "ATTACHMENT_NOT_FOUND", detail)])
            used.add(index)
            result.append(self.new_attachment(channel, files[index], entry.get("description")))
            data[int(result[-1]["id"])] = files[index].data
        for index, upload in enumerate(files):
            if index not in used and listed is None:
                result.append(self.new_attachment(channel, upload, None))
                data[int(result[-1]["id"])] = upload.data
        return result, data

    def _apply_mentions(
        self, raw: dict[str, Any], allowed: dict[str, Any] | None, *, replied: Message | None = None
    ) -> None:
        replied_user = replied.author_id if replied is not None else None
        user_ids, role_ids, everyone = pinged(raw["content"], allowed, replied_user_id=replied_user)
        users = self.world.users
        raw["mentions"] = [users[u].to_json() for u in user_ids if u in users]
        raw["mention_roles"] = [str(r) for r in role_ids]
        raw["mention_everyone"] = everyone

    # ------------------------------------------------------------------ telling subscribers and the bot

    async def created(self, message: Message) -> None:
        """Publish a new message and send MESSAGE_CREATE, blanked for a bot that may not read it."""
        self.monitor.publish("create", message)
        if message.ephemeral:
            return
        guild_id = self._guild_id_of(message)
        full = self._message_event(message)
        bot_id = self.world.bot.id
        mentions_bot = bot_id in message.mentioned_user_ids or any(
            int(u) == bot_id for u in re.findall(r"<@!?(\d+)>", message.content)
        )
        readable = guild_id is None or message.author_id == bot_id or mentions_bot
        blanked = None if readable else full | {"content": "", "embeds": [], "attachments": [], "components": []}
        await self.gateway.dispatch("MESSAGE_CREATE", full, guild_id=guild_id, without_content=blanked)

    async def updated(self, message: Message) -> None:
        """Publish an edited message and send MESSAGE_UPDATE."""
        self.monitor.publish("update", message)
        if not message.ephemeral:
            guild_id = self._guild_id_of(message)
            await self.gateway.dispatch("MESSAGE_UPDATE", self._message_event(message), guild_id=guild_id)

    async def deleted(self, message: Message) -> None:
        """Mark `message` deleted, publish it and send MESSAGE_DELETE."""
        message.deleted = True
        self.monitor.publish("delete", message)
        if not message.ephemeral:
            data: dict[str, Any] = {"id": str(message.id), "channel_id": str(message.channel_id)}
            guild_id = self._guild_id_of(message)
            if guild_id is not None:
                data["guild_id"] = str(guild_id)
            await self.gateway.dispatch("MESSAGE_DELETE", data, guild_id=guild_id)

    @staticmethod
    def _guild_id_of(message: Message) -> int | None:
        return int(message.raw["guild_id"]) if "guild_id" in message.raw else None

    def _message_event(self, message: Message) -> dict[str, Any]:
        data = dict(message.raw)
        guild = self.world.guilds.get(self._guild_id_of(message) or 0)
        if guild is not None:
            member = guild.members.get(message.author_id)
            if member is not None:
                data["member"] = member.to_json(with_user=False)
        return data

    # ------------------------------------------------------------------ routes

    def _message_or_404(self, channel: FakeChannel, raw_id: str) -> Message:
        try:
            message = self._messages[int(raw_id)]
        except (KeyError, ValueError):
            raise unknown("Message", 10008) from None
        if message.channel_id != channel.id or message.deleted or message.ephemeral:
            raise unknown("Message", 10008)
        return message

    def _check_bot_can_send(self, channel: FakeChannel, has_files: bool) -> None:
        guild = self.world.guild_of(channel)
        if guild is None:
            if channel.is_dm and channel.recipient is not None and channel.recipient.id in self.world.closed_dms:
                raise DiscordHTTPError(403, 50007, "Cannot send messages to this user")
            return
        perms = guild.channel_permissions(channel, self.world.bot.id)
        needed = Permission.VIEW_CHANNEL | Permission.SEND_MESSAGES | (Permission.ATTACH_FILES if has_files else 0)
        if perms & needed != needed:
            raise DiscordHTTPError(403, 50013, "Missing Permissions")

    async def _cdn(self, request: web.Request) -> web.Response:
        try:
            upload = self._files[int(request.match_info["attachment"])]
        except (KeyError, ValueError):
            return web.Response(status=404)
        self.downloads.append(upload.filename)
        return web.Response(body=upload.data, headers={"Content-Type": upload.content_type})

    async def _create_message(self, request: web.Request) -> web.Response:
        channel = self.rest.channel_or_404(request)
        payload, files = await read_body(request)
        payload = payload or {}
        self._check_bot_can_send(channel, bool(files))
        bot = self.world.bot
        nonce = payload.get("nonce")
        if nonce is not None and payload.get("enforce_nonce"):
            seen = self._nonces.get((bot.id, str(nonce)))
            if seen is not None and time.monotonic() - seen[0] < self.nonce_memory:
                return await self._answer_late(seen[1].raw)
        self.reject_invalid(payload, request, what=f"message to #{channel.name}", creating=True, has_files=bool(files))
        message = self.build(channel, bot, payload, files)
        message.enforce_nonce = nonce is not None and bool(payload.get("enforce_nonce"))
        if nonce is not None:
            self._forget_old_nonces()
            self._nonces[(bot.id, str(nonce))] = (time.monotonic(), message)
        await self.created(message)
        return await self._answer_late(message.raw)

    async def _answer_late(self, raw: dict[str, Any]) -> web.Response:
        """Answer after `answer_delay`; the message already exists, whether or not the sender is still there."""
        if self.answer_delay <= 0:
            return json_response(raw)
        self.answers_pending += 1
        try:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._answer_now.wait(), self.answer_delay)
        finally:
            self.answers_pending -= 1
            self.monitor.notify()
        return json_response(raw)

    def answer_all_now(self) -> None:
        """Send every late answer now (the fake is stopping)."""
        self._answer_now.set()

    def _forget_old_nonces(self) -> None:
        now = time.monotonic()
        if len(self._nonces) > 1000:  # now and then, not on every post
            self._nonces = {key: seen for key, seen in self._nonces.items() if now - seen[0] < self.nonce_memory}

    async def _list_messages(self, request: web.Request) -> web.Response:
        channel = self.rest.channel_or_404(request)
        limit = self._query_int(request, "limit", 50)
        if not 1 <= limit <= 100:
            raise invalid_form([limits.FormError(("limit",), "NUMBER_TYPE_MAX", "int value should be <= 100.")])
        if sum(key in request.query for key in ("before", "after", "around")) > 1:
            self.rest.violate("invalid_query", "before, after and around are mutually exclusive", request)
        guild = self.world.guild_of(channel)
        if guild is not None:
            perms = guild.channel_permissions(channel, self.world.bot.id)
            if not perms & Permission.VIEW_CHANNEL:
                raise DiscordHTTPError(403, 50001, "Missing Access")
            if not perms & Permission.READ_MESSAGE_HISTORY:
                return json_response([])  # as Discord: no error, and no messages
        found = self.visible(channel.id)
        if "before" in request.query:
            found = [m for m in found if m.id < int(request.query["before"])]
        if "after" in request.query:
            found = [m for m in found if m.id > int(request.query["after"])][:limit]
        if "around" in request.query:
            pivot = int(request.query["around"])
            found = sorted(found, key=lambda m: abs(m.id - pivot))[:limit]
            found.sort(key=lambda m: m.id)
        return json_response([_fetched(m) for m in reversed(found[-limit:])])

    @staticmethod
    def _query_int(request: web.Request, name: str, default: int) -> int:
        try:
            return int(request.query.get(name, default))
        except ValueError:
            raise invalid_form([limits.FormError((name,), "NUMBER_TYPE_COERCE", "Value is not int.")]) from None

    async def _get_message(self, request: web.Request) -> web.Response:
        channel = self.rest.channel_or_404(request)
        return json_response(_fetched(self._message_or_404(channel, request.match_info["message"])))

    async def _edit_message(self, request: web.Request) -> web.Response:
        channel = self.rest.channel_or_404(request)
        message = self._message_or_404(channel, request.match_info["message"])
        if message.author_id != self.world.bot.id:
            raise DiscordHTTPError(403, 50005, "Cannot edit a message authored by another user")
        payload, files = await read_body(request)
        payload = payload or {}
        self.reject_invalid(
            self.merged(message, payload),
            request,
            what=f"edit of message {message.id}",
            creating=False,
            has_files=bool(files),
        )
        self.edit(message, payload, files)
        await self.updated(message)
        return json_response(message.raw)

    async def _delete_message(self, request: web.Request) -> web.Response:
        channel = self.rest.channel_or_404(request)
        message = self._message_or_404(channel, request.match_info["message"])
        guild = self.world.guild_of(channel)
        bot_id = self.world.bot.id
        if message.author_id != bot_id and not (
            guild and guild.channel_permissions(channel, bot_id) & Permission.MANAGE_MESSAGES
        ):
            raise DiscordHTTPError(403, 50013, "Missing Permissions")
        await self.deleted(message)
        return no_content()

    async def _typing(self, request: web.Request) -> web.Response:
        self.rest.channel_or_404(request)
        return no_content()

    async def _add_reaction(self, request: web.Request) -> web.Response:
        channel = self.rest.channel_or_404(request)
        message = self._message_or_404(channel, request.match_info["message"])
        self.reactions.append((message.id, request.match_info["emoji"]))
        self.monitor.notify()
        return no_content()

    async def _remove_reaction(self, request: web.Request) -> web.Response:
        channel = self.rest.channel_or_404(request)
        message = self._message_or_404(channel, request.match_info["message"])
        with contextlib.suppress(ValueError):
            self.reactions.remove((message.id, request.match_info["emoji"]))
        return no_content()
