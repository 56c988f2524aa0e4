"""Write four-option trivia questions from a pool: distractor rules, round sets, a sample to read (pure).

Randomness is passed in. Distractors are drawn from the same show first, then from shows of nearby years, and
each is checked against the pool so that no wrong option is also true.
"""

from __future__ import annotations

import random
from collections import Counter
from collections.abc import Callable, Mapping, Sequence
from typing import TypeVar

from bot.errors import InvalidInput
from bot.models import Credit, Show
from bot.text import name_key
from bot.trivia.pools import Subject, TriviaPool
from bot.trivia.rules import (
    DIFFICULTIES,
    LETTERS,
    OPTIONS,
    NoTrivia,
    Question,
    QuestionKind,
    popularity_band,
    title_in_text,
)

# A network on fewer shows than this is too obscure to offer as a wrong answer.
COMMON_NETWORK_SHOWS = 5
# How many random draws a distractor search makes before settling for what it found.
_PROBES = 80
_ATTEMPTS = 40

Row = TypeVar("Row")


# -- distractors -----------------------------------------------------------------------------------------------


def _near(table: dict[int, list[Row]], year: int | None, spread: int) -> list[list[Row]]:
    """Rows of `table` from `year` outwards, nearest first; a show without a year looks everywhere."""
    if year is None:
        return [rows for rows in table.values() if rows]
    rings = [table.get(year, [])]
    for step in range(1, spread + 1):
        rings.append(table.get(year - step, []) + table.get(year + step, []))
    return [rows for rows in rings if rows]


