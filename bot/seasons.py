"""Seasons and parts: which series a title belongs to and its number, and which number a query asks for.

A season or part is a show of its own ("Hospital Playlist Season 2", "The Glory Part 2", "Soundtrack #2",
"Squid Game Season 3"); a title without a number is the first ("Hospital Playlist" is season 1). Shows whose
titles share a series title and differ in number are one series. The seed builder and `Catalog.find_show` read
titles with the same function, so the links in data/seed and the picks of /drama and /ask agree.

Pure, no I/O.
"""

from __future__ import annotations

import functools
import re

from bot.text import normalize

__all__ = ["Season", "may_name_a_season", "season_asked", "season_of", "series_key"]

# "Season 2", "Part 2", "Class 2", "Pt. 2", "#2", "시즌2", "파트 2", a trailing "2", each maybe followed by a subtitle.
_TITLE = re.compile(
    r"^(?P<base>.*?\S)\s*(?::\s*|\s-\s)?(?:\b(?:season|part|class|pt\.?)\s*(?P<n1>\d{1,2})\b|#\s*(?P<n2>\d{1,2})|"
    r"\s(?P<n3>[2-9])(?!\d)|(?:시즌|파트)\s*(?P<n4>\d{1,2})|(?<=[^\d\s])(?P<n5>[2-9])(?!\d)|\s(?P<roman>II|III|IV|Ⅱ|Ⅲ))"
    r"(?P<rest>(?::.*|\s-\s.*|\s*\(.*)?)$",
    re.IGNORECASE,
)
# Every form above holds a digit or a Roman number; a title with neither is no season (a cheap first test).
_NUMBERED = re.compile(r"\d|\b(?:II|III|IV)\b|[ⅡⅢ]", re.IGNORECASE)
_ROMAN = {"ii": 2, "iii": 3, "iv": 4, "ⅱ": 2, "ⅲ": 3}
_WORD_NUMBERS = {
    "one": 1, "two": 2, "three": 3, "four": 4, "five": 5, "first": 1, "second": 2, "third": 3, "fourth": 4,
    "fifth": 5, "1st": 1, "2nd": 2, "3rd": 3, "4th": 4, "5th": 5,
}  # fmt: skip
# A query naming a number: "X 2", "X season 2", "X s2", "X part two", "X #2", "season 2 of X", "the second season
# of X", "X 2nd season".
_ASK_AFTER = re.compile(
    r"^(?P<base>.*?\S)\s*(?:\b(?:season|seasons|part|pt|s|class)\s*(?P<n1>\d{1,2}|[a-z]+)|#\s*(?P<n2>\d{1,2})|"
    r"\s(?P<n3>\d{1,2})|\s(?P<n4>\w+)\s+(?:season|part))$",
    re.IGNORECASE,
)
_ASK_BEFORE = re.compile(
    r"^(?:the\s+)?(?:(?:season|part)\s+(?P<n1>\d{1,2}|[a-z]+)|(?P<n2>\w+)\s+(?:season|part))\s+(?:of\s+)?(?P<base>.+)$",
    re.IGNORECASE,
)


class Season(tuple[str, int]):
    """(series title, number)."""

    __slots__ = ()

    @property
    def base(self) -> str:
        return self[0]

    @property
    def number(self) -> int:
        return self[1]


def may_name_a_season(title: str) -> bool:
    """False when a title surely names no season or part (it has no digit and no Roman number): a quick test."""
    return _NUMBERED.search(title) is not None


def season_of(title: str) -> Season | None:
    """Return (series title, number) when a title names a season or part: "The Glory Part 2" -> ("The Glory", 2).

    A title with no number returns None: it is its series' first show, or a show with no sequel.
    """
    if not may_name_a_season(title):
        return None
    match = _TITLE.match(" ".join(title.split()))
    if not match:
        return None
    if match["roman"]:
        number = _ROMAN[match["roman"].casefold()]
    else:
        number = next(int(match[g]) for g in ("n1", "n2", "n3", "n4", "n5") if match[g])
    base = match["base"].rstrip(" :-")
    if not base or not 1 <= number <= 20 or base.isdigit() or not any(ch.isalpha() for ch in base):
        return None
    return Season((base, number))


@functools.lru_cache(maxsize=1 << 16)
def series_key(title: str) -> tuple[str, int]:
    """The normalised series title and the number of a show's title; a title without a number is number 1."""
    parsed = season_of(title)
    if parsed is None:
        return normalize(title), 1
    return normalize(parsed.base), parsed.number


def _number(text: str | None) -> int | None:
    if not text:
        return None
    if text.isdigit():
        return int(text)
    return _WORD_NUMBERS.get(text.casefold())


def season_asked(query: str) -> Season | None:
    """Return (series as typed, number) when a query names a season, part or number: "hospital playlist 2"."""
    text = " ".join(query.split())
    before = _ASK_BEFORE.match(text)
    if before:
        number = _number(before["n1"] or before["n2"])
        if number is not None and 1 <= number <= 20:
            return Season((before["base"], number))
    after = _ASK_AFTER.match(text)
    if after:
        number = _number(after["n1"] or after["n2"] or after["n3"] or after["n4"])
        if number is not None and 1 <= number <= 20 and any(ch.isalpha() for ch in after["base"]):
            return Season((after["base"], number))
    return None
