"""Find the shows, people, characters and networks a question names, as the catalog spells them.

Shows and people go through the catalog's search index, so typos, missing punctuation and Hangul all work; the
words around a name are trimmed in a few ways and each candidate span is scored, exact and sure hits first.
Characters are matched against the named show's cast, or against every cast credit when no show is named.
"""

from __future__ import annotations

import datetime as dt
import re
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import TypeVar

from rapidfuzz import fuzz, process

from bot import schedule
from bot.ask.budget import Budget
from bot.ask.rules import RULES
from bot.catalog import Catalog, Lookup
from bot.errors import InvalidInput, NotFound
from bot.models import Credit, CreditKind, Person, Show
from bot.romanize import has_hangul, romanize_name
from bot.search import Hit
from bot.text import normalize

GUESS_FLOOR = 70.0  # below this an unsure show or person match is noise ("queen of tears" is not Queen of the Ring)
CHARACTER_FLOOR = 80.0  # fuzz.ratio a character name needs to count as the one asked about in a named show
# With no show named, thousands of characters compete: only a near-exact name is safe ("Do Min Joon" is not
# "Do Min Joo"; "Byun Woo Seok" is not "Hyun Woo Seok").
CHARACTER_ANYWHERE_FLOOR = 96.0


# -- the words around names ------------------------------------------------------------------------------------

# Words that never start or end a title or a name in a question; trimmed from a span's edges (never its middle).
_EDGE_WORDS = frozenset(
    """
    a an the of in on for by to from at with about and or as is was are were be been being does did do done will
    would can could should has have had who whos what whats which when whens where wheres how hows why it its
    this that there these those me my i we you u your tell know anyone someone pls plz please hey hi yo
    so um uh like just actually really exactly again currently now still right yet ever anymore even
    drama dramas kdrama kdramas k show shows series tv korean program programme title
    dramabot bot s
    """.split()
)
_QUESTION_WORDS = frozenset("who whos what whats which when whens where wheres how hows why".split())
_WORD_NUMBERS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5"}


def _words(text: str) -> list[str]:
    return text.split()


def edge_variants(span: str) -> list[str]:
    """The ways to cut a span down to a name: edge words trimmed, with and without a leading article."""
    words = _words(span)
    start, end = 0, len(words)
    while start < end and words[start] in _EDGE_WORDS:
        start += 1
    # A question word at a span's end belongs to the title ("Doctor Who", "Guess Who"): questions begin with them.
    while end > start and words[end - 1] in _EDGE_WORDS and words[end - 1] not in _QUESTION_WORDS:
        end -= 1
    if start == end:
        return []
    core = words[start:end]
    variants = [" ".join(core)]
    # An edge word may belong to the title ("the glory", "start up", "run on"): try keeping one on each side.
    if start > 0:
        variants.append(" ".join(words[start - 1 : end]))
    if end < len(words):
        variants.append(" ".join(words[start : end + 1]))
    variants.append(" ".join(words))  # the span as typed, in case a "filler" word was the title's own
    return list(dict.fromkeys(variants))


@dataclass(frozen=True, slots=True)
class NameMatch:
    """A span resolved to catalog entries: the best, how sure, and the others it could have meant."""

    best: int
    sure: bool
    score: float
    others: tuple[int, ...]
    span: str


def _rank(score: float, sure: bool, span: str) -> tuple[float, ...]:
    exact = score >= 100.0
    # Among sure hits the one that explains more of the question's words wins ("do bong soon" over "bong soon").
    return (exact, sure, len(_words(span)) if sure else 0, score + 0.5 * len(_words(span)))


def _resolve(spans: Iterable[str], search: Callable[[str], list[Hit]]) -> NameMatch | None:
    """Score every candidate span with the index and keep the one most like a name the catalog holds."""
    best: tuple[tuple[float, ...], list[Hit], str] | None = None
    for span in spans:
        key = span.replace(" ", "")
        if not key:
            continue
        hits = search(span)
        if not hits:
            continue
        top = hits[0]
        # A short fragment ("han") only counts when it is exactly a name; prefixes of it are a guess.
        if len(key) < 3 and top.score < 100.0:
            continue
        rank = _rank(top.score, top.sure, span)
        if best is None or rank > best[0]:
            best = (rank, hits, span)
    if best is None:
        return None
    _, hits, span = best
    top = hits[0]
    if not top.sure and top.score < GUESS_FLOOR:
        return None
    # Another entry with exactly the same name is a true ambiguity, whatever the index's confidence.
    same = [h.id for h in hits[1:] if normalize(h.name) == normalize(top.name)]
    others = tuple(dict.fromkeys([*same, *(h.id for h in hits[1:5] if not top.sure and h.score >= GUESS_FLOOR - 10)]))
    return NameMatch(top.id, top.sure and not same, top.score, others, span)


