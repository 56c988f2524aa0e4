"""Parsers and helpers every source reader shares: text cleaning, titles, dates, networks, characters, CSVs."""

from __future__ import annotations

import ast
import csv
import functools
import hashlib
import re
import unicodedata
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from pathlib import Path
from typing import Any

SOURCES = (
    "korean_drama.csv", "series.csv", "kdramalist.csv", "wiki_actors.csv", "people.csv", "genres.csv",
    "networks.csv",
)  # fmt: skip

WEEKDAYS = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
UNRANKED = 99999
MIN_TMDB_VOTES = 5
ROLE_OF = {
    "main role": "main",
    "support role": "support",
    "guest role": "guest",
    "guest": "guest",
    "bit part": "guest",
}
ROLE_ORDER = {"main": 0, "support": 1, "guest": 2, None: 3}
TMDB_GENRE_PARTS = {
    "Action & Adventure": ("Action", "Adventure"),
    "Sci-Fi & Fantasy": ("Sci-Fi", "Fantasy"),
    "War & Politics": ("War", "Political"),
    "History": ("Historical",),
}
# TMDB names of networks that MyDramaList spells differently beyond case, spaces and punctuation.
TMDB_NETWORK_ALIASES = {"NAVER TV": "Naver TV Cast"}
MISSING = {"", "n/a", "?", "nan", "none", "null"}

HANGUL = re.compile("[\uac00-\ud7a3\u1100-\u11ff\u3130-\u318f]")
TITLE_PUNCTUATION = re.compile(r"[#:'.,!?\-\u2010-\u2015\u2018\u2019\u201c\u201d\"()\[\]/;~*]")
EPISODE_MARKER = re.compile(r"^eps?\b\.?\s*\d", re.IGNORECASE)
OPENERS = "([{"
CLOSERS = ")]}"


# -- small parsers ---------------------------------------------------------------------------------------


@functools.cache  # the sources repeat names and titles: each is cleaned once per build
def clean_text(value: str | None) -> str:
    """Return `value` in NFC with runs of whitespace (NBSP and tabs included) collapsed to one space."""
    if value is None:
        return ""
    return " ".join(unicodedata.normalize("NFC", value).split())


def is_missing(value: str | None) -> bool:
    return clean_text(value).casefold() in MISSING


@functools.cache
def normalise_title(title: str) -> str:
    """Return the matching form of a title: casefold, & -> and, punctuation dropped, spaces collapsed."""
    text = clean_text(title).casefold().replace("&", " and ")
    return " ".join(TITLE_PUNCTUATION.sub(" ", text).split())


@functools.cache
def normalise_name(name: str) -> str:
    """Return the identity form of a person's name: casefold without whitespace or hyphens."""
    return re.sub(r"[\s\-\u2010-\u2015]", "", clean_text(name).casefold())


def slugify(name: str) -> str:
    ascii_name = unicodedata.normalize("NFKD", name).encode("ascii", "ignore").decode("ascii")
    slug = re.sub(r"[^a-z0-9]+", "-", ascii_name.casefold()).strip("-")
    return slug or "person-" + hashlib.sha256(name.encode("utf-8")).hexdigest()[:10]


def mdl_style(name: str) -> str:
    """Spell a TMDB name the MyDramaList way: "Kim Hee-won" -> "Kim Hee Won"."""
    words = re.split(r"[\s\-]+", clean_text(name))
    return " ".join(w[:1].upper() + w[1:] for w in words if w)


def parse_list(value: str | None) -> list[str]:
    """Read a Python-list string like "['Kim Hee Won']" safely; anything else gives an empty list."""
    text = (value or "").strip()
    if not text.startswith("["):
        return []
    try:
        parsed = ast.literal_eval(text)
    except (ValueError, SyntaxError, MemoryError, RecursionError):
        return []
    if not isinstance(parsed, list):
        return []
    return [clean_text(item) for item in parsed if isinstance(item, str) and clean_text(item)]


def parse_int(value: str | None) -> int | None:
    text = clean_text(value).replace(",", "")
    if not text or text.casefold() in MISSING:
        return None
    try:
        return int(float(text))
    except ValueError:
        return None


def parse_float(value: str | None) -> float | None:
    text = clean_text(value)
    if not text or text.casefold() in MISSING:
        return None
    try:
        return float(text)
    except ValueError:
        return None


