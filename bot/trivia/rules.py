"""What a trivia question is and what it may be about: kinds, difficulty, names safe to ask about, points (pure)."""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass
from enum import StrEnum

from bot.errors import InvalidInput
from bot.models import Credit, CreditKind, Role, Show
from bot.text import name_key

OPTIONS = 4
LETTERS = "ABCD"  # how players name the options
DIFFICULTIES = ("easy", "medium", "hard")
# MyDramaList popularity ranks: the top 500 are shows most fans have heard of; past 2,000 only the devoted.
EASY_MAX_RANK = 500
HARD_MIN_RANK = 2000
# Billing: the first four of a main cast are its faces; a supporting role billed past eight is a face in the crowd.
LEAD_BILLING = 4
KNOWN_SUPPORT_BILLING = 8
HARD_OBSCURITY = 2  # how obscure a fact must be (show band plus credit prominence) for a hard question
BASE_POINTS = 100
SPEED_BONUS = 50


class QuestionKind(StrEnum):
    WHO_PLAYS = "who_plays"
    WHICH_CHARACTER = "which_character"
    WHICH_SHOW = "which_show"
    WHO_DIRECTED = "who_directed"
    PREMIERE_YEAR = "premiere_year"
    NETWORK = "network"


class NoTrivia(InvalidInput):
    """The chosen filters leave no question that can be asked with certainty."""


@dataclass(frozen=True, slots=True)
class Question:
    kind: QuestionKind
    text: str
    options: tuple[str, ...]
    answer: int  # index into options
    show_id: int | None
    person_id: int | None
    difficulty: str

    @property
    def answer_text(self) -> str:
        return self.options[self.answer]


def points_for(correct: bool, elapsed: float, limit: float) -> int:
    """Score an answer: 100 when right, plus up to 50 for answering fast; nothing when wrong."""
    if not correct:
        return 0
    if limit <= 0:
        return BASE_POINTS
    left = min(max(1.0 - elapsed / limit, 0.0), 1.0)
    return BASE_POINTS + round(SPEED_BONUS * left)


# -- difficulty ----------------------------------------------------------------------------------------------


def popularity_band(show: Show) -> int:
    """Return 0 for the popular, 1 for the middle, 2 for the obscure or unranked."""
    rank = show.popularity_rank
    if rank is not None and 0 < rank <= EASY_MAX_RANK:
        return 0
    if rank is not None and 0 < rank <= HARD_MIN_RANK:
        return 1
    return 2


def credit_prominence(credit: Credit | None) -> int:
    """Return how far from the spotlight a credit is: 0 a lead, 1 the rest of the main cast, a well-billed
    supporting role or the director, 2 a supporting or guest role billed further down; 0 for a show's own facts.
    """
    if credit is None:
        return 0
    if credit.kind is not CreditKind.CAST:
        return 1  # fans of a show know its director less well than its leads, better than its bit parts
    if credit.role is Role.MAIN:
        return 0 if 0 < credit.billing <= LEAD_BILLING else 1
    if credit.role is Role.SUPPORT and 0 < credit.billing <= KNOWN_SUPPORT_BILLING:
        return 1
    return 2


_LEVELS = {
    (easy, hard): frozenset({"medium"} | ({"easy"} if easy else set()) | ({"hard"} if hard else set()))
    for easy in (False, True)
    for hard in (False, True)
}


def difficulty_levels(*, easy: bool, hard: bool) -> frozenset[str]:
    """Return the difficulties a subject suits: always medium, and easy or hard as its show and role say."""
    return _LEVELS[easy, hard]


_LEVELS_BY_OBSCURITY = tuple(difficulty_levels(easy=level == 0, hard=level >= HARD_OBSCURITY) for level in range(5))


def levels_in_band(band: int, credit: Credit | None = None) -> frozenset[str]:
    """Return the difficulties a fact suits, by how obscure it is: easy only for the best known, hard for the least.

    How obscure, 0 (most fans know it) to 4: the show's `popularity_band` plus the credit's prominence. The
    question's kind does not decide it: "Who directed Goblin?" is about one of the most watched dramas, so it is
    no hard question, while the network of a drama few have heard of may be.
    """
    return _LEVELS_BY_OBSCURITY[band + credit_prominence(credit)]


# -- names ---------------------------------------------------------------------------------------------------