@dataclass(frozen=True, slots=True)
class CastMatch:
    """A cast credit whose character a span names, and how well (0..100)."""

    credit: Credit
    score: float


def _character_span(span: str) -> str:
    """A character as asked, without a leading article: "the grim reaper" is the character Grim Reaper."""
    return re.sub(r"^(?:the|a|an)\s+(?=\S)", "", span.strip())


# How fans name platforms whose catalog spelling differs once normalized ("Disney+" folds to "disney").
_NETWORK_ALIASES = {
    "disneyplus": "disney", "primevideo": "amazonprime", "prime": "amazonprime", "amazon": "amazonprime",
    "amazonprimevideo": "amazonprime", "kakao": "daumkakaotv", "kakaotv": "daumkakaotv", "appletv": "appletv",
    "viu": "viutv", "iqiyi": "iqiyi", "tving": "tving", "wavve": "wavve",
}  # fmt: skip


# -- context -----------------------------------------------------------------------------------------------------


class Context:
    """One question being answered: the catalog, the server, the time, and name lookups on them."""

    def __init__(
        self, catalog: Catalog, guild_id: int | None, now: dt.datetime, question: str, budget: Budget | None = None
    ) -> None:
        self.catalog = catalog
        self.budget = budget if budget is not None else Budget()
        self.guild_id = guild_id
        self.now = schedule.require_aware(now, "now")
        self.question = question
        years = re.findall(r"\b((?:19|20)\d\d)\b", question)
        self.years = {int(y) for y in years}
        self.show_suggestions: tuple[str, ...] = ()  # the nearest titles, when no span named a show

    # shows

    def schedule(self, show: Show) -> schedule.Schedule:
        """Return the show's schedule from the catalog's cache, or refuse in one sentence when it has none."""
        sched = self.catalog.schedule_of(show)
        if sched is None:
            raise InvalidInput(
                f"The catalog's air days or time zone for {show.title} are not valid; ask an admin to fix them."
            )
        return sched

    def find_show(self, span: str) -> NameMatch | None:
        """The show a span of the question names, picked by `Catalog.find_show` as /drama picks it, or None.

        The span is cut down to a title a few ways (edge words off, "season 2 of X" as "X season 2", a year
        dropped); each cut that names a show is ranked, exact and sure first. When none does, the nearest titles
        are kept in `show_suggestions` for the refusal.
        """
        self.budget.spend()
        trimmed = _season_last(_SHOW_PREFIX.sub("", span))
        spans = edge_variants(trimmed)
        # "mirror 2021" or "mirror from 2021": the year picks among shows of one title (below), it is no part of it.
        yearless = re.sub(r"(?:\s+(?:from|in|of))?\s+(?:19|20)\d\d$", "", trimmed)
        yearless = re.sub(r"\s+(?:season|part|s|pt)\s*(?:1|one)$", "", yearless)  # "Squid Game season 1"
        for variant in (*edge_variants(span), *edge_variants(_digits(trimmed)), *edge_variants(yearless)):
            if variant not in spans:
                spans.append(variant)
        best: tuple[tuple[float, ...], Lookup[Show], str] | None = None
        longest = 0
        for variant in spans:
            key = variant.replace(" ", "")
            if not key:
                continue
            try:
                lookup = self.catalog.find_show(variant, guild_id=self.guild_id, strict=True)
            except NotFound as missing:
                # The nearest titles to the longest reading of the span are the ones worth offering.
                if len(_words(variant)) > longest:
                    longest, self.show_suggestions = len(_words(variant)), missing.suggestions
                continue
            # A short fragment ("han") only counts when it is exactly a name.
            if len(key) < 3 and lookup.score < 100.0:
                continue
            rank = _rank(lookup.score, lookup.sure and not lookup.guessed, variant)
            if best is None or rank > best[0]:
                best = (rank, lookup, variant)
        if best is None:
            return None
        _, lookup, variant = best
        # A near spelling is an assumption /ask always owns up to, however clear its lead.
        sure = lookup.sure and not lookup.guessed
        others = tuple(show.id for show in lookup.others[:4]) if not sure else ()
        match = NameMatch(lookup.best.id, sure, lookup.score, others, variant)
        # "Soundtrack #1 (2022)": a year in the question picks among shows of one title.
        if self.years and self.catalog.shows[match.best].year not in self.years:
            for other in (show.id for show in lookup.others):
                if self.catalog.shows[other].year in self.years:
                    rest = tuple(i for i in (match.best, *others) if i != other)
                    return NameMatch(other, True, match.score, rest, match.span)
        return match

    def show(self, match: NameMatch) -> Show:
        return self.catalog.shows[match.best]

    # people

    def find_person(self, span: str) -> NameMatch | None:
        self.budget.spend()

        def search(text: str) -> list[Hit]:
            hits = self.catalog.search_people(text, guild_id=self.guild_id, limit=6)
            if hits and hits[0].score >= 100.0:
                return hits
            # Not spelled as the catalog spells it: try other romanizations ("park seo jun"), Hangul as the
            # listings romanise it ("한소희"), then a given name alone ("suzy", "jisoo"), which many may share.
            names = _people_index(self.catalog)
            latin = romanize_name(text) if has_hangul(text) else text
            key = _romanized(normalize(latin).replace(" ", ""))
            for table, score in ((names.full, 99.0), (names.given, 85.0)):
                ids = [i for i in table.get(key, ()) if self.catalog.person_visible(i, self.guild_id)]
                if ids:
                    ids.sort(key=lambda i: -len(self.catalog.credits_of_person(i)))
                    found = [
                        Hit(i, self.catalog.people[i].name, self.catalog.people[i].name, score, len(ids) == 1)
                        for i in ids[:6]
                    ]
                    return found + [h for h in hits if h.id not in ids]
            return hits

        spans = edge_variants(span)
        # "han so hees latest drama": the possessive's s sticks to the name once punctuation is gone.
        spans += [s[:-1] for s in spans if s.endswith("s") and len(s) > 3]
        return _resolve(spans, search)

    def person(self, match: NameMatch) -> Person:
        return self.catalog.people[match.best]

    def visible_credits(self, person_id: int) -> list[Credit]:
        return self.catalog.credits_of_person(person_id, guild_id=self.guild_id)

    # characters

    def roles_in_show(self, show_id: int, span: str) -> list[CastMatch]:
        """The show's cast credits whose character the span names, best first."""
        self.budget.spend()
        span = _character_span(span)
        roles = [
            CastMatch(c, _character_score(span, c.character))
            for c in self.catalog.credits_of_show(show_id, CreditKind.CAST)
            if c.character
        ]
        return sorted((r for r in roles if r.score >= CHARACTER_FLOOR), key=lambda r: -r.score)

    def roles_anywhere(self, span: str) -> list[CastMatch]:
        """Every visible cast credit whose character the span names almost exactly, best and most popular first."""
        self.budget.spend()
        want = normalize(_character_span(span)).replace(" ", "")
        if len(want) < 4:
            return []
        want = _romanized(want)
        index = _character_index(self.catalog)
        found: dict[tuple[int, int], CastMatch] = {}
        for _key, ratio, position in process.extract(
            want, index.keys, scorer=fuzz.ratio, score_cutoff=CHARACTER_ANYWHERE_FLOOR, limit=None
        ):
            credit, penalty = index.owners[position]
            show = self.catalog.shows.get(credit.show_id)
            score = ratio - penalty
            if show is None or not self.catalog.visible(show, self.guild_id) or score < CHARACTER_ANYWHERE_FLOOR:
                continue
            slot = (credit.show_id, credit.person_id)
            if slot not in found or found[slot].score < score:
                found[slot] = CastMatch(credit, score)
        shows = self.catalog.shows

        def popularity(role: CastMatch) -> tuple[bool, int]:
            rank = shows[role.credit.show_id].popularity_rank
            return (rank is None, rank or 0)

        return sorted(found.values(), key=lambda r: (-r.score, popularity(r)))

    # networks

    def find_network(self, asked: str) -> str | None:
        """The catalog's spelling of a network a user named ("netflix" -> "Netflix", "kbs" -> "KBS2"), if any."""
        self.budget.spend()
        wanted = normalize(asked).replace(" ", "")
        wanted = _NETWORK_ALIASES.get(wanted, wanted)
        if not wanted:
            return None
        counts: dict[str, int] = {}
        for show in self.catalog.visible_shows(self.guild_id):
            for name in show.networks:
                counts[name] = counts.get(name, 0) + 1
        exact = [n for n in counts if normalize(n).replace(" ", "") == wanted]
        if exact:
            return exact[0]
        starts = sorted(
            (n for n in counts if normalize(n).replace(" ", "").startswith(wanted)), key=lambda n: -counts[n]
        )
        return starts[0] if starts and len(wanted) >= 3 else None