def parse_date(value: str | None, side: int = 0) -> str | None:
    """Return an ISO date for one full date in `value`, or None.

    A range "A - B" is split and `side` (0 left, 1 right) chosen. Year-only or month-only dates are None.
    """
    text = clean_text(value)
    if " - " in text:
        parts = text.split(" - ")
        text = parts[side] if side < len(parts) else ""
    if not text or text.casefold() in MISSING:
        return None
    for pattern in ("%Y-%m-%d", "%b %d, %Y", "%B %d, %Y", "%d-%b-%y", "%d-%b-%Y"):
        try:
            parsed = datetime.strptime(text, pattern).date()
        except ValueError:
            continue
        if pattern == "%d-%b-%y":
            # strptime pivots at 69; the listings run from the 1970s to 2023, so pivot at 30.
            year = parsed.year % 100
            parsed = parsed.replace(year=2000 + year if year <= 30 else 1900 + year)
        return parsed.isoformat()
    return None


def year_of(*values: str | None) -> int | None:
    """Return the first four-digit year found in `values` (or a two-digit one from "10-Sep-18")."""
    for value in values:
        iso = parse_date(value)
        if iso:
            return int(iso[:4])
        match = re.search(r"\b(1[89]\d\d|20\d\d)\b", clean_text(value))
        if match:
            return int(match.group(1))
    return None


def parse_air_days(days: Iterable[str]) -> list[str]:
    found = set()
    for day in days:
        short = clean_text(day)[:3].title()
        if short in WEEKDAYS:
            found.add(short)
    return [d for d in WEEKDAYS if d in found]


def title_case_genre(genre: str) -> str:
    return "-".join(part[:1].upper() + part[1:] for part in clean_text(genre).title().split("-"))


# -- networks --------------------------------------------------------------------------------------------


class NetworkSplitter:
    """Split joined network strings by greedy longest match against known single networks."""

    def __init__(self, known: Iterable[str]) -> None:
        self._known = {tuple(clean_text(n).casefold().split()) for n in known if clean_text(n)}
        self._longest = max((len(k) for k in self._known), default=1)

    def split(self, raw: str) -> list[str]:
        """Return the networks in `raw`, in source order."""
        networks: list[str] = []
        for chunk in clean_text(raw).split(","):
            words = chunk.split()
            unknown: list[str] = []
            i = 0
            while i < len(words):
                for size in range(min(self._longest, len(words) - i), 0, -1):
                    if tuple(w.casefold() for w in words[i : i + size]) in self._known:
                        if unknown:
                            networks.append(" ".join(unknown))
                            unknown = []
                        networks.append(" ".join(words[i : i + size]))
                        i += size
                        break
                else:
                    unknown.append(words[i])
                    i += 1
            if unknown:
                networks.append(" ".join(unknown))
        return list(dict.fromkeys(networks))

    def has_known_part(self, raw: str) -> bool:
        words = tuple(w.casefold() for w in clean_text(raw).replace(",", " ").split())
        return any(
            words[i : i + size] in self._known
            for i in range(len(words))
            for size in range(1, min(self._longest, len(words) - i) + 1)
        )


def build_network_splitter(kd_rows: Sequence[dict[str, str]], kdl_rows: Sequence[dict[str, str]],
                           tmdb_networks: Iterable[str]) -> NetworkSplitter:  # fmt: skip
    """Learn the single networks from kdramalist's lists, networks.csv and org_net values with none inside."""
    known = {n for row in kdl_rows for n in parse_list(row["Original Network"])}
    known.update(clean_text(n) for n in tmdb_networks)
    base = NetworkSplitter(known)
    for row in kd_rows:
        value = clean_text(row["org_net"])
        if value and "," not in value and not base.has_known_part(value):
            known.add(value)
    return NetworkSplitter(known)


def loose_key(name: str) -> str:
    return re.sub(r"[^a-z0-9+]", "", clean_text(name).casefold())


# -- characters ------------------------------------------------------------------------------------------


def _split_top_level(text: str) -> list[str]:
    """Split on / and | outside brackets; brackets of any kind close each other (the data mismatches them)."""
    parts, current, depth = [], [], 0
    for ch in text:
        if ch in OPENERS:
            depth += 1
        elif ch in CLOSERS:
            depth = max(0, depth - 1)
        if depth == 0 and ch in "/|":
            parts.append("".join(current))
            current = []
        else:
            current.append(ch)
    parts.append("".join(current))
    return parts


