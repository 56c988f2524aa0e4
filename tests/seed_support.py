"""What the search tests share: the shipped seed file's shows as the index sees them, numbered 1, 2, ..."""

from __future__ import annotations

from typing import Any

from bot.models import Show


def seed_file_shows(seed: dict[str, Any]) -> list[Show]:
    """The seed file's shows (`json.loads` of data/seed/catalog.json) with the fields the search index reads."""
    return [
        Show(
            id=number,
            title=show["title"],
            hangul_title=show.get("hangul_title"),
            alt_titles=tuple(show.get("alt_titles") or ()),
            aliases=tuple(show.get("aliases") or ()),
            popularity_rank=show.get("popularity_rank"),
            seed_key=show["key"],
        )
        for number, show in enumerate(seed["shows"], start=1)
    ]