# Words that introduce a title inside a question: "who wrote the script for Signal", "the cast of the drama X".
_SHOW_PREFIX = re.compile(
    r"^(?:(?:the|a)\s+)?(?:script|screenplay|scripts|story|original|drama|kdrama|show|series|tv series|tv show|"
    r"korean drama|episodes?|eps?|new episodes?|latest episodes?|rest)\s+(?:(?:for|of|in|from|on|called|"
    r"named)\s+)?(?=\S)"
)


_ORDINALS = {"first": "1", "second": "2", "third": "3", "fourth": "4", "fifth": "5", "1st": "1", "2nd": "2", "3rd": "3"}


def _season_last(span: str) -> str:
    """ "season 2 of hospital playlist" and "the second season of X" as titles spell them: "X season 2"."""
    match = re.match(r"^(?:the\s+)?(?:(?:season|part)\s+(\d)|(\w+)\s+(?:season|part))\s+(?:of\s+)?(.+)$", span)
    if not match:
        return span
    number = match[1] or _ORDINALS.get(match[2] or "")
    return f"{match[3]} season {number}" if number else span


def _digits(span: str) -> str:
    return " ".join(_WORD_NUMBERS.get(w, w) if i else w for i, w in enumerate(_words(span)))


# -- splitting "character in show" -----------------------------------------------------------------------------