def _strip_annotations(part: str) -> tuple[str, list[tuple[str, str]]]:
    """Return the part without its bracketed annotations, and the annotations as (opener, text) in order."""
    name: list[str] = []
    notes: list[tuple[str, str]] = []
    current: list[str] = []
    opener = ""
    depth = 0
    for ch in part:
        if ch in OPENERS:
            if depth > 0:
                current.append(ch)
            else:
                opener = ch
            depth += 1
        elif ch in CLOSERS:
            if depth == 0:
                continue  # a stray closer
            depth -= 1
            if depth == 0:
                notes.append((opener, "".join(current)))
                current = []
                name.append(" ")
            else:
                current.append(ch)
        elif depth > 0:
            current.append(ch)
        else:
            name.append(ch)
    if current:
        notes.append((opener, "".join(current)))  # an annotation never closed runs to the end
    cleaned = [(kind, clean_text(text)) for kind, text in notes if clean_text(text)]
    return _strip_quotes(clean_text("".join(name))), cleaned


def _strip_quotes(text: str) -> str:
    text = text.strip(" -")
    quotes = "\"'\u201c\u201d\u2018\u2019"
    if len(text) >= 2 and text[0] in quotes and text[-1] in quotes:
        text = text[1:-1].strip()
    return text


def clean_character(raw: str) -> tuple[str | None, str | None]:
    """Split a listing's character text into (character, character_note)."""
    parts = [_strip_annotations(p) for p in _split_top_level(clean_text(raw))]
    parts = [(name, notes) for name, notes in parts if name or notes]
    if not parts:
        return None, None
    name, annotated = parts[0]
    notes = [text for _, text in annotated]
    also: list[str] = []
    if not name:
        # Only annotations: a role description ("[Himself]") beats a segment label ("{Room 609}");
        # an episode marker is never a character.
        candidates = [(OPENERS.index(kind) if kind != "[" else -1, i) for i, (kind, text) in enumerate(annotated)
                      if not EPISODE_MARKER.match(text)]  # fmt: skip
        if candidates:
            promoted = annotated[min(candidates)[1]][1]
            notes.remove(promoted)
            first, *rest = [p.strip() for p in re.split(r"\s[/|]\s", promoted) if p.strip()]
            name = _strip_quotes(first)
            also.extend(rest)
    for other, other_notes in parts[1:]:
        texts = [text for _, text in other_notes]
        if other:
            also.append(other + (f" ({'; '.join(texts)})" if texts else ""))
        else:
            notes.extend(texts)
    notes.extend(f"also {a}" for a in also)
    return (name or None), ("; ".join(notes) or None)


def pick_match(title: str, year: int | None, candidates: Sequence[tuple[str, int | None, Any]]) -> Any:
    """Pick the candidate (title, year, payload) that is the same show as (title, year), or None."""
    ranked = []
    for cand_title, cand_year, payload in candidates:
        if cand_year is None or year is None:
            if len(candidates) > 1:
                continue
            diff = 0
        else:
            diff = abs(cand_year - year)
            if diff > 1:
                continue
        ranked.append(((diff, clean_text(cand_title) != clean_text(title)), payload))
    if not ranked:
        return None
    ranked.sort(key=lambda item: item[0])
    if len(ranked) > 1 and ranked[0][0] == ranked[1][0]:
        return None  # ambiguous: two equally good candidates
    return ranked[0][1]


@dataclass
class PersonRecord:
    mdl_spellings: Counter[str] = field(default_factory=Counter)
    tmdb_spellings: set[str] = field(default_factory=set)
    tmdb_ids: set[int] = field(default_factory=set)
    show_keys: set[tuple[str, str]] = field(default_factory=set)  # (show key, credit kind)


@dataclass
class Stats:
    counts: Counter[str] = field(default_factory=Counter)

    def add(self, name: str, n: int = 1) -> None:
        self.counts[name] += n


def read_csv(path: Path) -> list[dict[str, str]]:
    with path.open(encoding="utf-8-sig", newline="") as file:
        return [{k: (v if v is not None else "") for k, v in row.items()} for row in csv.DictReader(file)]