# Words that say what a character is rather than who: a name made only of these is no name to ask about.
_GENERIC_WORDS = frozenset(
    """
    a an the of and or in at on to from with my his her our their your
    himself herself themselves itself self cameo narrator narration extra extras guest voice special appearance
    unknown unnamed mysterious various cast member members
    doctor dr detective inspector officer police policeman policewoman cop agent prosecutor lawyer attorney judge
    teacher professor principal student students nurse surgeon dentist pharmacist vet patient
    mother father mom dad mum mama papa parent parents grandmother grandfather grandma grandpa granny
    son daughter brother sister sibling uncle aunt cousin nephew niece husband wife fiance fiancee
    boyfriend girlfriend friend friends lover ex neighbor neighbour roommate colleague
    man woman men women boy girl child children kid kids baby teen teenager
    young younger old older elder eldest youngest little big middle high school schooler college senior junior
    first second third new real fake
    king queen prince princess crown emperor empress lady lord sir madam mr mrs ms miss master
    secretary manager chef cook boss president ceo chairman chairwoman director team leader chief captain
    general soldier guard bodyguard butler maid nanny assistant intern trainee clerk staff worker employee
    host mc reporter journalist announcer anchor singer idol actor actress writer author pd producer fan
    driver waiter waitress customer owner villager passerby stranger thief gangster killer murderer victim
    suspect witness priest monk nun shaman ghost reaper god goddess angel demon devil fairy vampire zombie
    robot cat dog landlord landlady coach moneylender hoodlum thug citizen assailant attacker caretaker janitor
    classmate psychiatrist psychologist therapist counselor stepdad stepmom stepfather stepmother stepbrother
    stepsister stepson stepdaughter santa referee umpire player athlete
    """.split()
)
# Generic English words that are also the last syllable of Korean given names ("Ko Dong Man", "Ahn Do Young").
_NAME_SYLLABLES = frozenset({"young", "man", "men", "son", "ex", "in", "an", "a", "on"})
# Letters (any script) in words joined by spaces, hyphens, apostrophes or full stops; nothing else.
_PLAIN_NAME = re.compile(r"[^\W\d_]+(?:(?:[ \-'’]|\. ?)[^\W\d_]+)*\.?")
_SEASON_SUFFIX = re.compile(r"(?:\s*(?:season|part|series|chapter|ep\.?)?\s*(?:\d+|[ivx]+))+\s*$")


_WORD_BREAK = re.compile(r"[ \-.]+")
_POSSESSIVE = re.compile(r"['’]s\b")


@functools.lru_cache(maxsize=1 << 16)
def _word_key(word: str) -> str:
    """`name_key` of one word of a character's name: a pool folds some 60,000 words, a few thousand distinct."""
    return name_key(word)


@functools.lru_cache(maxsize=1 << 16)
def _name_words(name: str) -> tuple[str, ...]:
    """The folded words of a character's name (a pool asks twice of each of some 30,000 names)."""
    return tuple(_word_key(word) for word in _WORD_BREAK.split(name) if word)


def character_core(name: str) -> str:
    """The part of a character name that names someone: "Young Lee Eun Soo" and "Detective Lee" shed a word."""
    words = _name_words(name)
    first = 0
    while first < len(words) - 1 and words[first] in _GENERIC_WORDS:
        first += 1
    return "".join(words[first:]) or name_key(name)


def is_plain_character(name: str | None) -> bool:
    """Tell whether a character name is a person's name fit to ask about: no notes, slashes or job titles."""
    if not name or name != name.strip() or not _PLAIN_NAME.fullmatch(name):
        return False
    if _POSSESSIVE.search(name):
        return False  # "Yoo Ri's mother": a description by way of someone else
    words = _name_words(name)
    # Two letters or fewer ("K", "X") is an initial, not a name a player could pick out.
    if len(name_key(name)) <= 2 or all(word in _GENERIC_WORDS for word in words):
        return False
    # "School Nursing Teacher", "Bank Manager": a description ends in a role; a name ("Detective Kim") does not.
    return words[-1] not in _GENERIC_WORDS or words[-1] in _NAME_SYLLABLES


def franchise_key(title: str) -> str:
    """Reduce a title to its series: "Taxi Driver Season 2" and "Taxi Driver" share one key."""
    head = title.casefold().split(":", 1)[0]
    stem = name_key(_SEASON_SUFFIX.sub("", head))
    return stem or name_key(title)


def title_in_text(title: str, year: int | None = None) -> str:
    """Name a show inside a sentence: quoted when its title ends a sentence itself ("Are You Human Too?")."""
    named = f"“{title}”" if title.rstrip().endswith(("?", "!")) else title
    return f"{named} ({year})" if year is not None else named