def splits(rest: str) -> Iterator[tuple[str, str]]:
    """Each way to cut "X in S" into X and S, at every "in"/"on"/"from"/"of", then X alone."""
    words = _words(rest)
    for i, word in enumerate(words):
        if word in ("in", "on", "from", "of", "for") and 0 < i < len(words) - 1:
            yield " ".join(words[:i]), " ".join(words[i + 1 :])
    yield rest, ""


# -- characters, and people by other spellings -------------------------------------------------------------------


_ALIASES = re.compile(r"\s*/\s*|\s*\(|\)")
_PLAIN_HANGUL = re.compile("[\uac00-\ud7a3 ]+")


def _character_keys(character: str) -> list[tuple[str, float]]:
    """The keys a character is asked by, each with its penalty: the full name, the given name, a first name."""
    keys: list[tuple[str, float]] = []
    names = [w for w in _ALIASES.split(character) if w.strip()] if "/" in character or "(" in character else []
    for name in names or [character]:
        # Hangul syllables and spaces are already as `normalize` would leave them (the seed has thousands).
        words = name.split() if _PLAIN_HANGUL.fullmatch(name) else normalize(name).split()
        if not words:
            continue
        keys.append(("".join(words), 0.0))
        if len(words) >= 3:
            keys.append(("".join(words[1:]), 3.0))  # Korean names: surname first; fans often drop it
        if len(words) == 2:
            keys.append((words[0], 3.0))  # "Vincenzo" for Vincenzo Cassano, "Kim" for Kim Shin
    return keys


def _character_score(span: str, character: str) -> float:
    """How well a span names a character (0..100): the whole name, or a part fans use alone, a little less."""
    want = normalize(span).replace(" ", "")
    return max((fuzz.ratio(want, key) - penalty for key, penalty in _character_keys(character)), default=0.0)


# Korean names are romanized several ways (Kang/Gang, Jun/Joon, Seo/Suh, Chul/Cheol): compare them folded.
_ROMANIZATION = (
    ("ch", "j"),
    ("sh", "s"),
    ("eo", "u"),
    ("oo", "u"),
    ("ee", "i"),
    ("k", "g"),
    ("p", "b"),
    ("t", "d"),
    ("r", "l"),
)


