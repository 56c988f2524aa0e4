"""The controls a test or the console drives the fake with, acting as Discord's users would."""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping, Sequence
from typing import Any

from .callbacks import InteractionEndpoints
from .commands import CommandRegistry
from .gateway import GatewayServer
from .interactions import (
    APPLICATION_COMMAND,
    AUTOCOMPLETE,
    MESSAGE_COMPONENT,
    MODAL_SUBMIT,
    InteractionResult,
    settle,
)
from .messages import MessageStore
from .models import Choice, FakeChannel, FakeGuild, FakeRole, FakeUser, Message, Overwrite, Upload, walk_components
from .monitor import Monitor
from .payloads import SandboxError, modal_submission
from .world import ChannelRef, UserRef, World

MessageRef = Message | InteractionResult | int
SELECT_TYPES = (3, 5, 6, 7, 8)  # string, user, role, mentionable and channel selects
# The option type each auto-populated select's values are resolved as.
SELECT_OPTION_TYPES = {5: 6, 6: 8, 7: 9, 8: 7}


class Driver:
    """Run slash commands, type into autocomplete, click, pick, fill in modals and post messages as a user."""

    def __init__(
        self,
        world: World,
        monitor: Monitor,
        gateway: GatewayServer,
        messages: MessageStore,
        commands: CommandRegistry,
        endpoints: InteractionEndpoints,
    ) -> None:
        self._world = world
        self._monitor = monitor
        self._gateway = gateway
        self._messages = messages
        self._commands = commands
        self._endpoints = endpoints
        self._handed_out: set[int] = set()  # messages wait_for_message already returned

    async def wait_until_ready(self, within: float = 10.0) -> None:
        """Wait until a bot has identified and been sent its guilds."""
        gateway = self._gateway
        await self._monitor.wait_until(
            lambda: gateway.connected, within=within, what="the bot to connect to the gateway"
        )

    async def set_overwrite(
        self, channel: ChannelRef, target: FakeUser | FakeRole, *, allow: int = 0, deny: int = 0
    ) -> None:
        """Set a channel permission overwrite for a role or member (e.g. deny the bot SEND_MESSAGES).

        Returns once a connected bot has applied the CHANNEL_UPDATE: no sleep is needed after it.
        """
        where = self._world.channel(channel)
        kind = 0 if isinstance(target, FakeRole) else 1
        where.overwrites = [o for o in where.overwrites if (o.kind, o.target_id) != (kind, target.id)]
        where.overwrites.append(Overwrite(target.id, kind, int(allow), int(deny)))
        await self._gateway.dispatch("CHANNEL_UPDATE", where.to_json(), guild_id=where.guild_id)
        await self.bot_caught_up()  # the bot's cache shows the overwrite before this returns

    async def bot_caught_up(self, within: float = 5.0) -> None:
        """Wait until the bot has read every gateway event the fake sent so far (its cache is up to date)."""
        await self._gateway.caught_up(within)

    def open_command_to_everyone(self, command: str, guild: FakeGuild | int | None = None) -> None:
        """Let every member of `guild` (default the main one) use `command`, whatever its default permissions.

        A server's admins can do this in Server Settings > Integrations; Discord then shows the command to
        everyone there, so only the bot's own checks stand between a member and the command.
        """
        where = self._world.guilds[guild] if isinstance(guild, int) else guild or self._world.guild
        root = command.strip().lstrip("/").split()[0]
        self._commands.command(root, where.id)  # the command must exist
        self._commands.opened.add((where.id, root))

    async def set_roles(self, user: UserRef, roles: Sequence[str], guild: FakeGuild | int | None = None) -> None:
        """Give `user` exactly the named roles in `guild` (default the main one), as an admin would.

        Interactions carry the member's permissions as they are at that moment, so a role taken away between a
        prompt and a click shows on the click.
        """
        where = self._world.guilds[guild] if isinstance(guild, int) else guild or self._world.guild
        person = self._world.user(user)
        member = where.members[person.id]
        member.role_ids = [where.role(name).id for name in roles]
        payload = member.to_json() | {"guild_id": str(where.id)}
        await self._gateway.dispatch("GUILD_MEMBER_UPDATE", payload, guild_id=where.id)
        await self.bot_caught_up()

    # ------------------------------------------------------------------ slash commands and autocomplete

    def _context(
        self, user: UserRef | None, channel: ChannelRef | None, guild: FakeGuild | int | None
    ) -> tuple[FakeUser, FakeChannel, FakeGuild | None]:
        world = self._world
        person = world.user(user) if user is not None else world.member
        scope = world.guilds[guild] if isinstance(guild, int) else guild
        target = world.channel(channel, scope) if channel is not None else (scope or world.guild).channels["general"]
        actual = world.guild_of(target)
        if scope is not None and actual is not None and scope is not actual:
            raise SandboxError(f"#{target.name} is not in guild {scope.name!r}")
        return person, target, actual

    def _command_data(
        self,
        command: str,
        options: Mapping[str, Any],
        person: FakeUser,
        channel: FakeChannel,
        guild: FakeGuild | None,
        *,
        focused: str | None = None,
    ) -> dict[str, Any]:
        """Build the `data` of a slash command (or of an autocomplete request, with the `focused` option)."""
        registry = self._commands
        schema, path = registry.resolve(command, guild, person, channel)
        leaf, wrap = registry.descend(schema, path)
        if focused is not None:
            option = next((o for o in leaf if o["name"] == focused), None)
            if option is None or not option.get("autocomplete"):
                raise SandboxError(
                    f"option {focused!r} of /{command} has no autocomplete; Discord would not ask the bot"
                )
        values, resolved = registry.option_payloads(
            leaf, options, guild=guild, channel=channel, user=person, focused=focused, check_required=focused is None
        )
        data: dict[str, Any] = {"id": schema["id"], "name": schema["name"], "type": 1, "options": wrap(values)}
        if resolved:
            data["resolved"] = resolved
        if "guild_id" in schema:
            data["guild_id"] = schema["guild_id"]
        return data

    async def _interact(
        self,
        kind: int,
        data: dict[str, Any],
        *,
        label: str,
        user: FakeUser,
        channel: FakeChannel,
        message: Message | None = None,
        locale: str = "en-US",
        within: float,
        quiet: float,
    ) -> InteractionResult:
        """Send one interaction to the bot and return what the user saw once the bot answered and went quiet."""
        record = self._endpoints.open(
            kind, data, label=label, user=user, channel=channel, locale=locale, message=message
        )
        await self._endpoints.send(record)
        await settle(self._monitor, record, within=within, quiet=quiet)
        return InteractionResult(record, self._monitor)

    async def run_command(
        self,
        command: str,
        options: Mapping[str, Any] | None = None,
        *,
        user: UserRef | None = None,
        channel: ChannelRef | None = None,
        guild: FakeGuild | int | None = None,
        locale: str = "en-US",
        within: float = 5.0,
        quiet: float = 0.05,
    ) -> InteractionResult:
        """Invoke a slash command as `user` (default the plain member) in `channel` (default #general).

        `command` may name a subcommand ("announce channel"); `options` map option names to Python values:
        str/int/float/bool, a FakeUser/FakeChannel/FakeRole (or an id or name), or an Upload for attachments.
        Returns once the bot answered (a deferred answer must also be completed) and went quiet for `quiet` s.
        """
        person, target, scope = self._context(user, channel, guild)
        data = self._command_data(command, options or {}, person, target, scope)
        label = f"/{command.strip().lstrip('/')}"
        return await self._interact(
            APPLICATION_COMMAND,
            data,
            label=label,
            user=person,
            channel=target,
            locale=locale,
            within=within,
            quiet=quiet,
        )

    async def autocomplete(
        self,
        command: str,
        option: str,
        typed: str,
        other_options: Mapping[str, Any] | None = None,
        *,
        user: UserRef | None = None,
        channel: ChannelRef | None = None,
        guild: FakeGuild | int | None = None,
        within: float = 5.0,
    ) -> list[Choice]:
        """Type `typed` into `option` of `command` and return the suggestions the bot sends back."""
        person, target, scope = self._context(user, channel, guild)
        values = dict(other_options or {}) | {option: typed}
        data = self._command_data(command, values, person, target, scope, focused=option)
        label = f"autocomplete of /{command} {option}"
        record = self._endpoints.open(AUTOCOMPLETE, data, label=label, user=person, channel=target)
        await self._endpoints.send(record)
        await self._monitor.wait_until(
            lambda: record.responded or bool(record.rejected), within=within, what=f"choices for /{command} {option}"
        )
        if not record.responded:
            raise SandboxError(f"Discord rejected the choices for /{command} {option}: {record.rejected[0]}")
        return InteractionResult(record, self._monitor).choices

    # ------------------------------------------------------------------ components and modals

    def _use_component(
        self, ref: MessageRef, custom_id: str, user: UserRef | None
    ) -> tuple[Message, FakeUser, dict[str, Any]]:
        """Return the message `ref` names, who uses it, and its enabled component `custom_id`."""
        if isinstance(ref, InteractionResult):
            found = ref.message
            if found is None:
                raise SandboxError(f"{ref!r} has no message to interact with")
            message = found
        else:
            message = self._messages.get(ref) if isinstance(ref, int) else ref
        # By default, whoever ran the interaction that produced the message, else its only reader, else the member.
        if user is not None:
            person = self._world.user(user)
        elif isinstance(ref, InteractionResult):
            person = ref.user
        elif message.visible_to is not None:
            person = self._world.user(message.visible_to)
        else:
            person = self._world.member
        if message.deleted:
            raise SandboxError(f"message {message.id} was deleted")
        if message.visible_to is not None and message.visible_to != person.id:
            raise SandboxError(f"message {message.id} is ephemeral; only its recipient can use it")
        for _, component in walk_components(message.raw.get("components", [])):
            if component.get("custom_id") == custom_id:
                if component.get("disabled"):
                    raise SandboxError(f"component {custom_id!r} is disabled; Discord will not send the click")
                return message, person, component
        known = [c.get("custom_id") for _, c in walk_components(message.raw.get("components", []))]
        raise SandboxError(f"no component {custom_id!r} on message {message.id}; custom_ids: {known}")

    async def click(
        self,
        message: MessageRef,
        custom_id: str,
        *,
        user: UserRef | None = None,
        within: float = 5.0,
        quiet: float = 0.05,
    ) -> InteractionResult:
        """Click the button `custom_id` on `message` (a Message, an InteractionResult, or a message id).

        The user defaults to whoever ran the interaction that produced the message, else the plain member.
        """
        target, person, component = self._use_component(message, custom_id, user)
        if component.get("type") != 2:
            raise SandboxError(f"{custom_id!r} is not a button")
        if component.get("style") == 5:
            raise SandboxError(f"{custom_id!r} is a link button; it opens a browser and never reaches the bot")
        data = {"custom_id": custom_id, "component_type": 2}
        if "id" in component:
            data["id"] = component["id"]
        return await self._interact(
            MESSAGE_COMPONENT,
            data,
            label=f"button {custom_id!r}",
            user=person,
            channel=self._world.channel(target.channel_id),
            message=target,
            within=within,
            quiet=quiet,
        )

    async def select(
        self,
        message: MessageRef,
        custom_id: str,
        values: Sequence[Any],
        *,
        user: UserRef | None = None,
        within: float = 5.0,
        quiet: float = 0.05,
    ) -> InteractionResult:
        """Pick `values` in the select menu `custom_id` (option values; users/roles/channels for those selects)."""
        target, person, component = self._use_component(message, custom_id, user)
        kind = component.get("type")
        if kind not in SELECT_TYPES:
            raise SandboxError(f"{custom_id!r} is not a select menu")
        low, high = component.get("min_values", 1), component.get("max_values", 1)
        if not low <= len(values) <= high:
            raise SandboxError(f"select {custom_id!r} takes {low}-{high} values, got {len(values)}")
        channel = self._world.channel(target.channel_id)
        guild = self._world.guild_of(channel)
        resolved: dict[str, dict[str, Any]] = {}
        if kind == 3:
            offered = [o["value"] for o in component.get("options", [])]
            chosen = [str(v) for v in values]
            bad = [v for v in chosen if v not in offered]
            if bad:
                raise SandboxError(f"select {custom_id!r} offers {offered}, not {bad}")
        else:
            schema = {"type": SELECT_OPTION_TYPES[kind], "name": custom_id}
            chosen = [self._commands.option_value(schema, v, resolved, guild, channel, person) for v in values]
        data: dict[str, Any] = {"custom_id": custom_id, "component_type": kind, "values": chosen}
        if resolved:
            data["resolved"] = resolved
        return await self._interact(
            MESSAGE_COMPONENT,
            data,
            label=f"select {custom_id!r}",
            user=person,
            channel=channel,
            message=target,
            within=within,
            quiet=quiet,
        )

    async def submit_modal(
        self,
        opened: InteractionResult,
        values: Mapping[str, str | Sequence[str]],
        *,
        user: UserRef | None = None,
        within: float = 5.0,
        quiet: float = 0.05,
    ) -> InteractionResult:
        """Fill in and submit the modal the bot opened in `opened` (text inputs by custom_id)."""
        modal = opened.modal
        if modal is None:
            raise SandboxError(f"{opened!r} did not open a modal")
        data = {"custom_id": modal["custom_id"], "components": modal_submission(modal, values)}
        return await self._interact(
            MODAL_SUBMIT,
            data,
            label=f"modal {modal['custom_id']!r}",
            user=self._world.user(user) if user is not None else opened.user,
            channel=opened.channel,
            message=opened.source_message,
            within=within,
            quiet=quiet,
        )

    # ------------------------------------------------------------------ plain messages

    async def post_user_message(
        self,
        channel: ChannelRef,
        content: str,
        *,
        user: UserRef | None = None,
        mentions_bot: bool = False,
        reply_to: Message | None = None,
        attachments: Sequence[Upload] = (),
    ) -> Message:
        """Post a message as `user` (default the plain member); `mentions_bot` prefixes an @mention of the bot.

        The bot receives it as MESSAGE_CREATE, with content blanked unless it mentions the bot, is a DM, or the
        bot holds the message-content intent, as Discord does.
        """
        world = self._world
        target = world.channel(channel)
        person = world.user(user) if user is not None else world.member
        if mentions_bot and not re.search(rf"<@!?{world.bot.id}>", content):
            content = f"{world.bot.mention} {content}"
        payload: dict[str, Any] = {"content": content}
        if reply_to is not None:
            payload["message_reference"] = {"message_id": str(reply_to.id)}
        message = self._messages.build(target, person, payload, list(attachments))
        await self._messages.created(message)
        return message

    async def wait_for_message(
        self,
        channel: ChannelRef | None = None,
        predicate: Callable[[Message], bool] | None = None,
        *,
        within: float = 5.0,
        author: UserRef | None = None,
    ) -> Message:
        """Return the oldest message from the bot (or `author`) in `channel` matching `predicate`.

        Each message is handed out once, so a test can wait for the bot's messages one after another without
        racing the bot, whether the message arrived before or after the call.
        """
        wanted_channel = self._world.channel(channel).id if channel is not None else None
        wanted_author = self._world.user(author).id if author is not None else self._world.bot.id

        def find() -> Message | None:
            for message in self._messages.visible(wanted_channel):
                if (
                    message.id not in self._handed_out
                    and message.author_id == wanted_author
                    and (predicate is None or predicate(message))
                ):
                    return message
            return None

        where = f" in channel {wanted_channel}" if wanted_channel else ""
        message = await self._monitor.wait_until(find, within=within, what=f"a message{where}")
        self._handed_out.add(message.id)
        return message
