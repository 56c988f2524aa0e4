"""Answer drama questions asked in plain words, from the catalog alone: rules, the search index, no model.

`answer(question, catalog, guild_id=, now=)` finds what is asked (the *intent*) with ordered patterns over the
question as `bot.search.normalize` folds it, then finds the show, people and characters it names:

- shows and people with the catalog's search index, so typos, missing punctuation and Hangul all work; the
  words around a name are trimmed in a few ways and each candidate span is scored, exact and sure hits first;
- characters against the named show's cast, or against every cast credit when no show is named.

Every sentence it returns is built from catalog fields, so each fact can be traced; when the catalog does not
know, the answer says so (`found=False`) and points at the nearest command. When a name is a guess or is shared,
the answer says which one it assumed and lists the others in `alternatives`.
"""

from __future__ import annotations

import datetime as dt
import re
import weakref
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from rapidfuzz import fuzz, process

from bot import schedule
from bot.catalog import Catalog
from bot.models import Credit, CreditKind, Person, Role, Show, Status
from bot.search import Hit
from bot.text import normalize

__all__ = ["INTENTS", "QUESTION_LIMIT", "Answer", "answer", "prepare"]

QUESTION_LIMIT = 300  # longer than any real question; keeps a pasted essay from costing a fuzzy search per word
SEOUL = ZoneInfo("Asia/Seoul")
GUESS_FLOOR = 70.0  # below this an unsure show or person match is noise ("queen of tears" is not Queen of the Ring)
CHARACTER_FLOOR = 80.0  # fuzz.ratio a character name needs to count as the one asked about in a named show
# With no show named, thousands of characters compete: only a near-exact name is safe ("Do Min Joon" is not
# "Do Min Joo"; "Byun Woo Seok" is not "Hyun Woo Seok").
CHARACTER_ANYWHERE_FLOOR = 96.0
LIST_LIMIT = 8  # shows or people named in one answer before "and N more"

INTENTS = (
    "together",
    "shared_cast",
    "seasons",
    "character_of_actor",
    "actor_of_character",
    "cast",
    "director",
    "writer",
    "episodes",
    "network",
    "genre",
    "finished",
    "next_episode",
    "episode_date",
    "finale",
    "premiere",
    "latest",
    "first",
    "filmography",
    "airing_today",
    "airing_week",
    "unknown",
)


@dataclass(frozen=True, slots=True)
class Answer:
    """What to tell the asker: the text, what was understood, and which catalog entries it rests on."""

    text: str
    intent: str
    found: bool
    show_ids: tuple[int, ...] = ()
    person_ids: tuple[int, ...] = ()
    alternatives: tuple[str, ...] = ()


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
_WORD_NUMBERS = {"one": "1", "two": "2", "three": "3", "four": "4", "five": "5"}


def _words(text: str) -> list[str]:
    return text.split()


def _edge_variants(span: str) -> list[str]:
    """The ways to cut a span down to a name: edge words trimmed, with and without a leading article."""
    words = _words(span)
    start, end = 0, len(words)
    while start < end and words[start] in _EDGE_WORDS:
        start += 1
    while end > start and words[end - 1] in _EDGE_WORDS:
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
class _Match:
    """A span resolved to catalog entries: the best, how sure, and the others it could have meant."""

    best: int
    sure: bool
    score: float
    others: tuple[int, ...]
    span: str


def _rank(hit: Hit, span: str) -> tuple[float, ...]:
    exact = hit.score >= 100.0
    # Among sure hits the one that explains more of the question's words wins ("do bong soon" over "bong soon").
    return (exact, hit.sure, len(_words(span)) if hit.sure else 0, hit.score + 0.5 * len(_words(span)))


def _resolve(spans: Iterable[str], search: Callable[[str], list[Hit]], *, floor: float = GUESS_FLOOR) -> _Match | None:
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
        rank = _rank(top, span)
        if best is None or rank > best[0]:
            best = (rank, hits, span)
    if best is None:
        return None
    _, hits, span = best
    top = hits[0]
    if not top.sure and top.score < floor:
        return None
    # Another entry with exactly the same name is a true ambiguity, whatever the index's confidence.
    same = [h.id for h in hits[1:] if normalize(h.name) == normalize(top.name)]
    others = tuple(dict.fromkeys([*same, *(h.id for h in hits[1:5] if not top.sure and h.score >= floor - 10)]))
    return _Match(top.id, top.sure and not same, top.score, others, span)


# -- context -----------------------------------------------------------------------------------------------------


class _Context:
    """One question being answered: the catalog, the server, the time, and name lookups on them."""

    def __init__(self, catalog: Catalog, guild_id: int | None, now: dt.datetime, question: str) -> None:
        self.catalog = catalog
        self.guild_id = guild_id
        self.now = schedule.require_aware(now, "now")
        self.question = question
        years = re.findall(r"\b((?:19|20)\d\d)\b", question)
        self.years = {int(y) for y in years}

    # shows

    def find_show(self, span: str) -> _Match | None:
        def search(text: str) -> list[Hit]:
            hits = [
                h
                for h in self.catalog.search_shows(text, guild_id=self.guild_id, limit=6)
                if h.id in self.catalog.shows
            ]
            if not hits or (hits[0].score < 80.0 and not hits[0].sure):
                inside = self._titles_containing(text)
                if inside:
                    return inside + [h for h in hits if h.id not in {i.id for i in inside}]
            return hits

        trimmed = _season_last(_SHOW_PREFIX.sub("", span))
        spans = _edge_variants(trimmed)
        # "mirror 2021" or "mirror from 2021": the year picks among shows of one title (below), it is no part of it.
        yearless = re.sub(r"(?:\s+(?:from|in|of))?\s+(?:19|20)\d\d$", "", trimmed)
        yearless = re.sub(r"\s+(?:season|part|s|pt)\s*(?:1|one)$", "", yearless)  # "Squid Game season 1"
        sequel = re.match(r"^(.*\D)\s+([2-9])$", trimmed)  # "the glory 2" is The Glory Part 2 or a Season 2
        sequels = [f"{sequel[1]} {word} {sequel[2]}" for word in ("part", "season")] if sequel else []
        for variant in (
            *_edge_variants(span),
            *_edge_variants(_digits(trimmed)),
            *_edge_variants(yearless),
            *(v for sequel_span in sequels for v in _edge_variants(sequel_span)),
        ):
            if variant not in spans:
                spans.append(variant)
        match = _resolve(spans, search)
        if match is None:
            return None
        # "Soundtrack #1 (2022)": a year in the question picks among shows of one title.
        if self.years and self.catalog.shows[match.best].year not in self.years:
            for other in match.others:
                if self.catalog.shows[other].year in self.years:
                    rest = tuple(i for i in (match.best, *match.others) if i != other)
                    return _Match(other, True, match.score, rest, match.span)
        return match

    def _titles_containing(self, text: str) -> list[Hit]:
        """Shows whose title holds every word of `text` in order ("attorney woo", "del luna"), most popular first.

        Fans shorten long titles to their last words, which the index scores as weak fuzzy guesses.
        """
        words = normalize(text).split()
        if not words or (len(words) == 1 and len(words[0]) < 5) or all(w in _EDGE_WORDS for w in words):
            return []
        needle = f" {' '.join(words)} "
        found = []
        for show in self.catalog.visible_shows(self.guild_id):
            if any(needle in f" {normalize(title)} " for title in show.all_titles):
                found.append(show)
        found.sort(key=lambda s: (s.popularity_rank is None, s.popularity_rank or 0))
        sure = len(found) == 1
        # Scored in the fuzzy band: a guess from part of a title never outranks a whole title typed.
        return [Hit(s.id, s.title, s.title, 75.0 - i * 0.1, sure) for i, s in enumerate(found[:6])]

    def show(self, match: _Match) -> Show:
        return self.catalog.shows[match.best]

    # people

    def find_person(self, span: str) -> _Match | None:
        def search(text: str) -> list[Hit]:
            hits = self.catalog.search_people(text, guild_id=self.guild_id, limit=6)
            if hits and hits[0].score >= 100.0:
                return hits
            # Not spelled as the catalog spells it: try other romanizations ("park seo jun"), then a given name
            # alone ("suzy", "jisoo"), which may belong to many people.
            names = _people_index(self.catalog)
            key = _romanized(normalize(text).replace(" ", ""))
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

        spans = _edge_variants(span)
        # "han so hees latest drama": the possessive's s sticks to the name once punctuation is gone.
        spans += [s[:-1] for s in spans if s.endswith("s") and len(s) > 3]
        return _resolve(spans, search)

    def person(self, match: _Match) -> Person:
        return self.catalog.people[match.best]

    def visible_credits(self, person_id: int) -> list[Credit]:
        return self.catalog.credits_of_person(person_id, guild_id=self.guild_id)


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


# -- how things are said -------------------------------------------------------------------------------------


def _label(show: Show) -> str:
    return f"{show.title} ({show.year})" if show.year else show.title


def _list(items: list[str], limit: int = LIST_LIMIT) -> str:
    if len(items) > limit:
        shown = items[:limit]
        return ", ".join(shown) + f" and {len(items) - limit} more"
    if len(items) <= 2:
        return " and ".join(items)
    return ", ".join(items[:-1]) + " and " + items[-1]


def _date(day: dt.date) -> str:
    return day.isoformat()


def _today(now: dt.datetime) -> dt.date:
    return now.astimezone(SEOUL).date()


def _moment(episode: schedule.ScheduledEpisode) -> str:
    """An exact air time as Discord timestamps; a date alone when only the date is known."""
    if episode.time_known:
        return f"{schedule.discord_timestamp(episode.air_at, 'F')} ({schedule.discord_timestamp(episode.air_at, 'R')})"
    return f"{_date(episode.air_date)} (Korea date)"


def _assumed_show(ctx: _Context, match: _Match) -> tuple[str, tuple[str, ...]]:
    """A lead-in naming the show that was assumed, and the others, when the match was not sure."""
    if match.sure or not match.others:
        return "", ()
    others = tuple(_label(ctx.catalog.shows[i]) for i in match.others[:4])
    return f"(I assumed you meant {_label(ctx.show(match))}; you might also mean {_list(list(others))}.) ", others


def _assumed_person(ctx: _Context, match: _Match) -> tuple[str, tuple[str, ...]]:
    if match.sure or not match.others:
        return "", ()
    others = tuple(ctx.catalog.people[i].name for i in match.others[:4])
    return f"(I assumed you meant {ctx.person(match).name}; you might also mean {_list(list(others))}.) ", others


def _decline(intent: str, text: str, *, shows: tuple[int, ...] = (), people: tuple[int, ...] = ()) -> Answer:
    return Answer(text, intent, False, shows, people)


def _no_show(intent: str, span: str) -> Answer:
    named = f" “{span.strip()}”" if span.strip() else ""
    return _decline(intent, f"I could not find the drama{named} in the catalog; try /drama with its title.")


def _no_person(intent: str, span: str) -> Answer:
    named = f" “{span.strip()}”" if span.strip() else ""
    return _decline(intent, f"I could not find anyone called{named} in the catalog; try /person with their name.")


# -- the intents ---------------------------------------------------------------------------------------------------

