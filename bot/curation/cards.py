"""What curators read: the edit preview, the saved-changes note, the history, an undo and a refused import."""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping, Sequence
from typing import Any

from bot.cards import FIELD_LIMIT, TITLE_LIMIT, Card, Field
from bot.curation.editor import Undone
from bot.curation.files import ImportRejected
from bot.curation.rules import FIELD_LABELS, shown_value
from bot.models import AuditEntry
from bot.schedule import discord_timestamp

HISTORY_LIMIT = 15  # entries /catalog history lists
HISTORY_LINE_LIMIT = 400
DESCRIPTION_LIMIT = 4000  # Discord allows 4,096 characters in an embed's description
PROBLEMS_SHOWN = 10  # lines of a refused import listed
ACTION_LABELS = {
    "show.add": "added",
    "show.edit": "edited",
    "show.alias": "added an alias to",
    "show.remove": "removed",
    "show.cast": "added cast to",
    "show.episode": "rescheduled an episode of",
    "catalog.undo": "undid a change to",
    "catalog.promote": "moved to the shared catalog",
}


def field_label(name: str) -> str:
    return FIELD_LABELS.get(name, name.replace("_", " ").capitalize())


def changes_card(title: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> Card:
    """Build the preview of an edit: one field per change, "old → new"."""
    fields = tuple(
        Field(field_label(name), f"{shown_value(old.get(name))} → {shown_value(new[name])}"[:FIELD_LIMIT], inline=True)
        for name in new
    )
    return Card(title=title[:TITLE_LIMIT], fields=fields)


def saved_text(title: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """Say which changes to `title` were saved, one "Field: old → new" line each."""
    lines = [f"{FIELD_LABELS[name]}: {shown_value(old[name])} → {shown_value(value)}" for name, value in new.items()]
    return f"Saved the changes to **{title}**:\n" + "\n".join(lines)


def undo_text(undone: Undone) -> str:
    """Say what an undo put back, then which history entry it took back (the newest one it could)."""
    title, entry = undone.title, undone.entry
    before, after = (entry.old or {}, entry.new or {}) if entry else ({}, {})
    if undone.action == "show.remove":
        effect = f"Brought **{title}** back."
    elif undone.action == "show.add":
        effect = f"Took **{title}** out again (it was added)."
    elif undone.action == "show.alias":
        added = [a for a in after.get("aliases", []) if a not in before.get("aliases", [])]
        effect = f"Took the alias {', '.join(f'“{a}”' for a in added)} off **{title}**."
    elif undone.action == "show.cast":
        part = f" as {after['character']}" if after.get("character") else ""
        effect = f"Took {after.get('person')}{part} off the cast of **{title}**."
    elif undone.action == "show.episode":
        back = f"back to {_when(before.get('air_at'))}" if before.get("air_at") else "back to the weekly schedule"
        effect = f"Moved episode {after.get('episode')} of **{title}** {back}."
    else:
        effect = f"Put back the earlier values of **{title}**."
    if entry is None:
        return effect
    detail = history_detail(entry.action, before, after)
    verb = ACTION_LABELS.get(entry.action, entry.action)
    return (
        f"{effect}\nThat was the newest change you can undo: {f'<@{entry.user_id}>' if entry.user_id else 'someone'}"
        f" {verb} **{title}** "
        f"{discord_timestamp(entry.at, 'R')}{': ' + detail if detail else ''}."
    )[:DESCRIPTION_LIMIT]


def rejected_import_text(rejected: ImportRejected) -> str:
    """List the lines that kept a file from being imported (the first few, and how many more)."""
    lines = [f"line {p.line}: {p.message}" for p in rejected.problems[:PROBLEMS_SHOWN]]
    if len(rejected.problems) > PROBLEMS_SHOWN:
        lines.append(f"… and {len(rejected.problems) - PROBLEMS_SHOWN} more.")
    return "Nothing was imported; fix these lines and try again:\n" + "\n".join(lines)


def history_card(entries: Sequence[tuple[AuditEntry, str]]) -> Card:
    """Build the /catalog history card from audit entries, newest first, each with the name it is about."""
    description = ""
    for entry, what in entries:
        line = history_line(entry, what)
        if len(description) + len(line) + 1 > DESCRIPTION_LIMIT:
            break
        description += line + "\n"
    return Card(title="Catalog history", description=description)


def history_line(entry: AuditEntry, what: str) -> str:
    """One change: when, who, what they did to which drama, and the values."""
    verb = ACTION_LABELS.get(entry.action, entry.action)
    line = f"{discord_timestamp(entry.at, 'f')} <@{entry.user_id}> {verb} **{what}**"
    detail = history_detail(entry.action, entry.old or {}, entry.new or {})
    return f"{line}{': ' + detail if detail else ''}"[:HISTORY_LINE_LIMIT]


def history_detail(action: str, old: Mapping[str, Any], new: Mapping[str, Any]) -> str:
    """The old → new values of one audit entry, as short as a history line needs."""
    if action == "catalog.undo":
        undone = ACTION_LABELS.get(str(new.get("action")), str(new.get("action")))
        restored = [n for n in new if n in FIELD_LABELS]  # the show's fields it put back
        values = "; ".join(
            f"{FIELD_LABELS.get(n, n)} {shown_value(old.get(n))} → {shown_value(new[n])}" for n in restored
        )
        return f"undid “{undone}”" + (f" ({values})" if values else "")
    if action == "show.edit":
        return "; ".join(f"{FIELD_LABELS.get(n, n)} {shown_value(old.get(n))} → {shown_value(new[n])}" for n in new)
    if action == "show.alias":
        added = [a for a in new.get("aliases", []) if a not in old.get("aliases", [])]
        return "alias " + ", ".join(f"“{a}”" for a in added)
    if action == "show.cast":
        part = f" as {new['character']}" if new.get("character") else ""
        return f"{new.get('person')}{part} ({new.get('role')})"
    if action == "show.episode":
        return f"episode {new.get('episode')} {_when(old.get('air_at'))} → {_when(new.get('air_at'))}"
    if action == "show.add" and new.get("import"):
        return f"imported from {new['import']}"
    return ""


def _when(iso: str | None) -> str:
    return discord_timestamp(dt.datetime.fromisoformat(iso), "f") if iso else "(none)"
