"""Queries fans type, made from a catalog: typos, prefixes, Hangul, acronyms, shortenings, people's names.

`make_queries` makes every kind in KINDS from a seeded random.Random (the development seed 1 was used to tune
the index, the report seed 2024 only to print tables, seed 7 wrote tests/data/search_queries.tsv);
`typo_queries` makes the one- or two-edit typos that the size tables time.
"""

from __future__ import annotations

import bisect
import dataclasses
import random
from collections import Counter
from collections.abc import Sequence
from pathlib import Path

from catalogs import Entry

from bot.search.scoring import acronyms as index_acronyms
from bot.text import normalize, search_key

KINDS = (
    "typo",
    "lower",
    "missing_word",
    "prefix",
    "hangul",
    "hangul_prefix",
    "hangul_typo",
    "no_spaces",
    "acronym",
    "shortening",
    "person",
)
PREFIX_KINDS = frozenset({"prefix", "hangul_prefix"})
SMALL_WORDS = frozenset("a an and at by for from in is of on or the to with".split())


# -- queries -------------------------------------------------------------------------------------

_NEIGHBOURS = {
    row[i]: row[max(0, i - 1) : i] + row[i + 1 : i + 2]
    for row in ("qwertyuiop", "asdfghjkl", "zxcvbnm")
    for i in range(len(row))
}


@dataclasses.dataclass(frozen=True, slots=True)
class Query:
    """A query a fan might type, the entry they mean, and every entry it is fair to answer with."""

    kind: str
    text: str
    target: str
    accepted: frozenset[str]


def typo(text: str, rng: random.Random, edits: int = 1) -> str:
    """Delete, substitute (a neighbouring key, half the time), transpose or insert random letters."""
    chars = list(text.lower())
    for _ in range(edits):
        spots = [i for i, c in enumerate(chars) if c.isalnum()]
        if len(spots) < 2:
            break
        i = rng.choice(spots[1:]) if rng.random() < 0.8 else spots[0]  # fans rarely miss the first letter
        operation = rng.choice(("delete", "substitute", "transpose", "insert"))
        near = _NEIGHBOURS.get(chars[i], "")
        letter = rng.choice(near) if near and rng.random() < 0.5 else rng.choice("abcdefghijklmnopqrstuvwxyz")
        if operation == "delete":
            del chars[i]
        elif operation == "substitute":
            chars[i] = letter if letter != chars[i] else "x"
        elif operation == "transpose" and i + 1 < len(chars) and chars[i + 1] != chars[i]:
            chars[i], chars[i + 1] = chars[i + 1], chars[i]
        else:
            chars.insert(i, letter)
    return "".join(chars)


_JAMO_SWAPS = {0: 19, 1: 21}  # lead consonants, vowels


def hangul_typo(text: str, rng: random.Random) -> str:
    """Change one letter (a lead consonant or a vowel) of one Hangul syllable."""
    spots = [i for i, c in enumerate(text) if "가" <= c <= "힣"]
    if not spots:
        return text
    i = rng.choice(spots)
    code = ord(text[i]) - 0xAC00
    lead, rest = divmod(code, 588)
    vowel, tail = divmod(rest, 28)
    if rng.random() < 0.5:
        lead = (lead + rng.randint(1, 18)) % 19
    else:
        vowel = (vowel + rng.randint(1, 20)) % 21
    return text[:i] + chr(0xAC00 + lead * 588 + vowel * 28 + tail) + text[i + 1 :]


def hangul_prefix(text: str, rng: random.Random) -> str:
    """Cut a Hangul title as an IME shows it mid-typing: whole syllables, the last maybe without its final."""
    cut = rng.randint(2, max(2, len(text) - 1))
    typed = text[:cut]
    last = typed[-1]
    if "가" <= last <= "힣" and (ord(last) - 0xAC00) % 28 and rng.random() < 0.5:
        typed = typed[:-1] + chr(ord(last) - (ord(last) - 0xAC00) % 28)
    return typed


def _acronym(title: str) -> str:
    return "".join(word[0] for word in normalize(title).split())


