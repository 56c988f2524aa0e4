"""Cast trivia: four-option questions built from the catalog's own credits (pure; randomness is passed in).

A `TriviaPool` reads the shows and credits once and keeps only what it can ask about with certainty: a
character with a plain, unique name; an actor credited once in a show; a show with one director or one
network; a title that names one show. Distractors are drawn from the same show first, then from shows of
nearby years, and each is checked against the catalog so that no wrong option is also true.
"""

from __future__ import annotations

import random
import re
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import TYPE_CHECKING, NamedTuple, TypeVar

from rapidfuzz import fuzz

from bot.errors import InvalidInput
from bot.models import Credit, CreditKind, Role, Show
from bot.text import name_key

if TYPE_CHECKING:
    from bot.catalog import Catalog

OPTIONS = 4
DIFFICULTIES = ("easy", "medium", "hard")
# MyDramaList popularity ranks: the top 500 are shows most fans have heard of; past 2,000 only the devoted.
EASY_MAX_RANK = 500
HARD_MIN_RANK = 2000
# A network on fewer shows than this is too obscure to offer as a wrong answer.
COMMON_NETWORK_SHOWS = 5
# Romanisations of one name differ by a letter or two: "Lee Kyu Han" and "Lee Gyu Han" score about 89.
SAME_NAME_RATIO = 80
BASE_POINTS = 100
SPEED_BONUS = 50
# How many random draws a distractor search makes before settling for what it found.
_PROBES = 80
_ATTEMPTS = 40

Row = TypeVar("Row")


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


# -- names -------------------------------------------------------------------------------------------------


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


def character_core(name: str) -> str:
    """The part of a character name that names someone: "Young Lee Eun Soo" and "Detective Lee" shed a word."""
    words = [name_key(word) for word in re.split(r"[ \-.]+", name) if word]
    while len(words) > 1 and words[0] in _GENERIC_WORDS:
        del words[0]
    return "".join(words) or name_key(name)


def is_plain_character(name: str | None) -> bool:
    """Tell whether a character name is a person's name fit to ask about: no notes, slashes or job titles."""
    if not name or name != name.strip() or not _PLAIN_NAME.fullmatch(name):
        return False
    if re.search(r"['’]s\b", name):
        return False  # "Yoo Ri's mother": a description by way of someone else
    words = [name_key(word) for word in re.split(r"[ \-.]+", name) if word]
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


def _popularity_band(show: Show) -> int:
    """0 for the popular, 1 for the middle, 2 for the obscure or unranked."""
    rank = show.popularity_rank
    if rank is not None and 0 < rank <= EASY_MAX_RANK:
        return 0
    if rank is not None and 0 < rank <= HARD_MIN_RANK:
        return 1
    return 2


# -- the pool ----------------------------------------------------------------------------------------------


class _Subject(NamedTuple):
    """One thing a question can be about, with the difficulties it suits (a tuple: the pool holds ~25k)."""

    kind: QuestionKind
    show_id: int
    person_id: int | None
    credit: Credit | None
    levels: frozenset[str]

    @property
    def key(self) -> tuple[QuestionKind, int | None, int | None]:
        """What makes two questions the same question within a round."""
        if self.kind is QuestionKind.WHICH_SHOW:
            return (self.kind, None, self.person_id)
        return (self.kind, self.show_id, self.person_id)