# Each rule is a pattern over the normalized question; its named groups are spans for the handler to resolve.
# S = a show, P/P2 = people, REST = "something in a show" to be split where the show begins.
_S = r"(?P<show>.+?)"
_P = r"(?P<person>.+?)"
_REST = r"(?P<rest>.+?)"
_TELL = (
    r"(?:(?:(?:can|could|would|will) (?:you|u) (?:please |pls )?|please |pls |quick )?"
    r"(?:tell me|remind me|do you know|does anyone know|do u know|i wonder|i want to know|i wanna know|"
    r"i d like to know|id like to know|any idea|i need to know|help me find out)\s+|"
    r"(?:can|could|would|will) (?:you|u) (?:please |pls )?(?=list |show |give |name |find ))?"
)
_DRAMA = r"(?:k ?dramas?|dramas?|shows?|series|tv shows?|korean dramas?)"
_ON = r"(?:in|on|from|for|of)"
_GENRES = (
    "romance|romantic|comedy|romcom|rom com|thriller|mystery|melodrama|fantasy|action|horror|historical|sageuk|"
    "medical|legal|law|crime|family|youth|school|sci fi|scifi|science fiction|political|business|music|sports|"
    "food|psychological|supernatural|military|sitcom|slice of life|life|adventure|friendship|drama"
)


_AIRING_LEAD = (
    r"(?:what|which|whats|any|are there any|is there any|anything|list|show me)?\s*(?:new\s+)?"
    r"(?:dramas?|shows?|kdramas?|episodes?|series)?\s*(?:is|are|s)?\s*"
    r"(?:airing|on|out|showing|releasing|coming out|dropping|premiering|broadcasting|airs|air|new|on air|on tv|playing|"
    r"streaming|running)?"
)
_AIRING_ON = r"(?:\s*(?:on|from)\s+(?P<network>[a-z0-9+][a-z0-9+ ]*?))?"
_AIRING_ON_AFTER = _AIRING_ON.replace("network", "network_after")
_AIRING_TAIL = r"(?:\s+(?:in korea|on tv|kst))?"


def _rule(pattern: str) -> re.Pattern[str]:
    return re.compile(rf"^{_TELL}{pattern}$")