def make_queries(
    shows: Sequence[Entry], people: Sequence[Entry], rng: random.Random, per_kind: int = 100
) -> list[Query]:
    """Generate `per_kind` queries of every kind in KINDS, each from a random show or person."""
    by_key: dict[str, set[str]] = {}
    for show in shows:
        for name in show.names:
            by_key.setdefault(search_key(name), set()).add(show.key)
    popularity = {show.key: show.popularity for show in shows}
    people_by_key: dict[str, set[str]] = {}
    for entry in people:
        for name in entry.names:
            people_by_key.setdefault(search_key(name), set()).add(entry.key)
    # Every name's acronyms, in both of the index's forms: an alternative title shares an acronym as a title does.
    acronyms = Counter(a for show in shows for name in show.names for a in set(index_acronyms(normalize(name))))
    sorted_keys = sorted(by_key)

    def same_title(show: Entry) -> frozenset[str]:
        return frozenset({show.key} | by_key[search_key(show.names[0])])

    def most_popular_with_prefix(typed: str, target: str) -> frozenset[str]:
        key = search_key(typed)
        low = bisect.bisect_left(sorted_keys, key)
        holders: set[str] = set()
        for k in sorted_keys[low:]:
            if not k.startswith(key):
                break
            holders |= by_key[k]
        top = max((popularity[h] for h in holders), default=0.0)
        return frozenset({target} | {h for h in holders if popularity[h] == top})

    def fresh(text: str, accepted: frozenset[str]) -> bool:
        """Keep a query only if it does not spell another show's name outright."""
        owners = by_key.get(search_key(text), set())
        return bool(search_key(text)) and owners <= accepted

    def unambiguous(text: str, accepted: frozenset[str]) -> bool:
        """Keep a shortened title only if no other show's name begins with it (else prefixes rank first)."""
        key = search_key(text)
        low = bisect.bisect_left(sorted_keys, key)
        for k in sorted_keys[low:]:
            if not k.startswith(key):
                return True
            if not by_key[k] <= accepted:
                return False
        return True

    def generate(kind: str, show: Entry) -> Query | None:
        title = show.names[0]
        words = title.split()
        accepted = same_title(show)
        text: str | None = None
        if kind == "typo" and len(search_key(title)) >= 6:
            text = typo(title, rng, 2 if len(search_key(title)) >= 14 and rng.random() < 0.3 else 1)
        elif kind == "lower":
            text = normalize(title) if rng.random() < 0.5 else title.lower()
        elif kind == "missing_word" and len(words) >= 3:
            inner = range(1, len(words) - 1)
            small = [i for i in inner if normalize(words[i]) in SMALL_WORDS]
            if small:
                drop = rng.choice(small)
                text = " ".join(words[:drop] + words[drop + 1 :]).lower()
                text = text if unambiguous(text, accepted) else None
        elif kind == "prefix" and len(title) >= 6:
            text = title.lower()[: rng.randint(4, min(8, len(title) - 1))]
            accepted = most_popular_with_prefix(text, show.key)
        elif kind == "hangul" and show.hangul:
            text = show.hangul if rng.random() < 0.6 else show.hangul.replace(" ", "")
        elif kind == "hangul_prefix" and show.hangul and len(show.hangul.replace(" ", "")) >= 3:
            text = hangul_prefix(show.hangul, rng)
            accepted = most_popular_with_prefix(text, show.key)
        elif kind == "hangul_typo" and show.hangul and len(show.hangul.replace(" ", "")) >= 3:
            text = hangul_typo(show.hangul, rng)
        elif kind == "no_spaces" and len(words) >= 2:
            text = normalize(title).replace(" ", "")
        elif (
            kind == "acronym"
            and len(normalize(title).split()) >= 3
            and normalize(title).replace(" ", "").isalpha()
            and acronyms[_acronym(title)] == 1
        ):
            text = _acronym(title)
        elif kind == "shortening":
            text = shorten(title)
            text = text if text and unambiguous(text, accepted) else None
        if text is None or not text.strip() or not fresh(text, accepted):
            return None
        return Query(kind, text, show.key, accepted)

    queries: list[Query] = []
    for kind in KINDS:
        made = 0
        for _ in range(200 * per_kind):
            if made == per_kind:
                break
            if kind == "person":
                entry = rng.choice(people)
                query = person_variant(entry, rng)
                if query is not None and people_by_key.get(search_key(query.text), set()) <= query.accepted:
                    query = dataclasses.replace(
                        query, accepted=query.accepted | people_by_key.get(search_key(entry.names[0]), set())
                    )
                else:
                    query = None
            else:
                query = generate(kind, rng.choice(shows))
            if query is not None:
                queries.append(query)
                made += 1
    return queries


def shorten(title: str) -> str | None:
    """Cut a title the way fans do: drop the subtitle, the season, or a leading article."""
    lowered = title.lower()
    for marker in (":", " - ", " season ", " part "):
        if marker in lowered:
            return title[: lowered.index(marker)]
    for article in ("the ", "a "):
        if lowered.startswith(article) and len(title.split()) >= 3:
            return title[len(article) :]
    return None


def person_variant(person: Entry, rng: random.Random) -> Query | None:
    """Spell a name as fans do: lower case, hyphenated, run together, or the given name joined."""
    parts = normalize(person.names[0]).split()
    if len(parts) != 3:
        return None
    family, first, second = parts
    text = rng.choice(
        (
            f"{family} {first}-{second}",
            f"{family}{first}{second}",
            f"{family} {first}{second}",
            f"{family} {first} {second}",
            typo(f"{family} {first} {second}", rng),
        )
    )
    return Query("person", text, person.key, frozenset({person.key}))


def write_queries(path: Path, queries: Sequence[Query]) -> None:
    lines = ["kind\tquery\ttarget\taccepted"]
    lines += [f"{q.kind}\t{q.text}\t{q.target}\t{','.join(sorted(q.accepted))}" for q in queries]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")


def typo_queries(shows: Sequence[Entry], count: int, rng: random.Random) -> list[Query]:
    """Typo queries on random titles of at least 6 letters; a typo that spells another name counts for it."""
    by_key: dict[str, set[str]] = {}
    for show in shows:
        for name in show.names:
            by_key.setdefault(search_key(name), set()).add(show.key)
    queries = []
    while len(queries) < count:
        show = rng.choice(shows)
        title = show.names[0]
        if len(search_key(title)) < 6:
            continue
        text = typo(title, rng, 2 if len(search_key(title)) >= 14 and rng.random() < 0.3 else 1)
        accepted = {show.key} | by_key[search_key(title)] | by_key.get(search_key(text), set())
        queries.append(Query("typo", text, show.key, frozenset(accepted)))
    return queries


def prefix_queries(shows: Sequence[Entry], count: int, rng: random.Random) -> list[str]:
    """What people type into an autocomplete box: 4-8 letters of a random title, half of them with a typo."""
    queries: list[str] = []
    while len(queries) < count:
        title = rng.choice(shows).names[0]
        if len(title) < 5:
            continue
        typed = title.lower()[: rng.randint(4, 8)]
        queries.append(typo(typed, rng) if rng.random() < 0.5 else typed)
    return queries