class TriviaPool:
    """Everything trivia may ask about, indexed once: build it per guild and reuse it for every round."""

    def __init__(self, shows: Iterable[Show], credits: Iterable[Credit]) -> None:
        self.shows: dict[int, Show] = {show.id: show for show in shows}
        self._cast: dict[int, list[Credit]] = defaultdict(list)
        self._directors: dict[int, list[Credit]] = defaultdict(list)
        self._names_in_show: dict[int, set[str]] = defaultdict(set)
        self._shows_of_name: dict[str, set[int]] = defaultdict(set)
        for credit in credits:
            if credit.show_id not in self.shows:
                continue
            name = name_key(credit.person_name)
            if not name:
                continue
            self._names_in_show[credit.show_id].add(name)
            self._shows_of_name[name].add(credit.show_id)
            if credit.kind is CreditKind.CAST:
                self._cast[credit.show_id].append(credit)
            elif credit.kind is CreditKind.DIRECTOR:
                self._directors[credit.show_id].append(credit)
        self._franchise = {show_id: franchise_key(show.title) for show_id, show in self.shows.items()}
        self._franchises_of_name: dict[str, set[str]] = {
            name: {self._franchise[show_id] for show_id in show_ids} for name, show_ids in self._shows_of_name.items()
        }
        self._label_shows()
        self._index_characters()
        self._index_neighbours()
        self._build_subjects()

    @classmethod
    def from_catalog(cls, catalog: Catalog, guild_id: int | None = None) -> TriviaPool:
        """Build the pool of what one server may see: the shared catalog and that server's own shows."""
        shows = catalog.visible_shows(guild_id)
        credits = [credit for show in shows for credit in catalog.credits_of_show(show.id)]
        return cls(shows, credits)

    # -- building ------------------------------------------------------------------------------------------

    def _label_shows(self) -> None:
        """Name each show so no two read alike; a title shared by shows of one year names none of them."""
        by_title: dict[str, list[Show]] = defaultdict(list)
        for show in self.shows.values():
            if name_key(show.title):
                by_title[name_key(show.title)].append(show)
        self._option_label: dict[int, str] = {}  # as an option: the title, with the year when shared
        self._text_label: dict[int, str] = {}  # in a question: the title and year
        self._unique_title: set[int] = set()  # the title alone names the show (year questions need this)
        for same in by_title.values():
            if len(same) == 1:
                show = same[0]
                self._unique_title.add(show.id)
                self._option_label[show.id] = show.title
                self._text_label[show.id] = _in_text(show.title, show.year)
                continue
            years = Counter(show.year for show in same)
            for show in same:
                if show.year is not None and years[show.year] == 1:
                    self._option_label[show.id] = f"{show.title} ({show.year})"
                    self._text_label[show.id] = _in_text(show.title, show.year)
        self._years = sorted({show.year for show in self.shows.values() if show.year is not None})
        self.max_year = self._years[-1] if self._years else None

    def _index_characters(self) -> None:
        """Find, per show, the cast credits safe to ask about and the character names safe to offer."""
        self._askable: dict[int, list[Credit]] = {}
        self._characters: dict[int, list[str]] = {}
        for show_id, cast in self._cast.items():
            actors = Counter(name_key(credit.person_name) for credit in cast)
            # "Lee Eun Soo" and "Young Lee Eun Soo" (or "Kim" and "Detective Kim") may be one person twice.
            cores = Counter(character_core(credit.character) for credit in cast if credit.character)
            # A note may say an actor also plays someone else ("also Ha Ru"): such a name has two players.
            notes = " ".join(name_key(credit.character_note) for credit in cast if credit.character_note)
            title = name_key(self.shows[show_id].title)
            people = self._names_in_show[show_id]
            offered: dict[str, str] = {}
            askable: list[Credit] = []
            for credit in cast:
                if not is_plain_character(credit.character):
                    continue
                assert credit.character is not None
                core = character_core(credit.character)
                if cores[core] > 1 or core in notes:
                    continue  # two people credited with one name
                if any(core in name or name in core or fuzz.ratio(core, name) >= SAME_NAME_RATIO for name in people):
                    continue  # an actor playing themself, or a part named after its player ("Yoo Jung", "Lee Gyu Han")
                offered.setdefault(name_key(credit.character), credit.character)
                # An annotated credit still offers its name as a wrong option, but is never asked about.
                if not credit.character_note and actors[name_key(credit.person_name)] == 1 and core not in title:
                    askable.append(credit)
            self._askable[show_id] = askable
            self._characters[show_id] = list(offered.values())

    def _index_neighbours(self) -> None:
        """Group shows, cast, characters, directors and networks by year, for distractors of the same era."""
        by_year: dict[int, list[int]] = defaultdict(list)
        for show in self.shows.values():
            if show.year is not None and show.id in self._option_label:
                by_year[show.year].append(show.id)
        self._shows_by_year = by_year
        self._cast_by_year: dict[int, list[Credit]] = defaultdict(list)
        self._characters_by_year: dict[int, list[tuple[int, str]]] = defaultdict(list)
        self._directors_by_year: dict[int, list[Credit]] = defaultdict(list)
        self._network_by_year: dict[int, Counter[str]] = defaultdict(Counter)
        self._network_count: Counter[str] = Counter()
        for show in self.shows.values():
            year = show.year if show.year is not None else 0
            self._cast_by_year[year].extend(self._cast.get(show.id, ()))
            self._characters_by_year[year].extend((show.id, name) for name in self._characters.get(show.id, ()))
            self._directors_by_year[year].extend(self._directors.get(show.id, ()))
            for network in dict.fromkeys(show.networks):
                self._network_by_year[year][network] += 1
                self._network_count[network] += 1

    def _build_subjects(self) -> None:
        subjects: list[_Subject] = []
        for show_id, show in self.shows.items():
            if show_id not in self._text_label:
                continue
            band = _popularity_band(show)
            show_levels = _levels(easy=band == 0, hard=band == 2)
            for credit in self._askable.get(show_id, ()):
                main = credit.role is Role.MAIN
                levels = _levels(easy=main and band == 0, hard=not main or band == 2)
                for kind in (QuestionKind.WHO_PLAYS, QuestionKind.WHICH_CHARACTER):
                    subjects.append(_Subject(kind, show_id, credit.person_id, credit, levels))
            for credit in self._cast.get(show_id, ()):
                main = credit.role is Role.MAIN
                levels = _levels(easy=main and band == 0, hard=not main or band == 2)
                subjects.append(_Subject(QuestionKind.WHICH_SHOW, show_id, credit.person_id, credit, levels))
            directors = self._directors.get(show_id, [])
            if len({name_key(credit.person_name) for credit in directors}) == 1:
                credit = directors[0]
                levels = _levels(easy=False, hard=True)
                subjects.append(_Subject(QuestionKind.WHO_DIRECTED, show_id, credit.person_id, credit, levels))
            if show.year is not None and show_id in self._unique_title:
                subjects.append(_Subject(QuestionKind.PREMIERE_YEAR, show_id, None, None, show_levels))
            if len(set(show.networks)) == 1:
                subjects.append(_Subject(QuestionKind.NETWORK, show_id, None, None, show_levels))
        self._by_level: dict[tuple[QuestionKind, str], list[_Subject]] = defaultdict(list)
        self._by_show: dict[int, list[_Subject]] = defaultdict(list)
        self._by_person: dict[int, list[_Subject]] = defaultdict(list)
        for subject in subjects:
            for level in subject.levels:
                self._by_level[subject.kind, level].append(subject)
            self._by_show[subject.show_id].append(subject)
            if subject.person_id is not None:
                self._by_person[subject.person_id].append(subject)

    # -- choosing --------------------------------------------------------------------------------------------

    def _candidates(
        self, kind: QuestionKind | None, show_id: int | None, person_id: int | None, difficulty: str
    ) -> dict[QuestionKind, Sequence[_Subject]]:
        """The subjects that fit the filters, by kind."""
        kinds = [kind] if kind is not None else list(QuestionKind)
        if show_id is None and person_id is None:
            return {k: self._by_level[k, difficulty] for k in kinds if self._by_level.get((k, difficulty))}
        narrowed = self._by_show.get(show_id, []) if show_id is not None else self._by_person.get(person_id, [])
        found: dict[QuestionKind, list[_Subject]] = defaultdict(list)
        for subject in narrowed:
            if (
                subject.kind in kinds
                and difficulty in subject.levels
                and (show_id is None or subject.show_id == show_id)
                and (person_id is None or subject.person_id == person_id)
            ):
                found[subject.kind].append(subject)
        return found

    # -- distractors -----------------------------------------------------------------------------------------

    def _near(self, table: dict[int, list[Row]], year: int | None, spread: int) -> list[list[Row]]:
        """Rows of `table` from `year` outwards, nearest first; a show without a year looks everywhere."""
        if year is None:
            return [rows for rows in table.values() if rows]
        rings = [table.get(year, [])]
        for step in range(1, spread + 1):
            rings.append(table.get(year - step, []) + table.get(year + step, []))
        return [rows for rows in rings if rows]

    def _draw(
        self,
        rng: random.Random,
        rings: list[list[Row]],
        accept: Callable[[Row], str | None],
        score: Callable[[Row], int],
        taken: set[str],
        needed: int,
    ) -> list[str]:
        """Pick `needed` distinct options by random probing, nearest years first, then the best scored."""
        found: dict[str, int] = {}
        keys = set(taken)
        for rows in rings:
            for _ in range(_PROBES):
                row = rows[rng.randrange(len(rows))]
                text = accept(row)
                if text is None or name_key(text) in keys:
                    continue
                keys.add(name_key(text))
                found[text] = score(row)
                if len(found) >= needed * 3:
                    break
            if len(found) >= needed * 3:
                break
        # A stable sort keeps the random order among options of equal score.
        return sorted(found, key=lambda text: -found[text])[:needed]

    def _distractors_who_plays(self, rng: random.Random, credit: Credit) -> list[str] | None:
        """Other actors of the same show, topped up with actors of the same era who are not in it."""
        show = self.shows[credit.show_id]
        answer = name_key(credit.person_name)
        same_show = {
            name_key(other.person_name): other.person_name
            for other in self._cast[credit.show_id]
            if name_key(other.person_name) != answer
        }
        picks = _sample(rng, list(same_show.values()), OPTIONS - 1)
        if len(picks) < OPTIONS - 1:
            band = _popularity_band(show)
            in_show = self._names_in_show[credit.show_id]

            def accept(other: Credit) -> str | None:
                return None if name_key(other.person_name) in in_show else other.person_name

            def score(other: Credit) -> int:
                other_show = self.shows[other.show_id]
                return 2 * (_popularity_band(other_show) == band) + (other.role == credit.role)

            taken = {answer, *map(name_key, picks)}
            rings = self._near(self._cast_by_year, show.year, 2)
            picks += self._draw(rng, rings, accept, score, taken, OPTIONS - 1 - len(picks))
        return picks if len(picks) == OPTIONS - 1 else None

    def _distractors_which_character(self, rng: random.Random, credit: Credit) -> list[str] | None:
        """Other characters of the same show, topped up with characters of other shows of the same era."""
        assert credit.character is not None
        show = self.shows[credit.show_id]
        answer = name_key(credit.character)
        own = [name for name in self._characters[credit.show_id] if name_key(name) != answer]
        picks = _sample(rng, own, OPTIONS - 1)
        if len(picks) < OPTIONS - 1:
            in_show = self._names_in_show[credit.show_id] | {name_key(n) for n in self._characters[credit.show_id]}
            in_show |= {name_key(c.character) for c in self._cast[credit.show_id] if c.character}

            def accept(row: tuple[int, str]) -> str | None:
                return None if name_key(row[1]) in in_show else row[1]

            words = len(credit.character.split())

            def score(row: tuple[int, str]) -> int:
                return len(row[1].split()) == words  # a full name among full names

            taken = {answer, *map(name_key, picks)}
            rings = self._near(self._characters_by_year, show.year, 2)
            picks += self._draw(rng, rings, accept, score, taken, OPTIONS - 1 - len(picks))
        return picks if len(picks) == OPTIONS - 1 else None

    def _distractors_which_show(self, rng: random.Random, credit: Credit) -> list[str] | None:
        """Shows of the same era and popularity that the person, and anyone of the same name, was not in."""
        show = self.shows[credit.show_id]
        name = name_key(credit.person_name)
        own_shows = self._shows_of_name[name]
        own_franchises = self._franchises_of_name[name]
        band = _popularity_band(show)
        genres = set(show.genres)
        networks = set(show.networks)

        def accept(show_id: int) -> str | None:
            if show_id in own_shows or self._franchise[show_id] in own_franchises:
                return None
            return self._option_label[show_id]

        def score(show_id: int) -> int:
            other = self.shows[show_id]
            return (
                3 * (_popularity_band(other) == band)
                + 2 * bool(genres & set(other.genres))
                + bool(networks & set(other.networks))
            )

        taken = {name_key(self._option_label[show.id])}
        rings = self._near(self._shows_by_year, show.year, 3)
        picks = self._draw(rng, rings, accept, score, taken, OPTIONS - 1)
        return picks if len(picks) == OPTIONS - 1 else None

    def _distractors_who_directed(self, rng: random.Random, credit: Credit) -> list[str] | None:
        """Directors of other shows of the same era who have no credit at all in this show."""
        show = self.shows[credit.show_id]
        in_show = self._names_in_show[credit.show_id]
        band = _popularity_band(show)
        networks = set(show.networks)

        def accept(other: Credit) -> str | None:
            return None if name_key(other.person_name) in in_show else other.person_name

        def score(other: Credit) -> int:
            other_show = self.shows[other.show_id]
            return (_popularity_band(other_show) == band) + bool(networks & set(other_show.networks))

        rings = self._near(self._directors_by_year, show.year, 2)
        picks = self._draw(rng, rings, accept, score, {name_key(credit.person_name)}, OPTIONS - 1)
        return picks if len(picks) == OPTIONS - 1 else None

    def _years_around(self, rng: random.Random, year: int) -> list[int]:
        """Four consecutive years holding `year` at a random place, none after the catalog's newest."""
        latest = max(year, self.max_year or year)
        start = rng.randint(year - OPTIONS + 1, min(year, latest - OPTIONS + 1))
        return list(range(start, start + OPTIONS))

    def _distractors_network(self, rng: random.Random, show: Show) -> list[str] | None:
        """Networks common in the catalog, likelier when they aired shows of the same era; no sister channels."""
        answer = name_key(show.networks[0])
        # A popular show gets the big names as distractors; an obscure channel would give the answer away.
        floor = COMMON_NETWORK_SHOWS * (4 if _popularity_band(show) == 0 else 1)
        era: Counter[str] = Counter()
        if show.year is not None:
            for step in range(-2, 3):
                era.update(self._network_by_year.get(show.year + step, Counter()))
        others = [
            (network, count)
            for network, count in self._network_count.items()
            if answer not in name_key(network) and name_key(network) not in answer
        ]
        choices = [network for network, count in others if count >= floor]
        if len(choices) < OPTIONS - 1:  # a small catalog: every network is as common as it gets
            choices = [network for network, _ in others]
        weights = [era[network] + 1 for network in choices]
        picks: list[str] = []
        while choices and len(picks) < OPTIONS - 1:
            index = rng.choices(range(len(choices)), weights)[0]
            network = choices.pop(index)
            del weights[index]
            key = name_key(network)
            if not any(key in name_key(pick) or name_key(pick) in key for pick in picks):
                picks.append(network)
        return picks if len(picks) == OPTIONS - 1 else None

    # -- questions -------------------------------------------------------------------------------------------

    def _build(self, rng: random.Random, subject: _Subject, difficulty: str) -> Question | None:
        """Write the question about one subject, or None when it has too few sound distractors."""
        show = self.shows[subject.show_id]
        label = self._text_label[show.id]
        credit = subject.credit
        kind = subject.kind
        person_id = subject.person_id
        if kind is QuestionKind.PREMIERE_YEAR:
            assert show.year is not None
            years = self._years_around(rng, show.year)
            return Question(
                kind,
                f"In which year did {_in_text(show.title)} premiere?",
                tuple(str(year) for year in years),
                years.index(show.year),
                show.id,
                None,
                difficulty,
            )
        if kind is QuestionKind.NETWORK:
            right = show.networks[0]
            wrong = self._distractors_network(rng, show)
            text = f"Which network aired {label}?"
        elif kind is QuestionKind.WHO_DIRECTED:
            assert credit is not None
            right = credit.person_name
            wrong = self._distractors_who_directed(rng, credit)
            text = f"Who directed {label}?"
        elif kind is QuestionKind.WHO_PLAYS:
            assert credit is not None and credit.character is not None
            right = credit.person_name
            wrong = self._distractors_who_plays(rng, credit)
            text = f"Who plays {credit.character} in {label}?"
        elif kind is QuestionKind.WHICH_CHARACTER:
            assert credit is not None and credit.character is not None
            right = credit.character
            wrong = self._distractors_which_character(rng, credit)
            text = f"Which character does {credit.person_name} play in {label}?"
        else:
            assert credit is not None
            right = self._option_label[show.id]
            wrong = self._distractors_which_show(rng, credit)
            text = f"Which of these dramas features {credit.person_name}?"
        if wrong is None:
            return None
        options = [right, *wrong]
        if len({name_key(option) for option in options}) != OPTIONS:
            return None
        rng.shuffle(options)
        return Question(kind, text, tuple(options), options.index(right), show.id, person_id, difficulty)


