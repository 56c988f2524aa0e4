"""Discord's documented limits, checked the way Discord checks them: a list of form errors per payload.

The server turns a non-empty list into Discord's own 400 reply (code 50035, "Invalid Form Body"), so the bot
sees exactly the `discord.HTTPException` it would get in production.
"""

from __future__ import annotations

import dataclasses
import re
from collections.abc import Iterable, Sequence
from typing import Any

CONTENT_MAX = 2000
EMBEDS_MAX = 10
EMBED_TITLE_MAX = 256
EMBED_DESCRIPTION_MAX = 4096
EMBED_FIELDS_MAX = 25
EMBED_FIELD_NAME_MAX = 256
EMBED_FIELD_VALUE_MAX = 1024
EMBED_FOOTER_MAX = 2048
EMBED_AUTHOR_MAX = 256
EMBED_TOTAL_MAX = 6000
ACTION_ROWS_MAX = 5
BUTTONS_PER_ROW_MAX = 5
SELECT_OPTIONS_MAX = 25
COMPONENTS_V2_TOTAL_MAX = 40
AUTOCOMPLETE_CHOICES_MAX = 25
COMMAND_OPTIONS_MAX = 25
GLOBAL_COMMANDS_MAX = 100
IS_COMPONENTS_V2 = 1 << 15

_COMMAND_NAME = re.compile(r"^[-_\w]{1,32}$")


@dataclasses.dataclass(frozen=True)
class FormError:
    path: tuple[str | int, ...]
    code: str
    message: str

    def __str__(self) -> str:
        return f"{'.'.join(map(str, self.path))}: {self.message}"


def form_error_body(errors: Iterable[FormError]) -> dict[str, Any]:
    """Render errors as Discord's nested `{"errors": {"embeds": {"0": {"title": {"_errors": [...]}}}}}`."""
    tree: dict[str, Any] = {}
    for error in errors:
        node = tree
        for part in error.path:
            node = node.setdefault(str(part), {})
        node.setdefault("_errors", []).append({"code": error.code, "message": error.message})
    return {"code": 50035, "errors": tree, "message": "Invalid Form Body"}


