"""Discord's size limits, fitted in one place: every card, choice, label and message goes through here.

Discord refuses a whole reply when one part is a character too long, so text built from the catalog (titles,
names, credits: anything a server or a source can make long) is cut here, with "…" where it was cut.
Pure: no `discord` import. `bot.cards.fit_card` fits a whole card; `cogs/_ui.py` turns it into an embed.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

MESSAGE = 2000  # a message's content
EMBED_TITLE = 256
EMBED_DESCRIPTION = 4096
FIELD_NAME = 256
FIELD_VALUE = 1024
FIELDS = 25  # fields in one embed
FOOTER = 2048
EMBED_TOTAL = 6000  # title, description, field names and values, footer and author together
CHOICES = 25  # autocomplete choices, and options in one select menu
CHOICE_NAME = 100  # an autocomplete choice's name and value, a select option's value
LABEL = 80  # a button's label, a select option's label
BUTTONS_PER_ROW = 5
ELLIPSIS = "…"
EMPTY_FIELD = "—"  # Discord refuses an empty field value


def fit(text: str, limit: int) -> str:
    """Return `text` cut to at most `limit` characters, ending in "…" when it was cut."""
    if len(text) <= limit:
        return text
    return text[: max(limit - 1, 0)] + ELLIPSIS if limit > 0 else ""


def fit_lines(lines: Iterable[str], limit: int = FIELD_VALUE, *, more: str = "and more") -> str:
    """Join whole lines while they fit in `limit`, then say `more` (a line too long even alone is cut)."""
    room = limit - len(more) - 1  # kept free, so that `more` always fits after the lines kept
    kept: list[str] = []
    size = -1  # the joined length so far: each line adds itself and one newline
    for line in lines:
        line = fit(line, room)
        if size + 1 + len(line) > room:
            kept.append(more)
            break
        kept.append(line)
        size += 1 + len(line)
    return "\n".join(kept)


def pack_pages(lines: Sequence[str], *, per_page: int, limit: int = FIELD_VALUE) -> list[list[str]]:
    """Split lines into pages of at most `per_page` lines and `limit` characters each (a long line is cut)."""
    pages: list[list[str]] = []
    page: list[str] = []
    size = 0
    for line in lines:
        line = fit(line, limit)
        added = len(line) + (1 if page else 0)
        if page and (len(page) >= per_page or size + added > limit):
            pages.append(page)
            page, size, added = [], 0, len(line)
        page.append(line)
        size += added
    if page:
        pages.append(page)
    return pages


def choice_name(text: str) -> str:
    """An autocomplete choice's name, as Discord accepts it."""
    return fit(" ".join(text.split()), CHOICE_NAME) or "?"


def label(text: str) -> str:
    """A button's or a select option's label, as Discord accepts it."""
    return fit(" ".join(text.split()), LABEL) or "?"


def message(text: str) -> str:
    """A message's content, as Discord accepts it."""
    return fit(text, MESSAGE)