def _in_text(title: str, year: int | None = None) -> str:
    """Name a show inside a sentence: quoted when its title ends a sentence itself ("Are You Human Too?")."""
    named = f"“{title}”" if title.rstrip().endswith(("?", "!")) else title
    return f"{named} ({year})" if year is not None else named


_LEVELS = {
    (easy, hard): frozenset({"medium"} | ({"easy"} if easy else set()) | ({"hard"} if hard else set()))
    for easy in (False, True)
    for hard in (False, True)
}


def _levels(*, easy: bool, hard: bool) -> frozenset[str]:
    """The difficulties a subject suits: always medium, and easy or hard as its show and role say."""
    return _LEVELS[easy, hard]


def _sample(rng: random.Random, rows: list[Row], count: int) -> list[Row]:
    return rng.sample(rows, min(count, len(rows)))


# -- the public API ------------------------------------------------------------------------------------------


def make_question(
    pool: TriviaPool,
    rng: random.Random,
    *,
    kind: QuestionKind | None = None,
    show_id: int | None = None,
    person_id: int | None = None,
    difficulty: str = "medium",
) -> Question:
    """Make one question that fits the filters, or raise NoTrivia saying why there is none."""
    return make_round_set(pool, rng, 1, kind=kind, show_id=show_id, person_id=person_id, difficulty=difficulty)[0]