_RULES: list[tuple[str, re.Pattern[str]]] = [
    # shows with both A and B
    (
        "together",
        _rule(
            rf"(?:what|which|any|are there any|is there a|is there any|name|list|find)?\s*(?:other\s+)?{_DRAMA}?\s*"
            rf"(?:have|has|did|do|are|were)?\s*(?:with|starring|featuring|feature|star|starred|acted|"
            rf"been)?\s*(?:in\s+)?"
            rf"(?:both\s+)?{_P}\s+(?:and|&|n|with)\s+(?P<person2>.+?)\s*"
            rf"(?:both\s+)?(?:(?:been|worked|acted|starred|appeared|played|co ?starred|were|are|in|on|a|any|{_DRAMA}|"
            rf"ever)\s+)*"
            r"(?:together|both|in common|co ?star\w*|share)(?:\s+in)?(?:\s+(?:a|any|in))?(?:\s+" + _DRAMA + r")?"
        ),
    ),
    (
        "together",
        _rule(
            rf"(?:what|which|any|are there|are there any|is there|is there a|is there any|list|find|show me)?\s*"
            rf"{_DRAMA}\s+(?:with|starring|featuring|have|has|did)\s+(?:both\s+)?{_P}\s+"
            rf"(?:and|&)\s+(?P<person2>.+?)(?:\s+(?:in them|been in|acted in|starred in|in|together|both))*"
        ),
    ),
    (
        "together",
        _rule(
            rf"(?:did|have|has|do|were|are)\s+{_P}\s+(?:and|&)\s+(?P<person2>.+?)\s+(?:ever\s+)?"
            rf"(?:been|work\w*|act\w*|star\w*|appear\w*|film\w*|co ?star\w*|be)\s*(?:in|on)?\s*(?:a|any|the same)?\s*"
            rf"(?:{_DRAMA})?\s*(?:together)?"
        ),
    ),
    (
        "together",
        _rule(
            rf"(?:has|have|did|does|do|is|was)\s+{_P}\s+(?:ever\s+)?(?:been in a {_DRAMA} |been in anything |been )?"
            rf"(?:worked|acted|starred|appeared|work|act|star|appear|filmed|film|co ?starred|co ?star|been)\s+"
            rf"(?:in\s+(?:a|any)\s+{_DRAMA}\s+)?(?:together\s+)?(?:with|alongside|opposite|"
            rf"and)\s+(?P<person2>.+?)(?:\s+(?:before|together|yet|ever))*"
        ),
    ),
    ("together", _rule(rf"{_P}\s+(?:and|&)\s+(?P<person2>.+?)\s+(?:{_DRAMA}|shows together|dramas together)")),
    (
        "together",
        _rule(
            rf"(?:what|which|any|list)?\s*(?:are|is)?\s*(?:the\s+)?(?:common|shared|mutual|joint)\s+{_DRAMA}\s+"
            rf"(?:of|for|between|with|by|starring)\s+(?:both\s+)?{_P}\s+(?:and|&)\s+(?P<person2>.+?)"
        ),
    ),
    (
        "shared_cast",
        _rule(
            r"(?:who|which actors?|which actresses|what actors?|which people|anyone|is anyone|is there anyone|"
            r"actors?|cast)\s+(?:was|were|is|are|who|that)?\s*(?:has|have)?\s*(?:acted|played|starred|appeared|been|"
            r"in common|shared)?\s*(?:in\s+)?both\s+"
            rf"{_S}\s+(?:and|&)\s+(?P<show2>.+?)"
        ),
    ),
    (
        "shared_cast",
        _rule(
            r"(?:which|what)\s+(?:actors?|actresses|people|cast members)\s+(?:were|are|was|is|appear|appeared|star|"
            rf"starred|acted|played)\s+in\s+(?:both\s+)?{_S}\s+(?:and|&)\s+(?P<show2>.+?)"
        ),
    ),
    # how many seasons
    (
        "seasons",
        _rule(
            r"(?:how many|number of)\s+(?:seasons|parts)\s+(?:does|did|do|is|are|of|has|have|in)?\s*"
            r"(?:there\s+(?:of|in|for)\s+)?"
            rf"{_S}(?:\s+(?:have|has|got|are there|there))?"
        ),
    ),
    (
        "seasons",
        _rule(
            rf"(?:is there|will there be|is there going to be|are there|does|did|has)\s+(?:a\s+|any\s+|more\s+)?"
            r"(?:(?:another|new|next|second|2nd|third|3rd|more|other)\s+)?(?:season|seasons|part)\s*(?:\d)?\s+"
            rf"(?:of|for|to)\s+{_S}"
        ),
    ),
    (
        "seasons",
        _rule(
            rf"(?:does|did|will|has)\s+{_S}\s+(?:have|get|got|has)\s+(?:a\s+|any\s+)?"
            r"(?:second\s+|2nd\s+|another\s+|more\s+)?(?:season|seasons|part)(?:\s*\d)?"
        ),
    ),
    # which character does A play (in S)
    (
        "character_of_actor",
        _rule(
            rf"(?:which|what|whats|who)\s+(?:character|role|part|characters|roles|charater|charcter|char)\s+"
            rf"(?:does|did|is|was|will|do|has)?\s*{_REST}\s+"
            rf"(?:play|plays|playing|played|portray|portrays|portrayed|portraying|have|had|be|star as|starred as|"
            rf"act as|acted as|in)"
            rf"(?:\s+{_ON}\s+(?P<show>.+?))?"
        ),
    ),
    (
        "character_of_actor",
        _rule(
            rf"(?:who|what|whom)\s+(?:does|did|is|was|will)\s+{_REST}\s+(?:play|plays|playing|played|portray\w*|act as)"
            rf"(?:\s+{_ON}\s+(?P<show>.+?))?"
        ),
    ),
    (
        "character_of_actor",
        _rule(
            rf"(?:what|whats|who|which)?\s*(?:is|was)?\s*{_REST}\s+(?:character|role|part|charater|"
            rf"char|characters|roles)\s+(?:{_ON}\s+)?(?P<show>.+?)"
        ),
    ),
    (
        "character_of_actor",
        _rule(rf"(?:what|which)\s+(?:character|role|part)\s+(?:is|was)\s+{_REST}\s+{_ON}\s+(?P<show>.+?)"),
    ),
    (
        "character_of_actor",
        _rule(
            rf"{_REST}\s+(?:plays|played|is playing|was playing|portrays|portrayed)\s+(?:who|what character|"
            rf"which character|whom)"
            rf"(?:\s+{_ON}\s+(?P<show>.+?))?"
        ),
    ),
    (
        "character_of_actor",
        _rule(
            rf"(?:is|was|did|does|has|have|are|were)\s+{_REST}\s+(?:also\s+)?(?:star|starring|starred|appear|appeared|"
            rf"appearing|act|acted|acting|been|play|played|playing|cast|casted|featured|part of|a part of)?\s*"
            rf"(?:in|on|of)\s+(?P<show>.+?)(?:\s+(?:too|as well|also))?"
        ),
    ),
    # the main cast, asked as if it were a character
    (
        "cast",
        _rule(
            rf"(?:who|whos)\s+(?:is|are|was|were)?\s*(?:plays?|played|playing)?\s*(?:the\s+)?"
            rf"(?:main|lead|leads|leading|male lead|female lead|main lead|main leads|main character|main characters|"
            rf"protagonists?|stars?|main actors?|main actress|main actresses|ml|fl|second lead|2nd lead)\s+"
            rf"(?:(?:actors?|actress|actresses|roles?|characters?|couple)\s+)?{_ON}\s+{_S}"
        ),
    ),
    (
        "cast",
        _rule(rf"(?:who|whos)\s+(?:is\s+|are\s+)?(?:in\s+the\s+cast|cast|the cast|casted)\s+(?:of|in|for)\s+{_S}"),
    ),
    (
        "cast",
        _rule(
            r"(?:who|whos)\s+(?:all\s+|else\s+)?"
            r"(?:plays|played|play|acts|acted|act|stars|starred|star|appears|appeared)"
            rf"\s+(?:in|on)\s+{_S}"
        ),
    ),
    # who plays C (in S)
    (
        "actor_of_character",
        _rule(
            rf"(?:who|whos)\s+(?:is\s+|was\s+)?(?:plays|played|play|playing|is playing|was playing|acts as|acted as|"
            rf"portrays|portrayed|is portraying|plays the role of|played the role of|plays the part of|"
            rf"played the part of|"
            rf"plays the character|played the character|is the actor of|is the actress of|is the actor for|"
            rf"is the actor playing|is the actress playing|is the actor who plays|is the actress who plays|"
            rf"acts|acted|portraying|the role of|the actor of|the actress of|the actor for|the actress for)\s+{_REST}"
        ),
    ),
    (
        "actor_of_character",
        _rule(
            r"(?:who|whos|what is|whats)\s+(?:is\s+|was\s+)?(?:the\s+)?(?:actor|actress|person|one|idol|guy|girl)\s+"
            r"(?:who\s+|that\s+)?"
            r"(?:plays|played|playing|portrays|portrayed|portraying|acts as|acting as|is playing|was playing)\s+"
            + _REST
        ),
    ),
    (
        "actor_of_character",
        _rule(
            rf"(?:which|what)\s+(?:actor|actress|person|idol)\s+(?:plays|played|play|portrays|portrayed|is playing|"
            rf"was playing|is|was)\s+{_REST}"
        ),
    ),
    (
        "actor_of_character",
        _rule(
            rf"(?:the\s+)?(?:actor|actress|actors)\s+(?:of|for|who plays|who played|playing|that plays|"
            rf"that played)\s+{_REST}"
        ),
    ),
    (
        "actor_of_character",
        _rule(r"(?:who|whos)\s+(?:is|was)\s+(?!(?:in|on|the cast)\b)(?P<rest>.+?\s(?:in|on|from)\s.+?)"),
    ),
    (
        "actor_of_character",
        _rule(
            rf"(?:in|on|for)\s+{_S}\s+(?:who|whos)\s+(?:is\s+|was\s+)?"
            rf"(?:plays|played|playing|is playing|portrays|portrayed|the actor of|the actress of|is|was)\s+{_REST}"
        ),
    ),
    ("actor_of_character", _rule(rf"{_REST}\s+(?:is played by|was played by|played by|actor|actress)(?:\s+who)?")),
    # who wrote / directed S
    (
        "director",
        _rule(
            rf"(?:who|whos|which)?\s*(?:is|was|are|were)?\s*(?:the\s+)?(?:pd|director|directors|producer director)\s+"
            rf"(?:of|for|on|behind|in)\s+{_S}"
        ),
    ),
    (
        "director",
        _rule(rf"(?:who|whos)\s+(?:directed|directs|direct|is directing|was directing|helmed|did direct)\s+{_S}"),
    ),
    ("director", _rule(rf"(?:who\s+)?(?:did|does|was|is)\s+{_S}\s+(?:directed by|get directed by)(?:\s+who)?")),
    ("director", _rule(rf"(?:who|whos)\s+(?:is|was)\s+{_S}\s+(?:s\s+)?(?:director|directors|pd)")),
    (
        "director",
        _rule(
            r"(?:who|whos)\s+(?:made|created|creates|makes|is behind|was behind|behind|is the creator of|"
            r"was the creator of|the creator of|is the maker of|are the makers of|produced|the producer of|"
            rf"is the producer of)\s+{_S}"
        ),
    ),
    (
        "director",
        _rule(rf"{_S}\s+(?:s\s+)?(?:director|directors|pd|directed by(?:\s+who(?:m)?)?|who directed it|who directed)"),
    ),
    ("director", _rule(rf"(?:who|which)\s+(?:director|pd)\s+(?:made|did|directed|shot)\s+{_S}")),
    (
        "writer",
        _rule(
            rf"(?:who|whos|which)?\s*(?:is|was|are|were)?\s*(?:the\s+)?(?:writer|writers|screenwriter|screenwriters|"
            rf"scriptwriter|scriptwriters|script writer|screen writer|author|scenario writer)\s+(?:of|for|on|behind|"
            rf"in)\s+{_S}"
        ),
    ),
    (
        "writer",
        _rule(
            rf"(?:who|whos)\s+(?:wrote|writes|write|written|penned|scripted|did write|wrote the script for|"
            rf"wrote the script of|"
            rf"wrote the screenplay for|wrote the screenplay of|wrote the story of|did the script for)\s+{_S}"
        ),
    ),
    ("writer", _rule(rf"(?:who\s+)?(?:was|is)\s+{_S}\s+(?:written by|penned by|scripted by)(?:\s+who)?")),
    ("writer", _rule(rf"(?:who|whos)\s+(?:is|was)\s+{_S}\s+(?:s\s+)?(?:writer|writers|screenwriter|scriptwriter)")),
    (
        "writer",
        _rule(
            rf"{_S}\s+(?:s\s+)?(?:writer|writers|screenwriter|screenwriters|scriptwriter|script writer|"
            rf"written by(?:\s+who(?:m)?)?|who wrote it|who wrote)"
        ),
    ),
    # how many episodes
    (
        "episodes",
        _rule(
            rf"(?:how many|how much|number of|total|the number of|count of|no of)\s+(?:total\s+)?(?:episodes?|eps?|"
            rf"parts?)\s*"
            rf"(?:does|did|do|is|are|was|were|will|has|had|in|of|for|there in|are there in|were there in|"
            rf"does it have in)?\s*{_S}"
            r"(?:\s+(?:have|has|had|got|get|run|last|in total|total|air|aired|gonna have|going to have|will have)){0,3}"
        ),
    ),
    (
        "episodes",
        _rule(
            rf"{_S}\s+(?:has how many|have how many|how many|number of|total)\s+(?:episodes?|"
            rf"eps?)(?:\s+(?:does it have|are there|total))?"
        ),
    ),
    (
        "episodes",
        _rule(
            rf"(?:whats\s+|what is\s+)?{_S}\s+(?:s\s+)?(?:episode count|ep count|episodes count|number of episodes|"
            rf"episodes|eps|total episodes)"
        ),
    ),
    (
        "episodes",
        _rule(
            rf"(?:whats|what is|what s)\s+(?:the\s+)?(?:episode count|number of episodes|total episodes|"
            rf"ep count)\s+(?:of|for|in)\s+{_S}"
        ),
    ),
    ("episodes", _rule(rf"how long is\s+{_S}")),
    (
        "episodes",
        _rule(
            r"how long\s+(?:is|are|was|were)\s+(?:each|an|one|every|the|a single)?\s*(?:episode|episodes|ep|eps)\s+"
            rf"(?:of|in|for)\s+{_S}"
        ),
    ),
    # network or platform (a genre asked as yes/no first: "is Goblin a romance")
    ("genre", _rule(rf"(?:is|was)\s+{_S}\s+(?:an?\s+)?(?P<genre>{_GENRES})(?:\s+(?:{_DRAMA}|one|genre|story))?")),
    (
        "network",
        _rule(
            rf"(?:what|which|whats)\s+(?:tv\s+)?(?:network|networks|channel|channels|platform|platforms|station|"
            rf"broadcaster|"
            rf"streaming service|streaming platform|streaming site|streamer|service|app|site|ott)\s*"
            rf"(?:is|was|does|did|do|are|were|will|has|had|can i watch|can i see|can i stream|should i watch)?\s*{_S}"
            r"(?:\s+(?:on|air on|aired on|airing on|air|aired|airs|stream on|streaming on|stream|streamed on|streaming|"
            r"broadcast on|"
            r"broadcast|broadcasted|from|in|shown on|show on|released on|release on|come out on|came out on|"
            r"available on|originally))?"
        ),
    ),
    (
        "network",
        _rule(
            rf"(?:where|wheres)\s+(?:can|could|do|should|to|would|did|does|is|was)?\s*(?:i|we|you|one|people)?\s*"
            rf"(?:watch|stream|see|find|view|watching|streaming)?\s*{_S}"
            r"(?:\s+(?:on|air|aired|airing|airs|stream|streaming|streamed|broadcast|broadcasted|shown|available|"
            r"legally|online|from))*"
        ),
    ),
    (
        "network",
        _rule(
            rf"(?:who|which company)\s+(?:aired|airs|streams|streamed|broadcasts|broadcast|broadcasted|released|"
            rf"distributed)\s+{_S}"
        ),
    ),
    (
        "network",
        _rule(
            rf"(?:is|was|did|does|can i watch|can i stream|can you watch)\s+{_S}\s+(?:on|in|air on|aired on|stream on|"
            rf"streaming on|an?|available on|be on)\s+(?P<network>[a-z0-9 +]+?)(?:\s+{_DRAMA}|\s+original|\s+too)?"
        ),
    ),
    (
        "network",
        _rule(
            rf"(?:whats|what is|what was|what are)\s+(?:the\s+)?(?:network|networks|channel|platform|station|"
            rf"broadcaster|streaming service|ott)\s+(?:for|of)\s+{_S}"
        ),
    ),
    ("network", _rule(rf"{_S}\s+(?:s\s+)?(?:network|channel|platform|station|broadcaster|streaming service|ott)")),
    (
        "network",
        _rule(
            r"(?:what|which)\s+(?:network|channel|platform|station|streaming service|service|app)\s+(?:aired|airs|"
            r"streamed|streams|broadcast|broadcasts|broadcasted|had|has|showed|shows|carries|carried|released|has got)"
            rf"\s+{_S}"
        ),
    ),
    # genre
    (
        "genre",
        _rule(
            rf"(?:what|which|whats)\s+(?:genre|genres|kind|type|sort|category|kinds|"
            rf"types)\s+(?:of\s+(?:a\s+)?(?:{_DRAMA}|story|genre)\s+)?"
            rf"(?:is|was|are|does|did)?\s*{_S}(?:\s+(?:be|belong to|fall under|in|about))?"
        ),
    ),
    ("genre", _rule(rf"(?:whats|what is|what are)?\s*{_S}\s+(?:s\s+)?(?:genre|genres|category)")),
    ("genre", _rule(rf"(?:whats|what is|what are)?\s*(?:the\s+)?(?:genre|genres|category)\s+(?:of|for)\s+{_S}")),
    # is S finished
    (
        "finished",
        _rule(
            rf"(?:is|was|has|have)\s+{_S}\s+(?:already\s+|still\s+|fully\s+|completely\s+)?"
            rf"(?:finished|over|done|complete|completed|ended|end|concluded|wrapped up|wrapped|airing|ongoing|on air|"
            rf"on|"
            rf"running|still airing|still on|still going|still running|still ongoing|currently airing|finished airing|"
            rf"done airing|over yet|out|all out|out yet|released|fully released|aired|airing now|coming back|cancelled|"
            rf"canceled|"
            rf"finished yet|done yet|ended yet|completed yet)(?:\s+(?:yet|already|now|airing|or not|or still airing|"
            rf"or airing|all episodes|now))*"
        ),
    ),
    (
        "finished",
        _rule(
            rf"(?:did|does|has)\s+{_S}\s+(?:end|finish|conclude|wrap|stop|end already|finish already|finish airing|"
            rf"end yet|finish yet)(?:\s+(?:yet|already|airing))*"
        ),
    ),
    (
        "finished",
        _rule(
            rf"(?:are|is)\s+(?:all\s+)?(?:the\s+)?(?:episodes|eps)\s+(?:of|for)\s+{_S}\s+(?:out|released|"
            rf"aired)(?:\s+yet)?"
        ),
    ),
    # what is airing today / this week (optionally on one network: "what is on Netflix today")
    (
        "airing_today",
        _rule(_AIRING_LEAD + _AIRING_ON + r"\s*(?:today|tonight|this evening)" + _AIRING_ON_AFTER + _AIRING_TAIL),
    ),
    (
        "airing_today",
        _rule(
            _AIRING_LEAD
            + _AIRING_ON
            + r"\s*(?:(?P<tomorrow>tomorrow|tmrw|tomorrow night)|(?:on\s+|this\s+|next\s+)?(?P<weekday>"
            r"(?:mon|tues|tue|wednes|wed|thurs|thu|fri|satur|sat|sun)(?:day)?s?))" + _AIRING_ON_AFTER + _AIRING_TAIL
        ),
    ),
    (
        "airing_today",
        _rule(r"(?:today s|todays|tonights|today)\s+(?:dramas?|episodes?|schedule|kdramas?|shows?|releases?|airings?)"),
    ),
    (
        "airing_week",
        _rule(
            _AIRING_LEAD
            + _AIRING_ON
            + r"\s*(?:this week|this weekend|the next 7 days|the next seven days|next 7 days|these days|for the week|"
            r"all week|now|right now|currently|at the moment|at present|lately|this season)"
            + _AIRING_ON_AFTER
            + _AIRING_TAIL
        ),
    ),
    (
        "airing_week",
        _rule(
            r"(?:this weeks|this week s|weekly|this week)\s+(?:dramas?|episodes?|schedule|kdramas?|shows?|releases?)"
        ),
    ),
    (
        "airing_week",
        _rule(
            r"(?:what|which|whats|any|list)?\s*(?:dramas?|shows?|kdramas?|series)?\s*(?:is|are|s)?\s*"
            r"(?:currently|now)\s+(?:airing|on air|showing|running|ongoing|out)" + _AIRING_ON
        ),
    ),
    # when does episode N of S air
    (
        "episode_date",
        _rule(
            r"(?:when|what date|what day|what time|which day)\s+(?:is|does|did|will|was|do|s)?\s*(?:the\s+)?"
            rf"(?:episode|ep|eps|e)\s*(?P<number>\d{{1,3}})\s+(?:of|for|in|from)\s+{_S}"
            r"(?:\s+(?:air|aired|airing|come out|came out|coming out|release|released|out|drop|dropped|be out|"
            r"be released|premiere|premiered|broadcast|stream|streamed))?(?:\s+(?:on|in)\s+[a-z0-9+]+)?"
        ),
    ),
    (
        "episode_date",
        _rule(
            r"(?:when|what date|what day|what time|which day)\s+(?:is|does|did|will|was|do|s)?\s*"
            rf"{_S}\s+(?:episode|ep|e)\s*(?P<number>\d{{1,3}})"
            r"(?:\s+(?:air|aired|airing|come out|came out|coming out|release|released|out|drop|dropped|be out))?"
        ),
    ),
    (
        "episode_date",
        _rule(
            rf"(?:whats\s+|what is\s+)?{_S}\s+(?:episode|ep|e)\s*(?P<number>\d{{1,3}})\s*"
            r"(?:air date|release date|date|when|air time|airdate)"
        ),
    ),
    # when does S air next
    (
        "next_episode",
        _rule(
            rf"(?:when|what time|what day|when s|whens)\s+(?:is|does|will|do|s)?\s*(?:the\s+)?(?:next|new|upcoming|"
            rf"latest)\s+"
            rf"(?:episode|ep|eps|episodes)\s+(?:of|for|from|in)?\s*{_S}(?:\s+(?:air|airing|come out|coming out|release|"
            rf"out|drop|dropping|be out|be released))?"
        ),
    ),
    (
        "next_episode",
        _rule(
            rf"(?:when|what time|what day|whens)\s+(?:is|does|will|do)?\s*{_S}\s+(?:s\s+)?(?:next|new|"
            rf"upcoming)\s+(?:episode|ep)"
            r"(?:\s+(?:air|airing|come out|coming out|release|out|drop))?"
        ),
    ),
    (
        "next_episode",
        _rule(
            rf"(?:when|what time|what days?|which days?|whens)\s+(?:is|does|will|do)\s+{_S}\s+"
            r"(?:air next|airing next|on next|next air|"
            rf"air again|on again|come back|back|next|air|airing|on|air its next episode|broadcast|broadcasting|aired|"
            rf"show|stream)"
            r"(?:\s+(?:next|again|this week|today|on|on tv|in korea))?"
        ),
    ),
    ("next_episode", _rule(rf"(?:next|new|upcoming)\s+(?:episode|ep)\s+(?:of|for)\s+{_S}(?:\s+(?:when|date))?")),
    (
        "next_episode",
        _rule(
            rf"(?:whats\s+|what is\s+)?(?:the\s+)?{_S}\s+(?:s\s+)?"
            r"(?:airing days|air days|air day|airing day|schedule|air time|airing time|airing schedule|"
            r"broadcast days|broadcast schedule|release schedule|time slot|timeslot)"
        ),
    ),
    ("next_episode", _rule(rf"{_S}\s+(?:next|new|upcoming)\s+(?:episode|ep)(?:\s+(?:when|date|air date|time))?")),
    ("next_episode", _rule(rf"(?:countdown|count down)\s+(?:to|for|of)\s+{_S}")),
    (
        "next_episode",
        _rule(
            r"(?:whats|what is|what are)\s+(?:the\s+)?"
            r"(?:schedule|air days|airing days|air time|airing schedule|time slot|timeslot|broadcast schedule)"
            rf"\s+(?:of|for)\s+{_S}"
        ),
    ),
    (
        "finale",
        _rule(
            r"(?:when|what date|what day)\s+(?:is|was|does|did|will)\s+(?:the\s+)?"
            rf"{_S}\s+(?:s\s+)?(?:finale|last episode|final episode|ending|last ep|final ep|series finale)"
            r"(?:\s+(?:air|aired|airing|come out|came out|release|released|out|be|be out))?"
        ),
    ),
    # when does S end
    (
        "finale",
        _rule(
            rf"(?:when|what date|what day|what year|which year|which date)\s+(?:is|does|did|will|was|do|s)?\s*{_S}\s+"
            rf"(?:end|ends|ending|ended|finish|finishes|finishing|finished|conclude|concludes|concluded|wrap up|"
            rf"wrapped up|"
            rf"wrap|stop|stopped|stop airing|finish airing|end airing|be over|be finished|over|done|complete|completed|"
            rf"be done|air its last episode|air its final episode|air the last episode|air the final episode|close)"
            r"(?:\s+(?:airing|broadcasting|its run|exactly))?"
        ),
    ),
    (
        "finale",
        _rule(
            rf"(?:when|what date|what day)\s+(?:is|was|does|did|will)?\s*(?:the\s+)?(?:finale|last episode|"
            rf"final episode|"
            rf"ending|end|last ep|final ep|series finale)\s+(?:of|for|in)?\s*{_S}(?:\s+(?:air|aired|airing|come out|"
            rf"release|released|out))?"
        ),
    ),
    (
        "finale",
        _rule(
            rf"{_S}\s+(?:s\s+)?(?:finale|finale date|end date|last episode|final episode|last ep|final ep|"
            rf"ending date)(?:\s+(?:date|when))?"
        ),
    ),
    (
        "finale",
        _rule(
            rf"(?:whats|what is|what was)\s+(?:the\s+)?(?:finale date|end date|ending date|last air date|"
            rf"final air date)\s+(?:of|for)\s+{_S}"
        ),
    ),
    # when does S come out
    (
        "premiere",
        _rule(
            rf"(?:when|what date|what day|what year|which year|which date|when exactly|what month)\s+"
            rf"(?:is|does|did|will|was|do|s|are)?\s*{_S}\s+"
            rf"(?:come out|comes out|came out|coming out|out|premiere|premieres|premiered|premiering|release|released|"
            rf"releases|"
            rf"releasing|start|starts|started|starting|start airing|started airing|begin|begins|began|begin airing|air|"
            rf"aired|"
            rf"airs|airing|first air|first aired|debut|debuts|debuted|launch|launched|drop|dropped|come|be out|"
            rf"be released|"
            rf"get released|from|made|start streaming|broadcast|broadcasted|first broadcast|air first|show|shown|"
            rf"first come out|"
            rf"hit screens|hit netflix|air for the first time)"
            r"(?:\s+(?:first|on tv|in korea|on netflix|exactly|initially|originally|again|airing|streaming))*"
            r"(?:\s+(?:on|in)\s+[a-z0-9+]+(?:\s+[a-z0-9+]+)?)?"
        ),
    ),
    (
        "premiere",
        _rule(
            rf"(?:whats|what is|what was|what s)?\s*(?:the\s+)?(?:release date|premiere date|air date|airdate|"
            rf"start date|"
            rf"release year|premiere|first air date|original air date|debut date|date|year)\s+(?:of|for)\s+{_S}"
        ),
    ),
    (
        "premiere",
        _rule(
            rf"{_S}\s+(?:s\s+)?(?:release date|premiere date|air date|airdate|start date|release year|premiere|"
            rf"first air date|air dates|release|year|dates|date)(?:\s+(?:when|please))?"
        ),
    ),
    ("premiere", _rule(rf"(?:when|what year)\s+(?:was|is|did)\s+{_S}\s+(?:made|filmed|shot|from|set)")),
    ("premiere", _rule(rf"(?:when|whens)\s+(?:is|was)\s+{_S}")),
    (
        "latest",
        _rule(
            rf"(?:whats|what is|what was|which is)?\s*(?:the\s+)?(?:latest|newest|most recent|recent|new|last)\s+"
            rf"{_P}\s+(?:drama|show|series|kdrama|role|work|project)"
        ),
    ),
    (
        "filmography",
        _rule(
            rf"(?:has|have|is|was|did)\s+{_P}\s+"
            r"(?:been in|done|starred in|acted in|appeared in|made|been on|played in)\s+"
            rf"(?:anything|any|other|something|more|many)(?:\s+(?:else|other|{_DRAMA}|before))*"
        ),
    ),
    # A's first drama
    (
        "first",
        _rule(
            rf"(?:whats|what is|what was|which is|which was|what|which)?\s*(?:the\s+)?{_P}\s+(?:s\s+)?(?:first|debut|"
            rf"earliest|oldest)\s+"
            rf"(?:drama|show|series|kdrama|role|work|project|credit)"
        ),
    ),
    (
        "first",
        _rule(
            rf"(?:whats|what is|what was|which is|which was|what|which)?\s*(?:the\s+)?(?:first|debut|earliest|"
            rf"oldest)\s+"
            rf"(?:drama|show|series|kdrama|role|work|credit)\s+(?:of|by|with|from|starring|featuring|for|that)\s+{_P}"
            r"(?:\s+(?:was in|did|starred in|acted in|appeared in|made|directed|wrote))?"
        ),
    ),
    # A's latest drama
    (
        "latest",
        _rule(
            rf"(?:whats|what is|what was|what are|which is|which was|what|which)?\s*{_P}\s+(?:s\s+)?"
            rf"(?:latest|newest|most recent|last|new|recent|current|upcoming|next|latest new)\s+"
            rf"(?:drama|show|series|kdrama|role|work|project|appearance|credit|one)"
        ),
    ),
    (
        "latest",
        _rule(
            rf"(?:whats|what is|what was|which is|which was|what|which)?\s*(?:the\s+)?(?:latest|newest|most recent|"
            rf"last|new|recent)\s+"
            rf"(?:drama|show|series|kdrama|role|work|project|credit)\s+(?:of|by|with|from|starring|featuring|for|"
            rf"that)\s+{_P}"
            r"(?:\s+(?:was in|is in|did|starred in|acted in|appeared in|was on|has done|has been in|made|directed|"
            r"wrote))?"
        ),
    ),
    (
        "latest",
        _rule(
            rf"(?:what|which)\s+(?:is|was)\s+{_P}\s+(?:in|on|doing|filming|working on|starring in|acting in)\s+"
            rf"(?:now|right now|currently|lately|these days|at the moment|recently|next)"
        ),
    ),
    (
        "latest",
        _rule(
            rf"(?:what|which)\s+(?:drama|show|series)\s+(?:is|was|did)\s+{_P}\s+(?:in|on|do|star in|act in)\s+"
            rf"(?:last|lately|recently|most recently|now|right now|currently)"
        ),
    ),
    # what else has A been in
    (
        "filmography",
        _rule(
            rf"(?:what|which|where)\s+(?:else|other|other\s+{_DRAMA}|{_DRAMA}|movies and dramas|else\s+{_DRAMA})\s+"
            rf"(?:has|have|is|was|did|does|had|do|can i see|can i watch|should i watch)\s+{_P}\s*"
            rf"(?:been in|been on|starred in|acted in|appeared in|played in|done|do|did|in|on|made|worked on|directed|"
            rf"written|wrote|write|direct|star in|act in|appear in|be in|played|been|featured in|starring|starred)?"
            r"(?:\s+(?:before|too|also|else|as well|so far|lately|recently|after that))*"
        ),
    ),
    (
        "filmography",
        _rule(
            rf"(?:what|which)\s+(?:has|have|did|else has|else did|else is|else was|is|was)\s+{_P}\s+"
            rf"(?:been in|been on|starred in|acted in|appeared in|done|directed|written|wrote|worked on|made|known for|"
            rf"famous for)"
            r"(?:\s+(?:before|too|also|else|as well|so far))*"
        ),
    ),
    (
        "filmography",
        _rule(
            rf"(?:where|in what)\s+(?:have|has|did)\s+(?:i|we|you)\s+(?:seen|see|heard|watched)\s+{_P}(?:\s+before)?"
        ),
    ),
    (
        "filmography",
        _rule(
            rf"(?:list|show me|show|give me|any|recommend|other|more|all|find)?\s*(?:of\s+)?(?:the\s+)?(?:other\s+|"
            rf"more\s+|all\s+)?"
            rf"(?:{_DRAMA}|works|credits|roles|filmography|movies and dramas)\s+(?:with|starring|by|of|featuring|from|"
            rf"directed by|written by)\s+{_P}"
        ),
    ),
    (
        "filmography",
        _rule(
            rf"{_P}\s+(?:s\s+)?(?:{_DRAMA}|filmography|credits|works|roles|other {_DRAMA}|drama list|list of dramas)"
        ),
    ),
    # who is in S
    (
        "cast",
        _rule(
            rf"(?:who|whos)\s+(?:all\s+)?(?:is|are|was|were|stars|starred|starring|acts|acted|plays|played|appears|"
            rf"appeared|"
            rf"is acting|was acting|is starring|was starring|else is|else was|did|does|did they cast|is cast|was cast|"
            rf"got cast)?\s*"
            rf"(?:all\s+)?(?:in|on)\s+(?:the\s+cast\s+of\s+)?{_S}"
        ),
    ),
    (
        "cast",
        _rule(
            rf"(?:whats|what is|what s|who are|whos|who is|list|show me|give me|tell me)?\s*(?:the\s+)?(?:full\s+|"
            rf"main\s+|whole\s+)?"
            rf"(?:cast|cast list|casting|actors|actresses|actors and actresses|stars|lineup|leads|main leads|"
            rf"characters|members)\s+"
            rf"(?:of|for|in|on)\s+{_S}"
        ),
    ),
    ("cast", _rule(rf"(?:who|whos)\s+(?:stars|starred|starring)\s+{_S}")),
    (
        "cast",
        _rule(
            rf"(?:whats|what is|who is|who are|whos)?\s*{_S}\s+(?:s\s+)?(?:full\s+|main\s+)?(?:cast|"
            rf"cast list|actors|leads|stars|casting)"
        ),
    ),
    (
        "cast",
        _rule(
            rf"(?:which|what)\s+(?:actors|actresses|people|idols)\s+(?:are|were|is|was|star|starred|act|acted|appear|"
            rf"appeared)\s+(?:in|on)\s+{_S}"
        ),
    ),
    # which drama a character is from
    (
        "actor_of_character",
        _rule(
            rf"(?:what|which)\s+{_DRAMA}\s+(?:is|was|are|were)\s+(?:the\s+)?(?:character\s+|role\s+)?{_REST}\s+"
            r"(?:from|in|a character in|a character from)"
        ),
    ),
    (
        "actor_of_character",
        _rule(
            rf"(?:what|which|in which|in what)\s+{_DRAMA}\s+"
            r"(?:has|had|have|features|featured|is there|was there|with)?\s*"
            r"(?:a\s+|the\s+)?(?:character|role|char)\s+(?:of\s+|named\s+|called\s+)?" + _REST
        ),
    ),
    # last, as it matches almost anything after "who is": a person's dramas
    ("filmography", _rule(rf"(?:who|whos)\s+(?:is|was)\s+{_P}")),
]