def _romanized(key: str) -> str:
    if not key.isascii():
        return key  # Hangul has no romanisations to fold
    for spelling, folded in _ROMANIZATION:
        key = key.replace(spelling, folded)
    return key


class _PeopleIndex:
    """People by romanization-folded full name and by given name, for names the search index misses.

    Rebuilt after every catalog change, but only the people whose record changed are folded again.
    """

    def __init__(self, catalog: Catalog, previous: _PeopleIndex | None = None) -> None:
        self.generation = catalog.generation
        self.by_person: dict[int, tuple[Person, tuple[str, ...], tuple[str, ...]]] = {}
        old = previous.by_person if previous is not None else {}
        self.full: dict[str, list[int]] = {}
        self.given: dict[str, list[int]] = {}
        for person in catalog.people.values():
            cached = old.get(person.id)
            if cached is None or cached[0] is not person:
                full, given = [], []
                for name in person.all_names:
                    words = normalize(name).split()
                    if not words or not words[0].isascii():
                        continue
                    full.append(_romanized("".join(words)))
                    if len(words) >= 2:
                        given.append(_romanized("".join(words[1:])))
                cached = (person, tuple(dict.fromkeys(full)), tuple(dict.fromkeys(given)))
            self.by_person[person.id] = cached
            for key in cached[1]:
                self.full.setdefault(key, []).append(person.id)
            for key in cached[2]:
                self.given.setdefault(key, []).append(person.id)


_PEOPLE_INDEXES: weakref.WeakKeyDictionary[Catalog, _PeopleIndex] = weakref.WeakKeyDictionary()


def _people_index(catalog: Catalog) -> _PeopleIndex:
    return _current(_PEOPLE_INDEXES, catalog, _PeopleIndex)


class _CharacterIndex:
    """Every cast credit's character keys in one flat list, so rapidfuzz can score them all in one C call.

    Rebuilt after every catalog change, but only the shows refreshed since (a new `Show` object) are read again.
    """

    def __init__(self, catalog: Catalog, previous: _CharacterIndex | None = None) -> None:
        self.generation = catalog.generation
        self.by_show: dict[int, tuple[Show, list[str], list[tuple[Credit, float]]]] = {}
        old = previous.by_show if previous is not None else {}
        self.keys: list[str] = []
        self.owners: list[tuple[Credit, float]] = []
        for show_id, show in catalog.shows.items():
            cached = old.get(show_id)
            if cached is None or cached[0] is not show:
                keys: list[str] = []
                owners: list[tuple[Credit, float]] = []
                for credit in catalog.credits_of_show(show_id, CreditKind.CAST):
                    if credit.character:
                        for key, penalty in _character_keys(credit.character):
                            keys.append(_romanized(key))
                            owners.append((credit, penalty))
                cached = (show, keys, owners)
            self.by_show[show_id] = cached
            self.keys.extend(cached[1])
            self.owners.extend(cached[2])


_CHARACTER_INDEXES: weakref.WeakKeyDictionary[Catalog, _CharacterIndex] = weakref.WeakKeyDictionary()


def _character_index(catalog: Catalog) -> _CharacterIndex:
    """The catalog's character index, brought up to date when a show was added, removed or edited since."""
    return _current(_CHARACTER_INDEXES, catalog, _CharacterIndex)


IndexT = TypeVar("IndexT", _PeopleIndex, _CharacterIndex)


def _current(
    cache: weakref.WeakKeyDictionary[Catalog, IndexT],
    catalog: Catalog,
    build: Callable[[Catalog, IndexT | None], IndexT],
) -> IndexT:
    """Return the catalog's index from `cache`, brought up to date when the catalog changed since it was built."""
    index = cache.get(catalog)
    if index is None or index.generation != catalog.generation:
        index = cache[catalog] = build(catalog, index)
    return index


def prepare(catalog: Catalog) -> None:
    """Compile the phrasings and build the character, people and title lookups now, so that the first question
    is not the slow one (nor, on a busy machine, one declined for running past its budget)."""
    for rule in RULES:
        rule.pattern  # noqa: B018 (compiled on first use)
    _character_index(catalog)
    _people_index(catalog)
    catalog.prepare_lookups()