def make_round_set(
    pool: TriviaPool,
    rng: random.Random,
    count: int,
    *,
    kind: QuestionKind | None = None,
    show_id: int | None = None,
    person_id: int | None = None,
    difficulty: str = "medium",
) -> list[Question]:
    """Make up to `count` questions, none asked twice, mixing kinds and shows; fewer if the filters run dry."""
    if count < 1:
        raise InvalidInput("Ask for at least one question.")
    if difficulty not in DIFFICULTIES:
        raise InvalidInput("Difficulty must be easy, medium or hard.")
    if kind is not None:
        try:
            kind = QuestionKind(kind)
        except ValueError:
            raise InvalidInput(f"There is no question kind called “{kind}”.") from None
    if show_id is not None and show_id not in pool.shows:
        raise NoTrivia("That drama is not in this server's catalog.")
    candidates = pool._candidates(kind, show_id, person_id, difficulty)
    if not candidates:
        raise NoTrivia(_nothing_to_ask(show_id, person_id))
    kinds: list[QuestionKind] = []
    questions: list[Question] = []
    asked: set[tuple[QuestionKind, int | None, int | None]] = set()
    shows: set[int] = set()
    for _ in range(count):
        if not kinds:  # each kind once per cycle, in a fresh order each cycle
            kinds = sorted(candidates)
            rng.shuffle(kinds)
        # One drama's round repeats its show by design; a mixed round spreads over as many shows as it can.
        spread = shows if show_id is None else set()
        question = _next_question(pool, rng, candidates, kinds.pop(), difficulty, asked, spread)
        if question is None:
            break
        questions.append(question)
    if not questions:
        raise NoTrivia(_nothing_to_ask(show_id, person_id))
    return questions


