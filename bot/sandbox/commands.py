"""Application commands: the bot's syncs, and the option payloads Discord's client builds from what a user typed."""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Mapping
from typing import Any

from aiohttp import web

from . import limits
from .messages import MessageStore
from .models import FakeChannel, FakeGuild, FakeRole, FakeUser, Permission, Upload
from .monitor import Monitor
from .payloads import SandboxError
from .rest import API_PREFIX, RestServer, invalid_form, json_response, no_content, read_body, unknown
from .world import World

SUBCOMMAND_TYPES = (1, 2)  # a subcommand and a subcommand group


class CommandRegistry:
    """The commands the bot synced, globally (scope None) or per guild, and the forms a user fills them in with."""

    def __init__(self, world: World, monitor: Monitor, rest: RestServer, messages: MessageStore) -> None:
        self.world = world
        self.monitor = monitor
        self.rest = rest
        self.messages = messages
        self.sync_counts: Counter[int | None] = Counter()
        self._commands: dict[int | None, dict[str, dict[str, Any]]] = {}
        self._command_ids: dict[tuple[int | None, int, str], int] = {}
        # (guild id, command name): opened to @everyone in Server Settings > Integrations, which overrides the
        # command's default_member_permissions in that guild.
        self.opened: set[tuple[int, str]] = set()

    def command(self, name: str, guild_id: int | None = None) -> dict[str, Any]:
        """Return the synced command `name` (guild commands first, then global), as Discord stores it."""
        for scope in ([guild_id] if guild_id is not None else []) + [None]:
            found = self._commands.get(scope, {}).get(name)
            if found is not None:
                return found
        raise SandboxError(
            f"no synced command /{name} for guild {guild_id}; synced: "
            f"{ {scope: sorted(cmds) for scope, cmds in self._commands.items()} }"
        )

    def commands(self, guild_id: int | None = None) -> list[dict[str, Any]]:
        """Return the commands synced globally (guild_id None) or to one guild."""
        return list(self._commands.get(guild_id, {}).values())

    def routes(self) -> list[web.RouteDef]:
        """Return the routes the bot syncs and reads its commands with, in both scopes."""
        routes: list[web.RouteDef] = []
        for scope in ("", "/guilds/{guild}"):
            base = API_PREFIX + "/applications/{app}" + scope + "/commands"
            routes += [
                web.get(base, self._get_commands),
                web.put(base, self._put_commands),
                web.post(base, self._post_command),
                web.get(base + "/{command}", self._get_command),
                web.patch(base + "/{command}", self._patch_command),
                web.delete(base + "/{command}", self._delete_command),
            ]
        permissions = API_PREFIX + "/applications/{app}/guilds/{guild}/commands/permissions"
        routes.append(web.get(permissions, self._no_permissions))
        return routes

    # ------------------------------------------------------------------ what a user's client sends

    def resolve(
        self, command: str, guild: FakeGuild | None, user: FakeUser, channel: FakeChannel
    ) -> tuple[dict[str, Any], list[str]]:
        """Return the schema of the command `/root sub...` that `user` may see here, and the subcommand path."""
        root, *path = command.strip().lstrip("/").split()
        schema = self.command(root, guild.id if guild else None)
        if schema.get("type", 1) != 1:
            raise SandboxError(f"/{root} is not a slash command")
        if guild is None:
            contexts = schema.get("contexts")
            if schema.get("dm_permission") is False or (contexts is not None and 1 not in contexts):
                raise SandboxError(f"/{root} cannot be used in DMs")
        else:
            required = schema.get("default_member_permissions")
            if required is not None and (guild.id, root) not in self.opened:
                have = guild.channel_permissions(channel, user.id)
                needed = int(required)
                if (needed == 0 and not have & Permission.ADMINISTRATOR) or have & needed != needed:
                    raise SandboxError(
                        f"{user.username} lacks the permissions /{root} requires ({needed}); "
                        "Discord hides the command from them"
                    )
        return schema, path

    @staticmethod
    def descend(
        schema: dict[str, Any], path: list[str]
    ) -> tuple[list[dict[str, Any]], Callable[[list[Any]], list[Any]]]:
        """Walk subcommand group/subcommand names; return the leaf's option schemas and a wrapper for values."""
        options = schema.get("options") or []
        wrappers: list[tuple[int, str]] = []
        for name in path:
            found = next((o for o in options if o["name"] == name and o["type"] in SUBCOMMAND_TYPES), None)
            if found is None:
                subs = [o["name"] for o in options if o["type"] in SUBCOMMAND_TYPES]
                raise SandboxError(f"/{schema['name']} has no subcommand {name!r}; it has {subs}")
            wrappers.append((found["type"], name))
            options = found.get("options") or []
        if any(o["type"] in SUBCOMMAND_TYPES for o in options):
            subs = [o["name"] for o in options if o["type"] in SUBCOMMAND_TYPES]
            raise SandboxError(f"/{' '.join([schema['name'], *path])} needs a subcommand: one of {subs}")

        def wrap(leaf: list[Any]) -> list[Any]:
            for kind, name in reversed(wrappers):
                leaf = [{"type": kind, "name": name, "options": leaf}]
            return leaf

        return options, wrap

    def option_payloads(
        self,
        schemas: list[dict[str, Any]],
        values: Mapping[str, Any],
        *,
        guild: FakeGuild | None,
        channel: FakeChannel,
        user: FakeUser,
        focused: str | None = None,
        check_required: bool = True,
    ) -> tuple[list[dict[str, Any]], dict[str, Any]]:
        """Return the options' JSON and the `resolved` objects they refer to; `focused` is being typed."""
        by_name = {o["name"]: o for o in schemas}
        unknown_names = set(values) - set(by_name)
        if unknown_names:
            raise SandboxError(f"no option(s) {sorted(unknown_names)}; the command takes {list(by_name)}")
        if check_required:
            missing = [o["name"] for o in schemas if o.get("required") and o["name"] not in values]
            if missing:
                raise SandboxError(f"required option(s) {missing} missing; Discord will not send the command")
        resolved: dict[str, dict[str, Any]] = {}
        options = []
        for name, value in values.items():
            schema = by_name[name]
            if name == focused:
                options.append({"type": schema["type"], "name": name, "value": str(value), "focused": True})
                continue
            options.append(
                {
                    "type": schema["type"],
                    "name": name,
                    "value": self.option_value(schema, value, resolved, guild, channel, user),
                }
            )
        return options, {k: v for k, v in resolved.items() if v}

    def option_value(
        self,
        schema: dict[str, Any],
        value: Any,
        resolved: dict[str, dict[str, Any]],
        guild: FakeGuild | None,
        channel: FakeChannel,
        user: FakeUser,
    ) -> Any:
        """Convert one Python value to the option's JSON value, adding users, roles... it names to `resolved`."""
        kind, name = schema["type"], schema["name"]
        if kind in (3, 4, 10):
            converted: Any = {3: str, 4: int, 10: float}[kind](value)
            choices = schema.get("choices")
            if choices and converted not in [c["value"] for c in choices]:
                raise SandboxError(f"option {name!r} only accepts {[c['value'] for c in choices]}, not {value!r}")
            if kind == 3 and not schema.get("min_length", 0) <= len(converted) <= schema.get("max_length", 6000):
                raise SandboxError(
                    f"option {name!r} takes {schema.get('min_length', 0)}-{schema.get('max_length', 6000)} characters"
                )
            if kind in (4, 10) and not (
                schema.get("min_value", float("-inf")) <= converted <= schema.get("max_value", float("inf"))
            ):
                raise SandboxError(
                    f"option {name!r} must be within {schema.get('min_value')}..{schema.get('max_value')}"
                )
            return converted
        if kind == 5:
            return bool(value)
        if kind == 6 or (kind == 9 and not isinstance(value, FakeRole)):
            person = self.world.user(value)
            resolved.setdefault("users", {})[str(person.id)] = person.to_json()
            if guild is not None and person.id in guild.members:
                resolved.setdefault("members", {})[str(person.id)] = guild.members[person.id].to_json(
                    with_user=False, permissions=guild.channel_permissions(channel, person.id)
                )
            return str(person.id)
        if kind == 7:
            target = self.world.channel(value, guild)
            allowed_types = schema.get("channel_types")
            if allowed_types and int(target.type) not in allowed_types:
                raise SandboxError(f"option {name!r} only accepts channel types {allowed_types}")
            resolved.setdefault("channels", {})[str(target.id)] = {
                "id": str(target.id),
                "name": target.name,
                "type": int(target.type),
                "parent_id": None,
                "guild_id": str(target.guild_id),
                "position": target.position,
                "flags": 0,
                "topic": target.topic,
                "nsfw": False,
                "rate_limit_per_user": 0,
                "last_message_id": None,
                "permissions": str(self.world.member_permissions(guild, target, user)),
            }
            return str(target.id)
        if kind in (8, 9):
            if guild is None:
                raise SandboxError("roles exist only in guilds")
            role = (
                value
                if isinstance(value, FakeRole)
                else (guild.roles[value] if isinstance(value, int) else guild.role(str(value).removeprefix("@")))
            )
            resolved.setdefault("roles", {})[str(role.id)] = role.to_json()
            return str(role.id)
        if kind == 11:
            upload = value if isinstance(value, Upload) else Upload(*value)
            attachment = self.messages.new_attachment(channel, upload, None)
            attachment["ephemeral"] = True
            resolved.setdefault("attachments", {})[attachment["id"]] = attachment
            return attachment["id"]
        raise SandboxError(f"option type {kind} is not supported by the fake")

    # ------------------------------------------------------------------ routes

    def _scope(self, request: web.Request) -> int | None:
        self.rest.check_app(request)
        if "guild" in request.match_info:
            return self.rest.guild_or_404(request).id
        return None

    def _store(self, scope: int | None, body: dict[str, Any]) -> dict[str, Any]:
        kind = body.get("type", 1)
        key = (scope, kind, body["name"])
        command_id = self._command_ids.setdefault(key, self.world.snowflake())
        stored = {
            "id": str(command_id),
            "application_id": str(self.world.application_id),
            "version": str(self.world.snowflake()),
            "type": kind,
            "name": body["name"],
            "name_localizations": body.get("name_localizations"),
            "description": body.get("description", ""),
            "description_localizations": body.get("description_localizations"),
            "options": body.get("options") or [],
            "default_member_permissions": body.get("default_member_permissions"),
            "dm_permission": body.get("dm_permission", True),
            "contexts": body.get("contexts"),
            "integration_types": body.get("integration_types") or [0],
            "nsfw": body.get("nsfw", False),
        }
        if scope is not None:
            stored["guild_id"] = str(scope)
        self._commands.setdefault(scope, {})[body["name"]] = stored
        return stored

    def _by_id(self, request: web.Request) -> tuple[int | None, dict[str, Any]]:
        scope = self._scope(request)
        for command in self._commands.get(scope, {}).values():
            if command["id"] == request.match_info["command"]:
                return scope, command
        raise unknown("application command", 10063)

    async def _get_commands(self, request: web.Request) -> web.Response:
        return json_response(self.commands(self._scope(request)))

    async def _put_commands(self, request: web.Request) -> web.Response:
        scope = self._scope(request)
        body, _ = await read_body(request)
        errors = limits.check_commands(body or [])
        if errors:
            self.rest.violate("invalid_commands", "; ".join(map(str, errors)), request)
            raise invalid_form(errors)
        self.sync_counts[scope] += 1
        self._commands[scope] = {}
        stored = [self._store(scope, command) for command in body or []]
        self.monitor.notify()
        return json_response(stored)

    async def _post_command(self, request: web.Request) -> web.Response:
        scope = self._scope(request)
        body, _ = await read_body(request)
        errors = limits.check_commands([body])
        if errors:
            raise invalid_form(errors)
        existed = body["name"] in self._commands.get(scope, {})
        return json_response(self._store(scope, body), status=200 if existed else 201)

    async def _get_command(self, request: web.Request) -> web.Response:
        return json_response(self._by_id(request)[1])

    async def _patch_command(self, request: web.Request) -> web.Response:
        scope, command = self._by_id(request)
        body, _ = await read_body(request)
        return json_response(self._store(scope, command | (body or {})))

    async def _delete_command(self, request: web.Request) -> web.Response:
        scope, command = self._by_id(request)
        del self._commands[scope][command["name"]]
        return no_content()

    async def _no_permissions(self, request: web.Request) -> web.Response:
        guild_id = int(request.match_info["guild"])
        overrides = [
            {
                "id": schema["id"],
                "application_id": str(self.world.application_id),
                "guild_id": str(guild_id),
                "permissions": [{"id": str(guild_id), "type": 1, "permission": True}],  # @everyone's id is the guild's
            }
            for scope in (guild_id, None)
            for name, schema in self._commands.get(scope, {}).items()
            if (guild_id, name) in self.opened
        ]
        return json_response(overrides)