def _draw(
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


def _distractors_who_plays(pool: TriviaPool, rng: random.Random, credit: Credit) -> list[str] | None:
    """Other actors of the same show, topped up with actors of the same era who are not in it."""
    show = pool.shows[credit.show_id]
    answer = name_key(credit.person_name)
    same_show = {
        name_key(other.person_name): other.person_name
        for other in pool.cast[credit.show_id]
        if name_key(other.person_name) != answer
    }
    picks = _sample(rng, list(same_show.values()), OPTIONS - 1)
    if len(picks) < OPTIONS - 1:
        band = popularity_band(show)
        in_show = pool.names_in_show[credit.show_id]

        def accept(other: Credit) -> str | None:
            return None if name_key(other.person_name) in in_show else other.person_name

        def score(other: Credit) -> int:
            other_show = pool.shows[other.show_id]
            return 2 * (popularity_band(other_show) == band) + (other.role == credit.role)

        taken = {answer, *map(name_key, picks)}
        rings = _near(pool.cast_by_year, show.year, 2)
        picks += _draw(rng, rings, accept, score, taken, OPTIONS - 1 - len(picks))
    return picks if len(picks) == OPTIONS - 1 else None


def _distractors_which_character(pool: TriviaPool, rng: random.Random, credit: Credit) -> list[str] | None:
    """Other characters of the same show, topped up with characters of other shows of the same era."""
    assert credit.character is not None
    show = pool.shows[credit.show_id]
    answer = name_key(credit.character)
    own = [name for name in pool.characters[credit.show_id] if name_key(name) != answer]
    picks = _sample(rng, own, OPTIONS - 1)
    if len(picks) < OPTIONS - 1:
        in_show = pool.names_in_show[credit.show_id] | {name_key(n) for n in pool.characters[credit.show_id]}
        in_show |= {name_key(c.character) for c in pool.cast[credit.show_id] if c.character}

        def accept(row: tuple[int, str]) -> str | None:
            return None if name_key(row[1]) in in_show else row[1]

        words = len(credit.character.split())

        def score(row: tuple[int, str]) -> int:
            return len(row[1].split()) == words  # a full name among full names

        taken = {answer, *map(name_key, picks)}
        rings = _near(pool.characters_by_year, show.year, 2)
        picks += _draw(rng, rings, accept, score, taken, OPTIONS - 1 - len(picks))
    return picks if len(picks) == OPTIONS - 1 else None


def _distractors_which_show(pool: TriviaPool, rng: random.Random, credit: Credit) -> list[str] | None:
    """Shows of the same era and popularity that the person, and anyone of the same name, was not in."""
    show = pool.shows[credit.show_id]
    name = name_key(credit.person_name)
    own_shows = pool.shows_of_name[name]
    own_franchises = pool.franchises_of_name[name]
    band = popularity_band(show)
    genres = set(show.genres)
    networks = set(show.networks)

    def accept(show_id: int) -> str | None:
        if show_id in own_shows or pool.franchise[show_id] in own_franchises:
            return None
        return pool.option_label[show_id]

    def score(show_id: int) -> int:
        other = pool.shows[show_id]
        return (
            3 * (popularity_band(other) == band)
            + 2 * bool(genres & set(other.genres))
            + bool(networks & set(other.networks))
        )

    taken = {name_key(pool.option_label[show.id])}
    rings = _near(pool.shows_by_year, show.year, 3)
    picks = _draw(rng, rings, accept, score, taken, OPTIONS - 1)
    return picks if len(picks) == OPTIONS - 1 else None


def _distractors_who_directed(pool: TriviaPool, rng: random.Random, credit: Credit) -> list[str] | None:
    """Directors of other shows of the same era who have no credit at all in this show."""
    show = pool.shows[credit.show_id]
    in_show = pool.names_in_show[credit.show_id]
    band = popularity_band(show)
    networks = set(show.networks)

    def accept(other: Credit) -> str | None:
        return None if name_key(other.person_name) in in_show else other.person_name

    def score(other: Credit) -> int:
        other_show = pool.shows[other.show_id]
        return (popularity_band(other_show) == band) + bool(networks & set(other_show.networks))

    rings = _near(pool.directors_by_year, show.year, 2)
    picks = _draw(rng, rings, accept, score, {name_key(credit.person_name)}, OPTIONS - 1)
    return picks if len(picks) == OPTIONS - 1 else None


def _years_around(pool: TriviaPool, rng: random.Random, year: int) -> list[int]:
    """Four consecutive years holding `year` at a random place, none after the catalog's newest."""
    latest = max(year, pool.max_year or year)
    start = rng.randint(year - OPTIONS + 1, min(year, latest - OPTIONS + 1))
    return list(range(start, start + OPTIONS))


def _distractors_network(pool: TriviaPool, rng: random.Random, show: Show) -> list[str] | None:
    """Networks common in the catalog, likelier when they aired shows of the same era; no sister channels."""
    answer = name_key(show.networks[0])
    # A popular show gets the big names as distractors; an obscure channel would give the answer away.
    floor = COMMON_NETWORK_SHOWS * (4 if popularity_band(show) == 0 else 1)
    era: Counter[str] = Counter()
    if show.year is not None:
        for step in range(-2, 3):
            era.update(pool.network_by_year.get(show.year + step, Counter()))
    others = [
        (network, count)
        for network, count in pool.network_count.items()
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


def _question_about(pool: TriviaPool, rng: random.Random, subject: Subject, difficulty: str) -> Question | None:
    """Write the question about one subject, or None when it has too few sound distractors."""
    show = pool.shows[subject.show_id]
    label = pool.text_label[show.id]
    credit = subject.credit
    kind = subject.kind
    person_id = subject.person_id
    if kind is QuestionKind.PREMIERE_YEAR:
        assert show.year is not None
        years = _years_around(pool, rng, show.year)
        return Question(
            kind,
            f"In which year did {title_in_text(show.title)} premiere?",
            tuple(str(year) for year in years),
            years.index(show.year),
            show.id,
            None,
            difficulty,
        )
    if kind is QuestionKind.NETWORK:
        right = show.networks[0]
        wrong = _distractors_network(pool, rng, show)
        text = f"Which network aired {label}?"
    elif kind is QuestionKind.WHO_DIRECTED:
        assert credit is not None
        right = credit.person_name
        wrong = _distractors_who_directed(pool, rng, credit)
        text = f"Who directed {label}?"
    elif kind is QuestionKind.WHO_PLAYS:
        assert credit is not None and credit.character is not None
        right = credit.person_name
        wrong = _distractors_who_plays(pool, rng, credit)
        text = f"Who plays {credit.character} in {label}?"
    elif kind is QuestionKind.WHICH_CHARACTER:
        assert credit is not None and credit.character is not None
        right = credit.character
        wrong = _distractors_which_character(pool, rng, credit)
        text = f"Which character does {credit.person_name} play in {label}?"
    else:
        assert credit is not None
        right = pool.option_label[show.id]
        wrong = _distractors_which_show(pool, rng, credit)
        text = f"Which of these dramas features {credit.person_name}?"
    if wrong is None:
        return None
    options = [right, *wrong]
    if len({name_key(option) for option in options}) != OPTIONS:
        return None
    rng.shuffle(options)
    return Question(kind, text, tuple(options), options.index(right), show.id, person_id, difficulty)


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
    candidates = pool.candidates(kind, show_id, person_id, difficulty)
    if not candidates:
        others = [
            level for level in DIFFICULTIES if level != difficulty and pool.candidates(kind, show_id, person_id, level)
        ]
        if others and (show_id is not None or person_id is not None):
            # Difficulty is how obscure a fact is: a famous drama may have nothing obscure enough to be hard.
            which = "drama" if show_id is not None else "person"
            raise NoTrivia(f"That {which} has no {difficulty} questions; try {' or '.join(others)}.")
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


def sample_text(pool: TriviaPool, seed: int, count: int) -> str:
    """Render a round for a person to read: numbered questions, options A-D, the answer marked."""
    questions = make_round_set(pool, random.Random(seed), count)
    blocks = []
    for number, question in enumerate(questions, 1):
        lines = [f"{number}. {question.text}  [{question.kind.replace('_', ' ')}]"]
        for index, option in enumerate(question.options):
            mark = "  <- answer" if index == question.answer else ""
            lines.append(f"   {LETTERS[index]}) {option}{mark}")
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
    candidates: Mapping[QuestionKind, Sequence[Subject]],
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
        question = _question_about(pool, rng, subject, difficulty)
        if question is not None:
            asked.add(subject.key)
            used_shows.add(subject.show_id)
            return question
    # Few subjects, or most already asked: go through what is left in a random order.
    rest = [subject for kind in kinds for subject in candidates[kind] if subject.key not in asked]
    for subject in rng.sample(rest, min(len(rest), 400)):
        question = _question_about(pool, rng, subject, difficulty)
        if question is not None:
            asked.add(subject.key)
            used_shows.add(subject.show_id)
            return question
    return None