def answer(question: str, catalog: Catalog, *, guild_id: int | None, now: dt.datetime) -> Answer:
    """Answer a drama question from the catalog, or say plainly that the catalog does not know."""
    text = question.strip()[:QUESTION_LIMIT]
    folded = _fold(text)
    if not folded:
        return _decline("unknown", "Ask me something about a drama, for example “who directed Signal?”.")
    ctx = _Context(catalog, guild_id, now, folded)
    first: Answer | None = None
    for intent, pattern in _RULES:
        match = pattern.match(folded)
        if match is None:
            continue
        groups = {k: v for k, v in match.groupdict().items() if v}
        result = _HANDLERS[intent](ctx, groups)
        if result.found:
            return result
        # Of the readings that failed, report one that at least found the drama or person asked about.
        if first is None or (not (first.show_ids or first.person_ids) and (result.show_ids or result.person_ids)):
            first = result
    if first is not None:
        return first
    return _fallback(ctx, folded)


def prepare(catalog: Catalog) -> None:
    """Build the character and people lookups now, so that the first question is not the slow one."""
    _character_index(catalog)
    _people_index(catalog)


def _fold(text: str) -> str:
    """The question as the rules read it: `normalize`d, with "'s" kept as its own word and filler cut."""
    text = re.sub(r"(?<=\w)['’`´]s\b", " s", text)  # "So Hee's" -> "so hee s"; "who's" -> "who s"
    folded = normalize(text)
    folded = re.sub(r"\b(who|what|when|where|how|it|that|there|here)\s+s\b", r"\1s", folded)  # "who s" -> "whos"
    folded = re.sub(r"\b(k) (drama|dramas)\b", r"\1\2", folded)
    folded = re.sub(r"^(?:whats|what is|what was)\s+(?:the\s+)?(?:name|names)\s+of\s+", "what is ", folded)
    folded = re.sub(r"\s+(?:thanks|thank you|thx|ty|please|pls|plz|lol|haha|btw|anyway)$", "", folded)
    # "ok so who directed Goblin": greetings and fillers go, but only before a question word, since names and
    # titles begin with such words too (Ok Jin Uk, "Hello, My Twenties!").
    lead = _GREETING.match(folded)
    if lead and _QUESTION_START.match(folded[lead.end() :]):
        folded = folded[lead.end() :]
    return folded.strip()