def _max_length(path: tuple[str | int, ...], value: Any, limit: int) -> list[FormError]:
    if isinstance(value, str) and len(value) > limit:
        return [FormError(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")]
    return []


def _length_between(path: tuple[str | int, ...], value: Any, low: int, high: int) -> list[FormError]:
    if not isinstance(value, str) or not low <= len(value) <= high:
        return [FormError(path, "BASE_TYPE_BAD_LENGTH", f"Must be between {low} and {high} in length.")]
    return []


def _too_many(path: tuple[str | int, ...], items: Sequence[Any], limit: int) -> list[FormError]:
    if len(items) > limit:
        return [FormError(path, "BASE_TYPE_MAX_LENGTH", f"Must be {limit} or fewer in length.")]
    return []


def embed_length(embed: dict[str, Any]) -> int:
    """Count the characters Discord counts towards the 6000 limit."""
    total = len(embed.get("title") or "") + len(embed.get("description") or "")
    total += len((embed.get("footer") or {}).get("text") or "")
    total += len((embed.get("author") or {}).get("name") or "")
    for field in embed.get("fields") or []:
        total += len(field.get("name") or "") + len(field.get("value") or "")
    return total


def check_embeds(embeds: Sequence[dict[str, Any]]) -> list[FormError]:
    errors = _too_many(("embeds",), embeds, EMBEDS_MAX)
    for i, embed in enumerate(embeds):
        base: tuple[str | int, ...] = ("embeds", i)
        errors += _max_length((*base, "title"), embed.get("title"), EMBED_TITLE_MAX)
        errors += _max_length((*base, "description"), embed.get("description"), EMBED_DESCRIPTION_MAX)
        errors += _max_length((*base, "footer", "text"), (embed.get("footer") or {}).get("text"), EMBED_FOOTER_MAX)
        errors += _max_length((*base, "author", "name"), (embed.get("author") or {}).get("name"), EMBED_AUTHOR_MAX)
        fields = embed.get("fields") or []
        errors += _too_many((*base, "fields"), fields, EMBED_FIELDS_MAX)
        for j, field in enumerate(fields):
            errors += _length_between((*base, "fields", j, "name"), field.get("name"), 1, EMBED_FIELD_NAME_MAX)
            errors += _length_between((*base, "fields", j, "value"), field.get("value"), 1, EMBED_FIELD_VALUE_MAX)
    total = sum(embed_length(e) for e in embeds)
    if total > EMBED_TOTAL_MAX:
        errors.append(
            FormError(("embeds",), "MAX_EMBED_SIZE_EXCEEDED", f"Embed size exceeds maximum size of {EMBED_TOTAL_MAX}")
        )
    return errors


def _check_button(path: tuple[str | int, ...], button: dict[str, Any]) -> list[FormError]:
    errors = _max_length((*path, "label"), button.get("label"), 80)
    style = button.get("style")
    if style == 5:
        if not button.get("url"):
            errors.append(FormError((*path, "url"), "BASE_TYPE_REQUIRED", "This field is required"))
        if button.get("custom_id"):
            errors.append(
                FormError((*path, "custom_id"), "COMPONENT_LAYOUT_INVALID", "A link button cannot have a custom_id")
            )
    elif style != 6:
        errors += _length_between((*path, "custom_id"), button.get("custom_id"), 1, 100)
    return errors


def _check_select(path: tuple[str | int, ...], select: dict[str, Any]) -> list[FormError]:
    errors = _length_between((*path, "custom_id"), select.get("custom_id"), 1, 100)
    errors += _max_length((*path, "placeholder"), select.get("placeholder"), 150)
    if select.get("type") == 3:
        options = select.get("options") or []
        if not 1 <= len(options) <= SELECT_OPTIONS_MAX:
            errors.append(
                FormError(
                    (*path, "options"),
                    "BASE_TYPE_BAD_LENGTH",
                    f"Must be between 1 and {SELECT_OPTIONS_MAX} in length.",
                )
            )
        for k, option in enumerate(options):
            errors += _length_between((*path, "options", k, "label"), option.get("label"), 1, 100)
            errors += _length_between((*path, "options", k, "value"), option.get("value"), 1, 100)
            errors += _max_length((*path, "options", k, "description"), option.get("description"), 100)
    low, high = select.get("min_values", 1), select.get("max_values", 1)
    if not 0 <= low <= 25 or not 1 <= high <= 25 or low > high:
        errors.append(FormError((*path, "max_values"), "BASE_TYPE_BAD_INT", "min_values/max_values out of range"))
    return errors


def check_components(components: Sequence[dict[str, Any]], *, flags: int = 0) -> list[FormError]:
    """Check action rows, buttons and selects (and the 40-component cap of components v2)."""
    errors: list[FormError] = []
    custom_ids: set[str] = set()
    if flags & IS_COMPONENTS_V2:
        count = 0
        stack = list(components)
        while stack:
            node = stack.pop()
            count += 1
            stack.extend(node.get("components") or [])
            stack.extend(node[k] for k in ("accessory", "component") if isinstance(node.get(k), dict))
        if count > COMPONENTS_V2_TOTAL_MAX:
            errors.append(
                FormError(("components",), "BASE_TYPE_MAX_LENGTH", f"Must be {COMPONENTS_V2_TOTAL_MAX} or fewer.")
            )
        return errors
    errors += _too_many(("components",), components, ACTION_ROWS_MAX)
    for i, row in enumerate(components):
        path: tuple[str | int, ...] = ("components", i)
        if row.get("type") != 1:
            errors.append(FormError((*path, "type"), "COMPONENT_LAYOUT_INVALID", "Top-level must be action rows"))
            continue
        children = row.get("components") or []
        selects = [c for c in children if c.get("type") in (3, 5, 6, 7, 8)]
        if selects and len(children) > 1:
            errors.append(
                FormError((*path, "components"), "COMPONENT_LAYOUT_WIDTH_EXCEEDED", "A select fills its whole row")
            )
        if not 1 <= len(children) <= BUTTONS_PER_ROW_MAX:
            errors.append(
                FormError((*path, "components"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length.")
            )
        for j, child in enumerate(children):
            child_path = (*path, "components", j)
            if child.get("type") == 2:
                errors += _check_button(child_path, child)
            elif child.get("type") in (3, 5, 6, 7, 8):
                errors += _check_select(child_path, child)
            custom_id = child.get("custom_id")
            if custom_id:
                if custom_id in custom_ids:
                    errors.append(
                        FormError(
                            (*child_path, "custom_id"),
                            "COMPONENT_CUSTOM_ID_DUPLICATED",
                            "Component custom id is duplicated",
                        )
                    )
                custom_ids.add(custom_id)
    return errors


def check_message(payload: dict[str, Any]) -> list[FormError]:
    """Check a message create/edit body (content, embeds, components)."""
    errors = _max_length(("content",), payload.get("content"), CONTENT_MAX)
    errors += check_embeds(payload.get("embeds") or [])
    errors += check_components(payload.get("components") or [], flags=int(payload.get("flags") or 0))
    return errors


def check_choices(choices: Sequence[dict[str, Any]]) -> list[FormError]:
    """Check an autocomplete result: at most 25 choices, names 1-100, string values up to 100."""
    errors = _too_many(("data", "choices"), choices, AUTOCOMPLETE_CHOICES_MAX)
    for i, choice in enumerate(choices):
        errors += _length_between(("data", "choices", i, "name"), choice.get("name"), 1, 100)
        errors += _max_length(("data", "choices", i, "value"), choice.get("value"), 100)
    return errors


def check_modal(data: dict[str, Any]) -> list[FormError]:
    """Check a modal: title up to 45, 1-5 rows, text inputs with labels up to 45 and lengths up to 4000."""
    errors = _length_between(("data", "title"), data.get("title"), 1, 45)
    errors += _length_between(("data", "custom_id"), data.get("custom_id"), 1, 100)
    rows = data.get("components") or []
    if not 1 <= len(rows) <= 5:
        errors.append(FormError(("data", "components"), "BASE_TYPE_BAD_LENGTH", "Must be between 1 and 5 in length."))
    for i, row in enumerate(rows):
        leaves = row.get("components") or ([row["component"]] if isinstance(row.get("component"), dict) else [])
        errors += _max_length(("data", "components", i, "label"), row.get("label"), 45)
        for j, leaf in enumerate(leaves):
            path: tuple[str | int, ...] = ("data", "components", i, "components", j)
            if leaf.get("type") != 4:
                continue
            errors += _max_length((*path, "label"), leaf.get("label"), 45)
            errors += _length_between((*path, "custom_id"), leaf.get("custom_id"), 1, 100)
            errors += _max_length((*path, "value"), leaf.get("value"), 4000)
            errors += _max_length((*path, "placeholder"), leaf.get("placeholder"), 100)
            if not 0 <= leaf.get("min_length", 0) <= 4000 or not 1 <= leaf.get("max_length", 4000) <= 4000:
                errors.append(FormError((*path, "max_length"), "BASE_TYPE_BAD_INT", "Must be between 1 and 4000."))
    return errors


def _check_options(path: tuple[str | int, ...], options: Sequence[dict[str, Any]]) -> list[FormError]:
    errors = _too_many(path, options, COMMAND_OPTIONS_MAX)
    seen_optional = False
    names: set[str] = set()
    for i, option in enumerate(options):
        option_path = (*path, i)
        name = option.get("name", "")
        if not _COMMAND_NAME.match(name) or name != name.lower():
            errors.append(FormError((*option_path, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Invalid name"))
        if name in names:
            errors.append(
                FormError((*option_path, "name"), "APPLICATION_COMMAND_OPTION_NAME_NOT_UNIQUE", "Duplicate name")
            )
        names.add(name)
        errors += _length_between((*option_path, "description"), option.get("description"), 1, 100)
        if option.get("type") in (1, 2):
            errors += _check_options((*option_path, "options"), option.get("options") or [])
            continue
        if option.get("required"):
            if seen_optional:
                errors.append(
                    FormError(
                        (*option_path, "required"),
                        "APPLICATION_COMMAND_OPTIONS_REQUIRED_INVALID",
                        "Required options must be placed before non-required options",
                    )
                )
        else:
            seen_optional = True
        choices = option.get("choices") or []
        errors += _too_many((*option_path, "choices"), choices, AUTOCOMPLETE_CHOICES_MAX)
        if choices and option.get("autocomplete"):
            errors.append(FormError((*option_path, "autocomplete"), "AUTOCOMPLETE_AND_CHOICES", "Cannot have both"))
    return errors


def check_commands(commands: Sequence[dict[str, Any]]) -> list[FormError]:
    """Check a bulk-overwrite body the way Discord validates application commands."""
    errors: list[FormError] = []
    chat_input = [c for c in commands if c.get("type", 1) == 1]
    errors += _too_many((), chat_input, GLOBAL_COMMANDS_MAX)
    seen: set[tuple[int, str]] = set()
    for i, command in enumerate(commands):
        name = command.get("name", "")
        kind = command.get("type", 1)
        if kind == 1:
            if not _COMMAND_NAME.match(name) or name != name.lower():
                errors.append(FormError((i, "name"), "APPLICATION_COMMAND_INVALID_NAME", "Invalid name"))
            errors += _length_between((i, "description"), command.get("description"), 1, 100)
            errors += _check_options((i, "options"), command.get("options") or [])
        else:
            errors += _length_between((i, "name"), name, 1, 32)
        if (kind, name) in seen:
            errors.append(FormError((i, "name"), "APPLICATION_COMMANDS_DUPLICATE_NAME", "Duplicate command name"))
        seen.add((kind, name))
    return errors
