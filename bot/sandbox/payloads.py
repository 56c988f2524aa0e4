"""Pure helpers that turn what a user does into the JSON Discord would build."""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from typing import Any

USER_MENTION = re.compile(r"<@!?(\d+)>")
ROLE_MENTION = re.compile(r"<@&(\d+)>")


class SandboxError(Exception):
    """A test asked for something a Discord user could not do, or the fake was misused."""


class SandboxTimeout(SandboxError, TimeoutError):
    """The bot did not do what a test waited for in time."""


class BotError(SandboxError):
    """The bot logged an unexpected error while a test waited; the bot's exception is the __cause__."""


def pinged(
    content: str, allowed: Mapping[str, Any] | None, *, replied_user_id: int | None = None
) -> tuple[list[int], list[int], bool]:
    """Return (user ids, role ids, @everyone) that `content` notifies under `allowed` mentions.

    No `allowed_mentions` at all means Discord's default: every mention in the text pings.
    """
    users = [int(u) for u in USER_MENTION.findall(content)]
    roles = [int(r) for r in ROLE_MENTION.findall(content)]
    everyone = "@everyone" in content or "@here" in content
    if allowed is None:
        if replied_user_id is not None:
            users.append(replied_user_id)
        return _unique(users), _unique(roles), everyone
    parse = set(allowed.get("parse") or [])
    allowed_users = {int(u) for u in allowed.get("users") or []}
    allowed_roles = {int(r) for r in allowed.get("roles") or []}
    users = [u for u in users if "users" in parse or u in allowed_users]
    roles = [r for r in roles if "roles" in parse or r in allowed_roles]
    if replied_user_id is not None and allowed.get("replied_user"):
        users.append(replied_user_id)
    return _unique(users), _unique(roles), everyone and "everyone" in parse


def _unique(ids: list[int]) -> list[int]:
    return list(dict.fromkeys(ids))


def modal_submission(modal: Mapping[str, Any], values: Mapping[str, str | Sequence[str]]) -> list[dict[str, Any]]:
    """Mirror a modal's layout with the user's answers, the shape of a MODAL_SUBMIT's `data.components`.

    Raises SandboxError where Discord's client would stop the user: a missing required field, a value too
    short or too long, or an answer for a field the modal does not have.
    """
    unused = set(values)

    def answer(node: Mapping[str, Any]) -> dict[str, Any]:
        kind = node["type"]
        if kind == 1:
            return {"type": 1, "components": [answer(c) for c in node.get("components", [])]}
        if kind == 18:
            return {"type": 18, "id": node.get("id"), "component": answer(node["component"])}
        custom_id = node.get("custom_id")
        if kind == 4:
            raw = values.get(custom_id, node.get("value") or "") if custom_id else ""
            value = raw if isinstance(raw, str) else " ".join(raw)
            unused.discard(custom_id)
            label = node.get("label") or custom_id
            if node.get("required", True) and not value:
                raise SandboxError(f"modal field {label!r} is required; Discord will not submit without it")
            if value and not node.get("min_length", 0) <= len(value) <= node.get("max_length", 4000):
                raise SandboxError(
                    f"modal field {label!r} takes {node.get('min_length', 0)}-{node.get('max_length', 4000)} "
                    f"characters, got {len(value)}"
                )
            return {"type": 4, "id": node.get("id"), "custom_id": custom_id, "value": value}
        if kind in (3, 5, 6, 7, 8):
            raw = values.get(custom_id, []) if custom_id else []
            unused.discard(custom_id)
            chosen = [raw] if isinstance(raw, str) else list(raw)
            return {"type": kind, "id": node.get("id"), "custom_id": custom_id, "values": chosen}
        return {"type": kind, "id": node.get("id")}

    components = [answer(c) for c in modal.get("components", [])]
    if unused:
        raise SandboxError(f"modal {modal.get('custom_id')!r} has no field(s) {sorted(unused)}")
    return components