_GREETING = re.compile(
    r"^(?:(?:hey|hi|hello|yo|ok|okay|so|um|uh|and|also|quick question|quick q|question|dramabot|bot|please|pls|"
    r"plz|guys|everyone|all|btw|oh|wait|hmm|ah|omg|lol|wow|ugh|sorry|excuse me|friends|chingus|unnie|oppa)\s+)+"
)
_QUESTION_START = re.compile(
    r"(?:who|whos|what|whats|when|whens|where|wheres|which|how|is|are|was|were|does|did|do|has|have|can|could|"
    r"would|will|tell|list|any|anything|show|give|name|find|in|on)\b"
)


def _fallback(ctx: _Context, folded: str) -> Answer:
    """No phrasing matched: if the question is only a show's or a person's name, say what we have on it."""
    show = ctx.find_show(folded)
    if show is not None and show.sure:
        item = ctx.show(show)
        return Answer(
            f"I am not sure what you want to know about {_label(item)}; /drama {item.title} shows its card, "
            "or ask me who is in it, who directed it, or when it aired.",
            "unknown",
            False,
            (item.id,),
        )
    return _decline(
        "unknown",
        "I did not understand that question. I can answer things like “who plays Lee Eun Soo in Soundtrack #1?”, "
        "“who directed Signal?”, “when does Vincenzo end?” or “what else has Han So Hee been in?”; "
        "/drama and /person show full cards.",
    )


# -- splitting "character in show" -----------------------------------------------------------------------------


def _splits(rest: str) -> Iterator[tuple[str, str]]:
    """Each way to cut "X in S" into X and S, at every "in"/"on"/"from"/"of", then X alone."""
    words = _words(rest)
    for i, word in enumerate(words):
        if word in ("in", "on", "from", "of", "for") and 0 < i < len(words) - 1:
            yield " ".join(words[:i]), " ".join(words[i + 1 :])
    yield rest, ""


def _character_keys(character: str) -> list[tuple[str, float]]:
    """The keys a character is asked by, each with its penalty: the full name, the given name, a first name."""
    keys: list[tuple[str, float]] = []
    for name in [w for w in re.split(r"\s*/\s*|\s*\(|\)", character) if w.strip()] or [character]:
        words = normalize(name).split()
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
    for spelling, folded in _ROMANIZATION:
        key = key.replace(spelling, folded)
    return key


class _PeopleIndex:
    """People by romanization-folded full name and by given name, for names the search index misses."""

    def __init__(self, catalog: Catalog, fingerprint: tuple[object, ...]) -> None:
        self.fingerprint = fingerprint
        self.full: dict[str, list[int]] = {}
        self.given: dict[str, list[int]] = {}
        for person in catalog.people.values():
            for name in person.all_names:
                words = normalize(name).split()
                if not words or not words[0].isascii():
                    continue
                self.full.setdefault(_romanized("".join(words)), []).append(person.id)
                if len(words) >= 2:
                    self.given.setdefault(_romanized("".join(words[1:])), []).append(person.id)
        for table in (self.full, self.given):
            for key, ids in table.items():
                table[key] = list(dict.fromkeys(ids))


_PEOPLE_INDEXES: weakref.WeakKeyDictionary[Catalog, _PeopleIndex] = weakref.WeakKeyDictionary()


def _people_index(catalog: Catalog) -> _PeopleIndex:
    fingerprint = (len(catalog.people), sum(map(id, catalog.people.values())))
    index = _PEOPLE_INDEXES.get(catalog)
    if index is None or index.fingerprint != fingerprint:
        index = _PeopleIndex(catalog, fingerprint)
        _PEOPLE_INDEXES[catalog] = index
    return index


class _CharacterIndex:
    """Every cast credit's character keys in one flat list, so rapidfuzz can score them all in one C call."""

    def __init__(self, catalog: Catalog, fingerprint: tuple[object, ...]) -> None:
        self.fingerprint = fingerprint
        self.keys: list[str] = []
        self.owners: list[tuple[Credit, float]] = []
        for show_id in catalog.shows:
            for credit in catalog.credits_of_show(show_id, CreditKind.CAST):
                if credit.character:
                    for key, penalty in _character_keys(credit.character):
                        self.keys.append(_romanized(key))
                        self.owners.append((credit, penalty))


_CHARACTER_INDEXES: weakref.WeakKeyDictionary[Catalog, _CharacterIndex] = weakref.WeakKeyDictionary()


def _character_index(catalog: Catalog) -> _CharacterIndex:
    """The catalog's character index, rebuilt when a show was added, removed or edited since it was built."""
    stamps = [show.updated_at for show in catalog.shows.values() if show.updated_at is not None]
    fingerprint = (
        len(catalog.shows),
        len(catalog.people),
        max(stamps, default=None),
        sum(map(id, catalog.shows.values())),
    )
    index = _CHARACTER_INDEXES.get(catalog)
    if index is None or index.fingerprint != fingerprint:
        index = _CharacterIndex(catalog, fingerprint)
        _CHARACTER_INDEXES[catalog] = index
    return index


@dataclass(frozen=True, slots=True)
class _Role:
    credit: Credit
    score: float


def _character_span(span: str) -> str:
    """A character as asked, without a leading article: "the grim reaper" is the character Grim Reaper."""
    return re.sub(r"^(?:the|a|an)\s+(?=\S)", "", span.strip())


def _roles_in_show(ctx: _Context, show_id: int, span: str) -> list[_Role]:
    span = _character_span(span)
    roles = [
        _Role(c, _character_score(span, c.character))
        for c in ctx.catalog.credits_of_show(show_id, CreditKind.CAST)
        if c.character
    ]
    return sorted((r for r in roles if r.score >= CHARACTER_FLOOR), key=lambda r: -r.score)


def _roles_anywhere(ctx: _Context, span: str) -> list[_Role]:
    want = normalize(_character_span(span)).replace(" ", "")
    if len(want) < 4:
        return []
    want = _romanized(want)
    index = _character_index(ctx.catalog)
    found: dict[tuple[int, int], _Role] = {}
    for _key, ratio, position in process.extract(
        want, index.keys, scorer=fuzz.ratio, score_cutoff=CHARACTER_ANYWHERE_FLOOR, limit=None
    ):
        credit, penalty = index.owners[position]
        show = ctx.catalog.shows.get(credit.show_id)
        score = ratio - penalty
        if show is None or not ctx.catalog.visible(show, ctx.guild_id) or score < CHARACTER_ANYWHERE_FLOOR:
            continue
        slot = (credit.show_id, credit.person_id)
        if slot not in found or found[slot].score < score:
            found[slot] = _Role(credit, score)
    shows = ctx.catalog.shows

    def popularity(role: _Role) -> tuple[bool, int]:
        rank = shows[role.credit.show_id].popularity_rank
        return (rank is None, rank or 0)

    return sorted(found.values(), key=lambda r: (-r.score, popularity(r)))