def points_for(correct: bool, elapsed: float, limit: float) -> int:
    """Score an answer: 100 when right, plus up to 50 for answering fast; nothing when wrong."""
    if not correct:
        return 0
    if limit <= 0:
        return BASE_POINTS
    left = min(max(1.0 - elapsed / limit, 0.0), 1.0)
    return BASE_POINTS + round(SPEED_BONUS * left)


def sample_text(pool: TriviaPool, seed: int, count: int) -> str:
    """Render a round for a person to read: numbered questions, options A-D, the answer marked."""
    questions = make_round_set(pool, random.Random(seed), count)
    blocks = []
    for number, question in enumerate(questions, 1):
        lines = [f"{number}. {question.text}  [{question.kind.replace('_', ' ')}]"]
        for index, option in enumerate(question.options):
            mark = "  <- answer" if index == question.answer else ""
            lines.append(f"   {'ABCD'[index]}) {option}{mark}")
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks) + "\n"


def _nothing_to_ask(show_id: int | None, person_id: int | None) -> str:
    if show_id is not None:
        return "That drama has too few credits to make a question."
    if person_id is not None:
        return "That person has too few credits to make a question."
    return "No question fits those choices; try another difficulty or question kind."


def _next_question(
    pool: TriviaPool,
    rng: random.Random,
    candidates: dict[QuestionKind, Sequence[_Subject]],
    preferred: QuestionKind,
    difficulty: str,
    asked: set[tuple[QuestionKind, int | None, int | None]],
    used_shows: set[int],
) -> Question | None:
    """Draw subjects at random, the preferred kind and unused shows first; fall back to trying every one."""
    kinds = list(candidates)
    for attempt in range(_ATTEMPTS):
        kind = preferred if attempt < _ATTEMPTS // 2 else kinds[rng.randrange(len(kinds))]
        subjects = candidates[kind]
        subject = subjects[rng.randrange(len(subjects))]
        if subject.key in asked or (subject.show_id in used_shows and attempt < _ATTEMPTS * 3 // 4):
            continue
        question = pool._build(rng, subject, difficulty)
        if question is not None:
            asked.add(subject.key)
            used_shows.add(subject.show_id)
            return question
    # Few subjects, or most already asked: go through what is left in a random order.
    rest = [subject for kind in kinds for subject in candidates[kind] if subject.key not in asked]
    for subject in rng.sample(rest, min(len(rest), 400)):
        question = pool._build(rng, subject, difficulty)
        if question is not None:
            asked.add(subject.key)
            used_shows.add(subject.show_id)
            return question
    return None