# -- handlers ------------------------------------------------------------------------------------------------------


def _show_intent(
    intent: str, body: Callable[[_Context, Show, _Match], Answer]
) -> Callable[[_Context, dict[str, str]], Answer]:
    """Wrap a handler that needs one show: resolve it, say so when it is missing, note an assumption."""

    def handler(ctx: _Context, groups: dict[str, str]) -> Answer:
        span = groups.get("show", "")
        match = ctx.find_show(span)
        if match is None:
            return _no_show(intent, span)
        show = ctx.show(match)
        result = body(ctx, show, match)
        lead, others = _assumed_show(ctx, match)
        if lead:
            return Answer(lead + result.text, result.intent, result.found, result.show_ids, result.person_ids, others)
        return result

    return handler


def _crew(kind: CreditKind, verb: str, intent: str) -> Callable[[_Context, Show, _Match], Answer]:
    def body(ctx: _Context, show: Show, _match: _Match) -> Answer:
        credits = ctx.catalog.credits_of_show(show.id, kind)
        if not credits:
            return _decline(
                intent,
                f"The catalog does not say who {verb} {show.title}; /drama {show.title} shows what it has.",
                shows=(show.id,),
            )
        names = list(dict.fromkeys(c.person_name for c in credits))
        ids = tuple(dict.fromkeys(c.person_id for c in credits))
        text = f"{_label(show)} was {verb} by {_list(names)}."
        # "Who made it?" asks for the makers, not one credit: name the writers beside the directors.
        if kind is CreditKind.DIRECTOR and re.search(
            r"\b(?:made|created|creator|makers?|behind|produc\w+)\b", ctx.question
        ):
            writers = list(
                dict.fromkeys(c.person_name for c in ctx.catalog.credits_of_show(show.id, CreditKind.WRITER))
            )
            if writers:
                text = text[:-1] + f" and written by {_list(writers)}."
        return Answer(text, intent, True, (show.id,), ids)

    return body


def _cast_body(ctx: _Context, show: Show, _match: _Match) -> Answer:
    cast = ctx.catalog.credits_of_show(show.id, CreditKind.CAST)
    if not cast:
        return _decline(
            "cast",
            f"The catalog has no cast for {show.title}; /drama {show.title} shows what it has.",
            shows=(show.id,),
        )
    main = [c for c in cast if c.role is Role.MAIN] or cast[:4]
    lines = [_cast_part(c) for c in main]
    support = [c for c in cast if c not in main]
    text = f"The main cast of {_label(show)}: {_list(lines, 6)}."
    if support:
        text += f" Also starring {_list([c.person_name for c in support], 4)}."
    ids = tuple(dict.fromkeys(c.person_id for c in cast))
    return Answer(text, "cast", True, (show.id,), ids)


def _cast_part(credit: Credit) -> str:
    return f"{credit.person_name} as {credit.character}" if credit.character else credit.person_name


def _episodes_body(ctx: _Context, show: Show, _match: _Match) -> Answer:
    if not show.episode_count:
        return _decline(
            "episodes",
            f"The catalog does not know how many episodes {show.title} has; try /drama {show.title}.",
            shows=(show.id,),
        )
    count = show.episode_count
    status = schedule.status_at(show, ctx.catalog.episodes_of(show.id), ctx.now)
    verb = "has" if status is not Status.UPCOMING else "will have"
    length = f" of about {show.episode_minutes} minutes each" if show.episode_minutes else ""
    return Answer(
        f"{_label(show)} {verb} {count} episode{'s' if count != 1 else ''}{length}.", "episodes", True, (show.id,)
    )


def _network_body(ctx: _Context, show: Show, _match: _Match, asked: str = "") -> Answer:
    if not show.networks:
        return _decline(
            "network",
            f"The catalog does not say which network or platform {show.title} is on; try /drama {show.title}.",
            shows=(show.id,),
        )
    networks = _list(list(show.networks))
    status = schedule.status_at(show, ctx.catalog.episodes_of(show.id), ctx.now)
    verb = {Status.FINISHED: "aired on", Status.UPCOMING: "will air on"}.get(status, "airs on")
    text = f"{_label(show)} {verb} {networks}."
    if asked:  # the catalog's spellings of the networks asked about, "|"-separated
        on_it = any(name in show.networks for name in asked.split("|"))
        text = ("Yes: " if on_it else "Not as far as the catalog knows: ") + text
    return Answer(text, "network", True, (show.id,))


def _genre_body(ctx: _Context, show: Show, _match: _Match, asked: str = "") -> Answer:
    if not show.genres:
        return _decline(
            "genre", f"The catalog has no genres for {show.title}; try /drama {show.title}.", shows=(show.id,)
        )
    genres = list(show.genres)
    text = f"{_label(show)} is listed as {_list(genres)}."
    if asked:
        wanted = {
            "romantic": "romance",
            "romcom": "romance",
            "rom com": "romance",
            "sageuk": "historical",
            "legal": "law",
            "scifi": "sci fi",
            "science fiction": "sci fi",
            "slice of life": "life",
        }.get(asked, asked)
        names = [normalize(g) for g in genres]
        hit = any(wanted == n or wanted in n.split() for n in names) or (
            asked in ("romcom", "rom com") and {"romance", "comedy"} <= set(names)
        )
        text = ("Yes: " if hit else "Not by the catalog's genres: ") + text
    return Answer(text, "genre", True, (show.id,))


def _run_text(ctx: _Context, show: Show) -> str | None:
    """ "premiered on 2022-03-23 and ended on 2022-04-13", from the schedule, tensed against now."""
    sched = schedule.build_schedule(show, ctx.catalog.episodes_of(show.id))
    first = sched.first_episode()
    today = _today(ctx.now)
    parts: list[str] = []
    if first is not None:
        started = first.aired_by <= ctx.now or first.air_date < today
        parts.append(f"{'premiered' if started else 'premieres'} on {_moment(first)}")
    elif show.premiere:
        parts.append(f"{'premiered' if show.premiere <= today else 'premieres'} on {_date(show.premiere)}")
    final = sched.final_episode()
    if final is not None and first is not None and final.number != first.number and final.air_date == first.air_date:
        parts[-1] += f" with all {sched.total or final.number} episodes at once"
    elif final is not None and (first is None or final.number != first.number):
        ended = final.aired_by <= ctx.now
        parts.append(f"{'ended' if ended else 'is due to end'} on {_moment(final)}")
    elif show.finale and (not show.premiere or show.finale != show.premiere):
        parts.append(f"{'ended' if show.finale < today else 'is due to end'} on {_date(show.finale)}")
    if not parts:
        return None
    return " and ".join(parts)


def _premiere_body(ctx: _Context, show: Show, _match: _Match) -> Answer:
    run = _run_text(ctx, show)
    if run is None or not (show.premiere or ctx.catalog.episodes_of(show.id)):
        return _decline(
            "premiere",
            f"The catalog does not know when {show.title} premieres; try /countdown {show.title}.",
            shows=(show.id,),
        )
    where = f" on {_list(list(show.networks))}" if show.networks else ""
    for verb in ("premiered", "premieres"):
        run = run.replace(f"{verb} on", f"{verb}{where} on", 1)
    return Answer(
        f"{_label(show)} {run}.",
        "premiere",
        True,
        (show.id,),
    )


def _finale_body(ctx: _Context, show: Show, _match: _Match) -> Answer:
    sched = schedule.build_schedule(show, ctx.catalog.episodes_of(show.id))
    final = sched.final_episode()
    if final is None and not show.finale:
        status = sched.status_at(ctx.now)
        return _decline(
            "finale",
            f"The catalog does not know when {show.title} ends"
            f"{' (it is still airing)' if status is Status.AIRING else ''}; try /countdown {show.title}.",
            shows=(show.id,),
        )
    if final is not None:
        ended = final.aired_by <= ctx.now
        verb = "ended" if ended else "is due to end"
        text = f"{_label(show)} {verb} on {_moment(final)} with episode {final.number}."
    else:
        assert show.finale is not None
        ended = show.finale < _today(ctx.now)
        text = f"{_label(show)} {'ended' if ended else 'is due to end'} on {_date(show.finale)}."
    if show.premiere:
        text = text[:-1] + f" (it premiered on {_date(show.premiere)})."
    return Answer(text, "finale", True, (show.id,))


def _next_body(ctx: _Context, show: Show, _match: _Match) -> Answer:
    count = schedule.countdown(show, ctx.catalog.episodes_of(show.id), ctx.now)
    kind = count.kind
    if kind is schedule.CountdownKind.FINISHED:
        run = _run_text(ctx, show)
        tail = f": it {run}" if run else ""
        return Answer(
            f"{_label(show)} has finished airing{tail}, so there is no next episode.", "next_episode", True, (show.id,)
        )
    if kind is schedule.CountdownKind.UNKNOWN or count.moment is None or count.air_date is None:
        return _decline(
            "next_episode",
            f"The catalog does not know when {show.title} airs next; try /countdown {show.title}.",
            shows=(show.id,),
        )
    when = (
        f"{schedule.discord_timestamp(count.moment, 'F')} ({schedule.discord_timestamp(count.moment, 'R')})"
        if count.exact
        else f"{_date(count.air_date)} (Korea date)"
    )
    of = f" of {count.total}" if count.total else ""
    slot = _air_days(show)
    if kind is schedule.CountdownKind.PREMIERE:
        return Answer(f"{_label(show)} premieres on {when}.{slot}", "next_episode", True, (show.id,))
    text = f"Episode {count.episode}{of} of {_label(show)} airs on {when}.{slot}"
    return Answer(text, "next_episode", True, (show.id,))


def _air_days(show: Show) -> str:
    """ " It airs on Sat and Sun." when the catalog knows the weekly slot, else nothing."""
    if not show.air_days:
        return ""
    return f" It airs on {_list(list(show.air_day_names))}."


def _episode_date(ctx: _Context, groups: dict[str, str]) -> Answer:
    """When episode N of a show airs or aired: from the schedule, which knows catalog rows and the weekly slot."""
    number = int(groups.get("number", "0"))

    def body(ctx: _Context, show: Show, _match: _Match) -> Answer:
        sched = schedule.build_schedule(show, ctx.catalog.episodes_of(show.id))
        if number < 1 or (sched.total is not None and number > sched.total):
            return Answer(f"{_label(show)} has only {sched.total} episodes.", "episode_date", True, (show.id,))
        for episode in sched.episodes():
            if episode.number == number:
                aired = episode.aired_by <= ctx.now
                return Answer(
                    f"Episode {number} of {_label(show)} {'aired' if aired else 'airs'} on {_moment(episode)}.",
                    "episode_date",
                    True,
                    (show.id,),
                )
            if episode.number > number and not sched.is_finite():
                break
        return _decline(
            "episode_date",
            f"The catalog does not know when episode {number} of {show.title} airs; try /countdown {show.title}.",
            shows=(show.id,),
        )

    return _show_intent("episode_date", body)(ctx, groups)


def _finished_body(ctx: _Context, show: Show, match: _Match) -> Answer:
    episodes = ctx.catalog.episodes_of(show.id)
    status = schedule.status_at(show, episodes, ctx.now)
    run = _run_text(ctx, show)
    tail = f": it {run}" if run else ""
    # "Is it still airing?" and "is it finished?" want opposite yes/no words for the same fact. The title is cut
    # out first: "Crash Landing on You" must not read as "on air".
    question = ctx.question.replace(match.span, " ", 1)
    if re.search(r"\b(?:out|released|started|premiered|aired)\b", question):
        yes_when = {Status.FINISHED, Status.AIRING}  # "is it out yet?"
    elif re.search(r"\b(?:finished|done|stopped|ended|completed|over)\s+(?:airing|running)\b", question):
        yes_when = {Status.FINISHED}  # "has it finished airing?"
    elif re.search(r"\b(?:airing|ongoing|on air|running|still on|still going|on)\b", question):
        yes_when = {Status.AIRING}  # "is it still airing?"
    else:
        yes_when = {Status.FINISHED}  # "is it finished?"

    def reply(fact: str) -> Answer:
        word = "Yes" if status in yes_when else "No"
        return Answer(f"{word}, {_label(show)} {fact}.", "finished", True, (show.id,))

    if status is Status.FINISHED:
        return reply(f"has finished{tail}")
    if status is Status.UPCOMING:
        return reply(f"has not started yet{tail}")
    if status is Status.AIRING:
        upcoming = schedule.next_episode_after(show, episodes, ctx.now)
        nxt = f"; episode {upcoming.number} airs on {_moment(upcoming)}" if upcoming else ""
        return reply(f"is still airing{nxt}")
    return _decline(
        "finished",
        f"The catalog does not know whether {show.title} has finished; try /countdown {show.title}.",
        shows=(show.id,),
    )


def _split_networks(ctx: _Context, show_span: str, asked: str) -> tuple[str, list[str]] | None:
    """Cut "crash landing on you on tvn or netflix" into the show and the networks the catalog knows.

    The pattern cut at the first "on"; titles hold "on" too, so every later "on" is tried, the last first.
    """
    words = f"{show_span} on {asked}".split()
    for cut in range(len(words) - 1, 0, -1):
        if words[cut] not in ("on", "in"):
            continue
        names = [n for n in re.split(r"\s+(?:or|and|n)\s+|\s*&\s*", " ".join(words[cut + 1 :])) if n.strip()]
        known = [_known_network(ctx, name) for name in names]
        if names and all(known):
            return " ".join(words[:cut]), [k for k in known if k]
    return None


def _with_slot(body: Callable[..., Answer], slot: str) -> Callable[[_Context, dict[str, str]], Answer]:
    """A show handler that also reads a yes/no slot ("is S on Netflix", "is S a romance")."""
    intent = {"network": "network", "genre": "genre"}[slot]

    def handler(ctx: _Context, groups: dict[str, str]) -> Answer:
        asked = groups.get(slot, "")
        if slot == "network" and asked:
            split = _split_networks(ctx, groups.get("show", ""), asked)
            if split is None:
                # "did Crash Landing on You end already": not a network after all; let the other rules try.
                return _decline(intent, f"I do not know a network or platform called “{asked}”.")
            groups = {**groups, "show": split[0]}
            asked = "|".join(split[1])
        return _show_intent(intent, lambda c, s, m: body(c, s, m, asked))(ctx, groups)

    return handler


def _character_of_actor(ctx: _Context, groups: dict[str, str]) -> Answer:
    """Which character A plays (in S): the span is split where the show starts, each way scored."""
    intent = "character_of_actor"
    options: list[tuple[str, str]] = []
    if "show" in groups:
        options.append((groups.get("rest", ""), groups["show"]))
    options.extend(_splits(groups.get("rest", "")))
    best: tuple[tuple[float, ...], _Match, _Match | None] | None = None
    for person_span, show_span in options:
        person = ctx.find_person(person_span)
        if person is None:
            continue
        show = ctx.find_show(show_span) if show_span else None
        if show_span and show is None:
            continue
        in_show = show is not None and any(
            c.person_id == person.best for c in ctx.catalog.credits_of_show(show.best, CreditKind.CAST)
        )
        rank = (in_show, person.score >= 100.0, person.sure, show is not None and show.sure, person.score)
        if best is None or rank > best[0]:
            best = (rank, person, show)
    if best is None:
        span = groups.get("rest", "")
        return _no_person(intent, span)
    _, person_match, show_match = best
    person = ctx.person(person_match)
    lead, others = _assumed_person(ctx, person_match)
    roles = [c for c in ctx.visible_credits(person.id) if c.kind is CreditKind.CAST]
    if show_match is not None:
        show = ctx.show(show_match)
        in_show = [c for c in roles if c.show_id == show.id]
        if not in_show:
            crew = [c for c in ctx.visible_credits(person.id) if c.show_id == show.id]
            if crew:
                return Answer(
                    f"{lead}{person.name} is credited as {crew[0].kind.value} of {_label(show)}, not in its cast.",
                    intent,
                    True,
                    (show.id,),
                    (person.id,),
                    others,
                )
            return _decline(
                intent,
                f"{lead}The catalog does not list {person.name} in the cast of {_label(show)}; "
                f"/drama {show.title} shows who is.",
                shows=(show.id,),
                people=(person.id,),
            )
        credit = in_show[0]
        if not credit.character:
            return _decline(
                intent,
                f"{lead}{person.name} is in the cast of {_label(show)}, but the catalog does not name the character.",
                shows=(show.id,),
                people=(person.id,),
            )
        show_lead, show_others = _assumed_show(ctx, show_match)
        return Answer(
            f"{lead}{show_lead}{person.name} plays {credit.character} in {_label(show)}.",
            intent,
            True,
            (show.id,),
            (person.id,),
            others + show_others,
        )
    named = [c for c in roles if c.character]
    if not named:
        return _decline(
            intent,
            f"{lead}The catalog has no named roles for {person.name}; try /person {person.name}.",
            people=(person.id,),
        )
    parts = [
        f"{c.character} in {c.show_title}" + (f" ({c.show_premiere.year})" if c.show_premiere else "") for c in named
    ]
    return Answer(
        f"{lead}{person.name} has played {_list(parts, 6)}.",
        intent,
        True,
        tuple(dict.fromkeys(c.show_id for c in named)),
        (person.id,),
        others,
    )


# "Who plays the main character in S" asks for the leads, which the catalog marks as main cast.
_LEAD_ROLE = re.compile(
    r"^(?:the\s+)?(?:main|lead|leading|male|female|second|2nd|title)?\s*(?:lead|leads|character|characters|role|roles|"
    r"protagonist|protagonists|hero|heroine|actor|actress|couple|ml|fl|star|stars)(?:\s+(?:role|character|actor))?$"
)


def _actor_of_character(ctx: _Context, groups: dict[str, str]) -> Answer:
    """Who plays C (in S): C is matched against S's characters, or every character when S is not named."""
    intent = "actor_of_character"
    rest = groups.get("rest", "")
    best: tuple[tuple[float, ...], _Match, list[_Role]] | None = None
    unmatched_show: _Match | None = None
    options = list(_splits(rest))
    if "show" in groups:  # "in Business Proposal, who plays Kang Tae Moo"
        options.insert(0, (rest, groups["show"]))
    for char_span, show_span in options:
        if not show_span:
            continue
        show = ctx.find_show(show_span)
        if show is None:
            continue
        roles = _roles_in_show(ctx, show.best, char_span)
        if not roles:
            if unmatched_show is None or (show.sure and not unmatched_show.sure):
                unmatched_show = show
            continue
        rank = (roles[0].score >= 95, show.sure, roles[0].score + show.score)
        if best is None or rank > best[0]:
            best = (rank, show, roles)
    if best is not None:
        _, show_match, roles = best
        show = ctx.show(show_match)
        top = [r for r in roles if r.score >= roles[0].score - 0.01]
        lead, others = _assumed_show(ctx, show_match)
        characters = list(dict.fromkeys(r.credit.character for r in top))
        ids = tuple(dict.fromkeys(r.credit.person_id for r in top))
        if len(characters) > 1:
            # "Kim" in a show with a Kim Shin and a Kim Sun: name them all rather than pick one.
            parts = [f"{r.credit.character} is played by {r.credit.person_name}" for r in top]
            text = f"{lead}Several characters in {_label(show)} match “{_words_of(rest)}”: {_list(parts, 5)}."
            return Answer(text, intent, True, (show.id,), ids, others)
        people = list(dict.fromkeys(r.credit.person_name for r in top))
        text = f"{lead}In {_label(show)}, {characters[0]} is played by {_list(people)}."
        return Answer(text, intent, True, (show.id,), ids, others)
    # A known person instead of a character ("who is Han So Hee in Soundtrack 1"): say whom they play.
    for person_span, show_span in _splits(rest):
        if show_span and (person := ctx.find_person(person_span)) is not None and person.score >= 100.0:
            return _character_of_actor(ctx, {"rest": person_span, "show": show_span})
    # "who plays in S" / "who is the lead in S": the cast.
    if unmatched_show is not None and unmatched_show.sure:
        char_span, show_span = next(
            ((c, s) for c, s in _splits(rest) if s and ctx.find_show(s) == unmatched_show), (rest, rest)
        )
        if not _edge_variants(char_span) or _LEAD_ROLE.match(char_span):
            return _show_intent("cast", _cast_body)(ctx, {"show": show_span})
        show = ctx.show(unmatched_show)
        return _decline(
            intent,
            f"The catalog has no character called “{char_span.strip()}” in {_label(show)}; "
            f"/drama {show.title} lists its cast.",
            shows=(show.id,),
        )
    roles = _roles_anywhere(ctx, rest)
    if not roles:
        show = ctx.find_show(rest)
        if show is not None and show.sure and show.score >= 100.0:
            return _show_intent("cast", _cast_body)(ctx, {"show": rest})
        return _decline(
            intent,
            f"I could not find a character called “{rest.strip()}” in the catalog; "
            "name the drama too, or try /drama with its title.",
        )
    top = [r for r in roles if r.score >= roles[0].score - 0.01]
    first = top[0].credit
    text = f"{first.character} in {first.show_title}" + (
        f" ({first.show_premiere.year})" if first.show_premiere else ""
    )
    text = f"{text} is played by {first.person_name}."
    others = tuple(f"{r.credit.character} in {r.credit.show_title} ({r.credit.person_name})" for r in top[1:5])
    if others:
        text = (
            f"(I assumed the one in the best-known drama; name the drama to be sure.) {text} "
            f"Other characters by that name: {_list(list(others), 4)}."
        )
    return Answer(text, intent, True, (first.show_id,), (first.person_id,), others)


def _words_of(span: str) -> str:
    return " ".join(_edge_variants(span)[:1]) or span.strip()


def _person_intent(
    intent: str, body: Callable[[_Context, Person], Answer]
) -> Callable[[_Context, dict[str, str]], Answer]:
    def handler(ctx: _Context, groups: dict[str, str]) -> Answer:
        span = groups.get("person", "")
        match = ctx.find_person(span)
        if match is None:
            return _no_person(intent, span)
        result = body(ctx, ctx.person(match))
        lead, others = _assumed_person(ctx, match)
        if lead:
            return Answer(lead + result.text, result.intent, result.found, result.show_ids, result.person_ids, others)
        return result

    return handler


def _credit_part(credit: Credit) -> str:
    year = f" ({credit.show_premiere.year})" if credit.show_premiere else ""
    if credit.kind is CreditKind.CAST:
        return f"{credit.show_title}{year}" + (f" as {credit.character}" if credit.character else "")
    return f"{credit.show_title}{year} ({'director' if credit.kind is CreditKind.DIRECTOR else 'writer'})"


def _filmography_body(ctx: _Context, person: Person) -> Answer:
    credits = ctx.visible_credits(person.id)
    if not credits:
        return _decline(
            "filmography",
            f"The catalog has no credits for {person.name}; try /person {person.name}.",
            people=(person.id,),
        )
    shows = list(dict.fromkeys(c.show_id for c in credits))
    parts = [_credit_part(c) for c in credits]
    count = len(shows)
    text = f"{person.name} has {count} drama{'s' if count != 1 else ''} in the catalog: {_list(parts, LIST_LIMIT)}." + (
        f" /person {person.name} lists them all." if len(parts) > LIST_LIMIT else ""
    )
    return Answer(text, "filmography", True, tuple(shows), (person.id,))


def _dated_credits(ctx: _Context, person: Person) -> list[tuple[dt.date, Credit]]:
    """The person's credits with a premiere date, newest first, one per show."""
    dated: dict[int, tuple[dt.date, Credit]] = {}
    for credit in ctx.visible_credits(person.id):
        if credit.show_premiere is not None and credit.show_id not in dated:
            dated[credit.show_id] = (credit.show_premiere, credit)
    return list(dated.values())


def _latest_body(ctx: _Context, person: Person) -> Answer:
    credits = _dated_credits(ctx, person)
    if not credits:
        return _decline(
            "latest",
            f"The catalog has no dated credits for {person.name}; try /person {person.name}.",
            people=(person.id,),
        )
    premiere, newest = credits[0]
    when = f"premieres on {_date(premiere)}" if premiere > _today(ctx.now) else f"premiered on {_date(premiere)}"
    text = f"{person.name}'s latest drama in the catalog is {_credit_part(newest)}; it {when}."
    if len(credits) > 1:
        text += f" Before that: {_credit_part(credits[1][1])}."
    return Answer(text, "latest", True, (newest.show_id,), (person.id,))


def _first_body(ctx: _Context, person: Person) -> Answer:
    credits = _dated_credits(ctx, person)
    if not credits:
        return _decline(
            "first",
            f"The catalog has no dated credits for {person.name}; try /person {person.name}.",
            people=(person.id,),
        )
    premiere, oldest = credits[-1]
    text = (
        f"{person.name}'s earliest drama in the catalog is {_credit_part(oldest)}, which premiered on "
        f"{_date(premiere)}; earlier work may be missing from the catalog."
    )
    return Answer(text, "first", True, (oldest.show_id,), (person.id,))


def _shared_cast(ctx: _Context, groups: dict[str, str]) -> Answer:
    """Who is credited in both of two shows (cast or crew)."""
    intent = "shared_cast"
    first, second = ctx.find_show(groups.get("show", "")), ctx.find_show(groups.get("show2", ""))
    if first is None:
        return _no_show(intent, groups.get("show", ""))
    if second is None:
        return _no_show(intent, groups.get("show2", ""))
    a, b = ctx.show(first), ctx.show(second)
    if a.id == b.id:
        return _decline(intent, f"Both titles look like {_label(a)} to me; name two different dramas.", shows=(a.id,))
    in_b = {c.person_id for c in ctx.catalog.credits_of_show(b.id)}
    shared = [c for c in ctx.catalog.credits_of_show(a.id) if c.person_id in in_b]
    both = list(
        dict.fromkeys(c.person_name + ("" if c.kind is CreditKind.CAST else f" ({c.kind.value})") for c in shared)
    )
    ids = tuple(dict.fromkeys(c.person_id for c in shared))
    lead = _assumed_show(ctx, first)[0] + _assumed_show(ctx, second)[0]
    if not both:
        return _decline(
            intent,
            f"{lead}The catalog has no one credited in both {_label(a)} and {_label(b)}; /drama shows each cast.",
            shows=(a.id, b.id),
        )
    return Answer(f"{lead}In both {_label(a)} and {_label(b)}: {_list(both, 10)}.", intent, True, (a.id, b.id), ids)


def _seasons_body(ctx: _Context, show: Show) -> Answer:
    """The seasons of a show the catalog holds: titles that continue its title with "Season N" or "Part N"."""
    base = re.sub(r"\s*(?:season|part)\s*\d+$", "", normalize(show.title)).strip()
    seasons = [
        other
        for other in ctx.catalog.visible_shows(ctx.guild_id)
        if normalize(other.title) == base
        or re.fullmatch(rf"{re.escape(base)}\s+(?:season|part)\s*\d+", normalize(other.title))
    ]
    seasons.sort(key=lambda s: (s.premiere or dt.date.max, s.title))
    titles = [_label(s) for s in seasons]
    if len(seasons) <= 1:
        text = f"The catalog has only one season of {_label(show)}; a later season may not be in it yet."
    else:
        text = f"The catalog has {len(seasons)} seasons of {seasons[0].title}: {_list(titles)}."
    return Answer(text, "seasons", True, tuple(s.id for s in seasons))


def _together(ctx: _Context, groups: dict[str, str]) -> Answer:
    intent = "together"
    first = ctx.find_person(groups.get("person", ""))
    second = ctx.find_person(groups.get("person2", ""))
    if first is None:
        return _no_person(intent, groups.get("person", ""))
    if second is None:
        return _no_person(intent, groups.get("person2", ""))
    a, b = ctx.person(first), ctx.person(second)
    if a.id == b.id:
        return _decline(intent, f"Both names look like {a.name} to me; name two different people.", people=(a.id,))
    shows_a = {c.show_id: c for c in ctx.visible_credits(a.id)}
    both = [c for c in ctx.visible_credits(b.id) if c.show_id in shows_a]
    both = list({c.show_id: c for c in both}.values())
    lead = _assumed_person(ctx, first)[0] + _assumed_person(ctx, second)[0]
    alternatives = _assumed_person(ctx, first)[1] + _assumed_person(ctx, second)[1]
    if not both:
        return _decline(
            intent,
            f"{lead}The catalog has no drama with both {a.name} and {b.name}; /person shows each one's credits.",
            people=(a.id, b.id),
        )
    titles = [_label(ctx.catalog.shows[c.show_id]) for c in both]
    verb = "are both in" if len(both) == 1 else "are both in these dramas:"
    return Answer(
        f"{lead}{a.name} and {b.name} {verb} {_list(titles)}.",
        intent,
        True,
        tuple(c.show_id for c in both),
        (a.id, b.id),
        alternatives,
    )


# How fans name platforms whose catalog spelling differs once normalized ("Disney+" folds to "disney").
_NETWORK_ALIASES = {
    "disneyplus": "disney", "primevideo": "amazonprime", "prime": "amazonprime", "amazon": "amazonprime",
    "amazonprimevideo": "amazonprime", "kakao": "daumkakaotv", "kakaotv": "daumkakaotv", "appletv": "appletv",
    "viu": "viutv", "iqiyi": "iqiyi", "tving": "tving", "wavve": "wavve",
}  # fmt: skip


def _known_network(ctx: _Context, asked: str) -> str | None:
    """The catalog's spelling of a network a user named ("netflix" -> "Netflix", "kbs" -> "KBS2"), if any."""
    wanted = normalize(asked).replace(" ", "")
    wanted = _NETWORK_ALIASES.get(wanted, wanted)
    if not wanted:
        return None
    counts: dict[str, int] = {}
    for show in ctx.catalog.visible_shows(ctx.guild_id):
        for name in show.networks:
            counts[name] = counts.get(name, 0) + 1
    exact = [n for n in counts if normalize(n).replace(" ", "") == wanted]
    if exact:
        return exact[0]
    starts = sorted((n for n in counts if normalize(n).replace(" ", "").startswith(wanted)), key=lambda n: -counts[n])
    return starts[0] if starts and len(wanted) >= 3 else None


_WEEKDAY_NAMES = ("mon", "tue", "wed", "thu", "fri", "sat", "sun")


def _airing(days: int, intent: str) -> Callable[[_Context, dict[str, str]], Answer]:
    def handler(ctx: _Context, groups: dict[str, str]) -> Answer:
        asked = groups.get("network") or groups.get("network_after") or ""
        only = _known_network(ctx, asked) if asked else None
        if asked and only is None:
            return _decline(intent, f"I do not know a network or platform called “{asked}”; ask without it.")
        today = _today(ctx.now)
        weekday = groups.get("weekday")
        label_today = "today"
        if weekday:  # "what airs on Friday": the next Friday, today included
            wanted = _WEEKDAY_NAMES.index(weekday[:3])
            today += dt.timedelta(days=(wanted - today.weekday()) % 7)
            label_today = f"on {today.strftime('%A')}"
        elif groups.get("tomorrow"):
            today += dt.timedelta(days=1)
            label_today = "tomorrow"
        last = today + dt.timedelta(days=days - 1)
        start = dt.datetime.combine(today, dt.time(0), SEOUL)
        end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time(0), SEOUL)
        found: list[tuple[tuple[bool, int, dt.datetime], str, int]] = []
        for show in ctx.catalog.visible_shows(ctx.guild_id):
            if only is not None and only not in show.networks:
                continue
            # Only shows whose run can overlap the window: building every schedule would be wasted work.
            if show.premiere is None or show.premiere > last + dt.timedelta(days=1):
                continue
            if show.finale is not None and show.finale < today - dt.timedelta(days=1):
                continue
            try:
                episodes = schedule.episodes_between(show, ctx.catalog.episodes_of(show.id), start, end)
            except ValueError:
                continue
            episodes = [e for e in episodes if today <= e.air_date <= last]
            if not episodes:
                continue
            numbers = ", ".join(str(e.number) for e in episodes[:3]) + ("…" if len(episodes) > 3 else "")
            network = f", {only or show.networks[0]}" if show.networks else ""
            when = f" {schedule.discord_timestamp(episodes[0].air_at, 't')}" if episodes[0].time_known else ""
            label = f"{show.title} (ep {numbers}{network}{when})"
            found.append(
                ((show.popularity_rank is None, show.popularity_rank or 0, episodes[0].air_at), label, show.id)
            )
        window = (
            f"{label_today} ({_date(today)}, Korea time)"
            if days == 1
            else f"this week ({_date(today)} to {_date(last)}, Korea time)"
        )
        if only is not None:
            window = f"on {only} {window}"
        if not found:
            return _decline(
                intent,
                f"No drama in the catalog has an episode {window}; /upcoming lists what airs next, "
                "and /countdown when a particular drama does.",
            )
        found.sort()
        labels = [label for _, label, _ in found]
        return Answer(
            f"Airing {window}, most popular first: {_list(labels, 12)}.", intent, True, tuple(i for _, _, i in found)
        )

    return handler


_HANDLERS: dict[str, Callable[[_Context, dict[str, str]], Answer]] = {
    "together": _together,
    "shared_cast": _shared_cast,
    "seasons": _show_intent("seasons", lambda ctx, show, match: _seasons_body(ctx, show)),
    "character_of_actor": _character_of_actor,
    "actor_of_character": _actor_of_character,
    "cast": _show_intent("cast", _cast_body),
    "director": _show_intent("director", _crew(CreditKind.DIRECTOR, "directed", "director")),
    "writer": _show_intent("writer", _crew(CreditKind.WRITER, "written", "writer")),
    "episodes": _show_intent("episodes", _episodes_body),
    "network": _with_slot(_network_body, "network"),
    "genre": _with_slot(_genre_body, "genre"),
    "finished": _show_intent("finished", _finished_body),
    "next_episode": _show_intent("next_episode", _next_body),
    "episode_date": _episode_date,
    "finale": _show_intent("finale", _finale_body),
    "premiere": _show_intent("premiere", _premiere_body),
    "latest": _person_intent("latest", _latest_body),
    "first": _person_intent("first", _first_body),
    "filmography": _person_intent("filmography", _filmography_body),
    "airing_today": _airing(1, "airing_today"),
    "airing_week": _airing(7, "airing_week"),
}
