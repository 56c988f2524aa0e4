"""Tests of bot/trivia/: every question checked against the catalog it came from, over many seeds."""

from __future__ import annotations

import datetime as dt
import random
import time
from collections import defaultdict

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz

from bot.catalog import Catalog
from bot.errors import InvalidInput
from bot.models import Credit, CreditKind, Person, Role, Show
from bot.text import name_key
from bot.trivia import (
    EASY_MAX_RANK,
    HARD_MIN_RANK,
    NoTrivia,
    Question,
    QuestionKind,
    TriviaPool,
    character_core,
    is_plain_character,
    make_question,
    make_round_set,
    points_for,
    sample_text,
)

CAST_KINDS = {QuestionKind.WHO_PLAYS, QuestionKind.WHICH_CHARACTER, QuestionKind.WHICH_SHOW}


# -- fixtures ------------------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def catalog(seeded_catalog: Catalog) -> Catalog:
    return seeded_catalog


@pytest.fixture(scope="module")
def pool(catalog: Catalog) -> TriviaPool:
    return TriviaPool.from_catalog(catalog)


@pytest.fixture(scope="module")
def facts(catalog: Catalog) -> Facts:
    return Facts(catalog)


class Facts:
    """The catalog's truth, indexed independently of bot/trivia/, to check each question against."""

    def __init__(self, catalog: Catalog) -> None:
        self.catalog = catalog
        self.credits: dict[int, list[Credit]] = {sid: catalog.credits_of_show(sid) for sid in catalog.shows}
        self.shows_by_label: dict[str, list[Show]] = defaultdict(list)
        for show in catalog.shows.values():
            self.shows_by_label[show.title].append(show)
            self.shows_by_label[f"{show.title} ({show.year})"].append(show)
        self.max_year = max(show.year for show in catalog.shows.values() if show.year)

    def names_in(self, show_id: int, kind: CreditKind | None = None) -> set[str]:
        return {name_key(c.person_name) for c in self.credits[show_id] if kind is None or c.kind is kind}

    def person_name(self, person_id: int) -> str:
        return self.catalog.people[person_id].name

    def cast_credit(self, show_id: int, person_id: int) -> Credit:
        (credit,) = [c for c in self.credits[show_id] if c.kind is CreditKind.CAST and c.person_id == person_id]
        return credit


def check_shape(question: Question) -> None:
    assert len(question.options) == 4
    assert 0 <= question.answer < 4
    assert question.answer_text == question.options[question.answer]
    keys = [name_key(option) for option in question.options]
    assert len(set(keys)) == 4, question
    assert all(keys), question
    assert question.text.endswith("?")


def check_truth(question: Question, facts: Facts) -> None:
    """Assert the answer is true by the catalog and every other option false."""
    assert question.show_id is not None
    show = facts.catalog.shows[question.show_id]
    right = name_key(question.answer_text)
    wrong = [name_key(option) for i, option in enumerate(question.options) if i != question.answer]
    kind = question.kind
    if kind in (QuestionKind.WHO_PLAYS, QuestionKind.WHICH_CHARACTER):
        assert question.person_id is not None
        credit = facts.cast_credit(show.id, question.person_id)  # exactly one cast credit in the show
        assert credit.character and is_plain_character(credit.character) and credit.character_note is None
        character = name_key(credit.character)
        core = character_core(credit.character)
        same_character = [c for c in facts.credits[show.id] if c.character and character_core(c.character) == core]
        assert len(same_character) == 1, "the character has one player"
        assert character not in name_key(show.title)
        if kind is QuestionKind.WHO_PLAYS:
            assert f"Who plays {credit.character} in " in question.text
            assert right == name_key(credit.person_name)
        else:
            assert credit.person_name in question.text
            assert right == character
        for name in facts.names_in(show.id):
            assert core not in name and name not in core and fuzz.ratio(core, name) < 80, "named after its player"
    elif kind is QuestionKind.WHICH_SHOW:
        assert question.person_id is not None
        name = name_key(facts.person_name(question.person_id))
        assert name in facts.names_in(show.id, CreditKind.CAST)
        for option in question.options:
            if option == question.answer_text:
                continue
            (other,) = {s.id: s for s in facts.shows_by_label[option]}.values()  # an option names one show
            assert name not in facts.names_in(other.id), f"{option} also has the actor"
    elif kind is QuestionKind.WHO_DIRECTED:
        directors = facts.names_in(show.id, CreditKind.DIRECTOR)
        assert directors == {right}, "a sole director"
        assert not set(wrong) & facts.names_in(show.id)
    elif kind is QuestionKind.PREMIERE_YEAR:
        years = [int(option) for option in question.options]
        assert years == list(range(years[0], years[0] + 4))
        assert years[-1] <= facts.max_year
        assert int(question.answer_text) == show.year
        assert len(facts.shows_by_label[show.title]) == 1 and show.title in question.text
    elif kind is QuestionKind.NETWORK:
        assert [name_key(n) for n in show.networks] == [right]
        assert all(right not in other and other not in right for other in wrong), "no sister channel"
    if kind is not QuestionKind.PREMIERE_YEAR and kind is not QuestionKind.WHICH_SHOW:
        label = f"{show.title} ({show.year})" if show.year else show.title
        same_label = {s.id for s in facts.shows_by_label[label]}
        assert same_label == {show.id}
        assert question.text.endswith((f" {label}?", f" “{show.title}” ({show.year})?", f" “{show.title}”?"))


# -- properties over the real seed ---------------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(seed=st.integers(min_value=0, max_value=2**32), difficulty=st.sampled_from(["easy", "medium", "hard"]))
def test_every_question_is_sound_and_true(pool: TriviaPool, facts: Facts, seed: int, difficulty: str) -> None:
    questions = make_round_set(pool, random.Random(seed), 12, difficulty=difficulty)
    assert len(questions) == 12
    for question in questions:
        check_shape(question)
        check_truth(question, facts)
        assert question.difficulty == difficulty


def test_a_thousand_questions_of_each_kind_are_true(pool: TriviaPool, facts: Facts) -> None:
    rng = random.Random(7)
    for kind in QuestionKind:
        for _ in range(300):
            question = make_question(pool, rng, kind=kind)
            assert question.kind is kind
            check_shape(question)
            check_truth(question, facts)


def test_the_right_answer_sits_anywhere(pool: TriviaPool) -> None:
    rng = random.Random(3)
    for kind in QuestionKind:
        places = {make_question(pool, rng, kind=kind).answer for _ in range(200)}
        assert places == {0, 1, 2, 3}, kind


def test_same_seed_same_questions(pool: TriviaPool) -> None:
    first = make_round_set(pool, random.Random(42), 20)
    again = make_round_set(pool, random.Random(42), 20)
    assert first == again
    assert sample_text(pool, 1, 10) == sample_text(pool, 1, 10)
    assert make_round_set(pool, random.Random(43), 20) != first


def test_a_round_never_repeats_a_question_and_mixes_kinds(pool: TriviaPool) -> None:
    for seed in range(20):
        questions = make_round_set(pool, random.Random(seed), 30)
        subjects = [
            (q.kind, q.person_id if q.kind is QuestionKind.WHICH_SHOW else q.show_id, q.person_id) for q in questions
        ]
        assert len(set(subjects)) == len(subjects)
        assert {q.kind for q in questions} == set(QuestionKind)
        assert len({q.text for q in questions}) == len(questions)


def test_show_filter_asks_only_about_that_show(pool: TriviaPool, facts: Facts, catalog: Catalog) -> None:
    show = catalog.find_show("Our Blues").best
    questions = make_round_set(pool, random.Random(1), 40, show_id=show.id)
    assert {q.show_id for q in questions} == {show.id}
    assert len({q.kind for q in questions}) >= 4
    for question in questions:
        check_shape(question)
        check_truth(question, facts)


def test_person_filter_asks_only_about_that_person(pool: TriviaPool, facts: Facts, catalog: Catalog) -> None:
    person = catalog.find_person("Han So Hee").best
    questions = make_round_set(pool, random.Random(2), 10, person_id=person.id)
    assert {q.person_id for q in questions} == {person.id}
    assert any(facts.person_name(person.id) in q.text for q in questions)
    assert {q.kind for q in questions} <= CAST_KINDS | {QuestionKind.WHO_DIRECTED}


def band(show: Show) -> int:
    """The show's popularity, as the difficulty rule reads it: 0 popular, 1 middling, 2 obscure or unranked."""
    rank = show.popularity_rank
    return 0 if rank is not None and rank <= EASY_MAX_RANK else 1 if rank is not None and rank <= HARD_MIN_RANK else 2


def spotlight(credit: Credit) -> int:
    """How far from the spotlight a credit is: 0 the first four of a main cast, 1 the rest of it, a supporting
    part billed in the first eight or a director, 2 any other part."""
    if credit.kind is not CreditKind.CAST:
        return 1
    if credit.role is Role.MAIN:
        return 0 if credit.billing <= 4 else 1
    return 1 if credit.role is Role.SUPPORT and credit.billing <= 8 else 2


def question_credit(question: Question, facts: Facts) -> Credit | None:
    if question.person_id is None or question.show_id is None:
        return None
    if question.kind is QuestionKind.WHO_DIRECTED:
        (credit,) = [c for c in facts.credits[question.show_id] if c.kind is CreditKind.DIRECTOR][:1]
        return credit
    return facts.cast_credit(question.show_id, question.person_id)


def test_easy_questions_are_the_leads_and_facts_of_popular_shows(pool: TriviaPool, facts: Facts) -> None:
    rng = random.Random(5)
    for _ in range(300):
        question = make_question(pool, rng, difficulty="easy")
        show = facts.catalog.shows[question.show_id or 0]
        assert show.popularity_rank is not None and show.popularity_rank <= EASY_MAX_RANK
        assert question.kind is not QuestionKind.WHO_DIRECTED
        if question.kind in CAST_KINDS:
            credit = question_credit(question, facts)
            assert credit is not None and credit.role is Role.MAIN and credit.billing <= 4


def test_hard_questions_are_about_obscure_facts_whatever_their_kind(pool: TriviaPool, facts: Facts) -> None:
    rng = random.Random(6)
    kinds = set()
    for _ in range(400):
        question = make_question(pool, rng, difficulty="hard")
        kinds.add(question.kind)
        show = facts.catalog.shows[question.show_id or 0]
        credit = question_credit(question, facts)
        assert band(show) + (spotlight(credit) if credit else 0) >= 2, question.text
    assert kinds == set(QuestionKind)  # every kind can be hard, when its fact is obscure enough


def test_who_directed_a_famous_drama_is_no_hard_question(pool: TriviaPool, catalog: Catalog) -> None:
    # The best known drama with one director (Goblin has three, so nobody is asked who directed it).
    famous = min(
        (
            show
            for show in catalog.shows.values()
            if show.popularity_rank is not None
            and len({c.person_id for c in catalog.credits_of_show(show.id, CreditKind.DIRECTOR)}) == 1
        ),
        key=lambda show: show.popularity_rank or 0,
    )
    assert famous.popularity_rank is not None and famous.popularity_rank <= EASY_MAX_RANK
    with pytest.raises(NoTrivia, match=r"^That drama has no hard questions; try .*medium"):
        make_question(pool, random.Random(1), show_id=famous.id, kind=QuestionKind.WHO_DIRECTED, difficulty="hard")
    asked = make_question(pool, random.Random(1), show_id=famous.id, kind=QuestionKind.WHO_DIRECTED)
    assert asked.text == f"Who directed {famous.title} ({famous.year})?" and asked.difficulty == "medium"
    rng = random.Random(7)
    for _ in range(500):
        question = make_question(pool, rng, difficulty="hard")
        if question.kind is QuestionKind.WHO_DIRECTED:
            assert band(catalog.shows[question.show_id or 0]) > 0, question.text


def test_sample_text_reads_as_a_numbered_quiz(pool: TriviaPool) -> None:
    text = sample_text(pool, 1, 10)
    blocks = text.strip().split("\n\n")
    assert len(blocks) == 10
    for number, block in enumerate(blocks, 1):
        lines = block.splitlines()
        assert lines[0].startswith(f"{number}. ")
        assert [line.strip()[:2] for line in lines[1:]] == ["A)", "B)", "C)", "D)"]
        assert sum("<- answer" in line for line in lines) == 1


def test_building_the_pool_and_asking_are_fast(catalog: Catalog, pool: TriviaPool) -> None:
    # The processor time of this thread: the work itself, not the other test workers sharing the machine.
    started = time.thread_time()
    TriviaPool.from_catalog(catalog)
    built = time.thread_time() - started
    rng = random.Random(9)
    started = time.thread_time()
    for _ in range(1000):
        make_question(pool, rng)
    asked = (time.thread_time() - started) / 1000
    # Typical figures on the seed are 1.0-1.4 s and ~0.2 ms (a processor shared by three workers does less a second).
    assert built < 3.0, f"building the pool took {built:.2f} s of processor time"
    assert asked < 0.002, f"a question took {asked * 1000:.2f} ms of processor time"


# -- the rules, on small hand-made catalogs -------------------------------------------------------------------


def make_show(show_id: int, title: str, year: int | None = 2020, **fields: object) -> Show:
    premiere = dt.date(year, 3, 1) if year else None
    return Show(id=show_id, title=title, premiere=premiere, **fields)  # type: ignore[arg-type]


def cast(show: Show, person_id: int, name: str, character: str | None, **fields: object) -> Credit:
    return Credit(
        show_id=show.id,
        person_id=person_id,
        person_name=name,
        show_title=show.title,
        kind=CreditKind.CAST,
        character=character,
        role=fields.pop("role", Role.MAIN),  # type: ignore[arg-type]
        show_premiere=show.premiere,
        **fields,  # type: ignore[arg-type]
    )


def director(show: Show, person_id: int, name: str) -> Credit:
    return Credit(show.id, person_id, name, show.title, CreditKind.DIRECTOR, show_premiere=show.premiere)


ACTORS = [
    "Han So Hee", "Park Hyung Sik", "Kim Go Eun", "Song Kang", "Park Eun Bin", "Lee Jun Ho", "Kim Se Jeong",
    "Ahn Hyo Seop", "Shin Hye Sun", "Kim Seon Ho", "Go Youn Jung", "Nam Joo Hyuk", "Kim Tae Ri", "Jung Hae In",
]  # fmt: skip
CHARACTERS = [
    "Lee Eun Soo", "Han Sun Woo", "Na Hee Do", "Baek Yi Jin", "Woo Young Woo", "Kang Tae Moo", "Go Ha Ri",
    "Kang Tae Oh", "Yoon Ji Woo", "Park Jae Un", "Choi Ji Hyun", "Seo Dal Mi", "Go Hye Jin", "Hong Du Sik",
]  # fmt: skip


def filler_catalog() -> tuple[list[Show], list[Credit]]:
    """Twelve plain shows of four cast each, one director and one network, to draw distractors from."""
    shows: list[Show] = []
    credits: list[Credit] = []
    networks = ["tvN", "KBS2", "MBC", "SBS", "jTBC", "Netflix"]
    for index in range(12):
        show = make_show(
            100 + index, f"Filler Drama {chr(65 + index)}", 2018 + index % 4, networks=(networks[index % 6],)
        )
        shows.append(show)
        for slot in range(4):
            n = (index + slot) % len(ACTORS)
            credits.append(
                cast(show, 1000 + index * 10 + slot, f"{ACTORS[n]} {index}", f"{CHARACTERS[n]} {chr(65 + index)}a")
            )
        credits.append(director(show, 5000 + index, f"Director Kim {chr(65 + index)}"))
    return shows, credits


def every_question(pool: TriviaPool, **filters: object) -> list[Question]:
    questions: list[Question] = []
    for seed in range(30):
        try:
            questions += make_round_set(pool, random.Random(seed), 20, **filters)  # type: ignore[arg-type]
        except NoTrivia:
            pass
    return questions


def test_plain_characters_only() -> None:
    for name in ["Lee Eun Soo", "Han Ba Ram", "Ahn Do Young", "Ko Dong Man", "Detective Kim", "Andy", "Yoo Min-young"]:
        assert is_plain_character(name), name
    for name in [
        "Himself", "[Herself]", "Herself ", "Cameo", "Narrator", "Extra", "Doctor", "Detective", "Team leader",
        "Choi Yoo Jin / Eugene Choi", "Ki Seung Joo [Chae Rok's ballet teacher]", "Lee Eun Soo (young)",
        "(Ep. 6)", "Oh Hae Yeong #2", "Student 2", 'Geobook "Turtle"', "K", "", None, "Young Master",
        "School Nursing Teacher", "Yoo Ri's mother", "Yoo Tan’s dad", "Homeroom teacher",
    ]:  # fmt: skip
        assert not is_plain_character(name), name


def test_a_character_core_sheds_what_is_not_a_name() -> None:
    assert character_core("Young Lee Eun Soo") == character_core("Lee Eun Soo") == name_key("Lee Eun Soo")
    assert character_core("Detective Kim") == character_core("Mr. Kim") == "kim"
    assert character_core("Doctor") == "doctor"
    assert character_core("Kim Min Young") == "kimminyoung"


def test_names_compare_without_case_spaces_hyphens_or_punctuation() -> None:
    assert name_key("Han So Hee") == name_key("Han So-hee") == name_key("HAN SOHEE")
    assert name_key("Soundtrack #1") == name_key("Soundtrack 1")
    assert name_key("Café") == name_key("Cafe")
    assert name_key("Lee Eun Soo") != name_key("Lee Eun Su")


def test_annotated_shared_and_self_named_characters_are_never_asked() -> None:
    shows, credits = filler_catalog()
    show = make_show(1, "Tricky Show", networks=("tvN",))
    shows.append(show)
    credits += [
        cast(show, 1, "Annotated Actor", "Jung Da Eun", character_note="Ep. 1"),
        cast(show, 2, "Slash Actor", "Choi Yoo Jin / Eugene Choi"),
        cast(show, 3, "Shared One", "Kim Min Jae"),
        cast(show, 4, "Shared Two", "Kim Min-jae"),
        cast(show, 5, "Yeo Hoe Hyun", "Yeo Hoe Hyun"),
        cast(show, 6, "Twice Credited", "Park Ji Hoon"),
        cast(show, 6, "Twice Credited", "Park Ji Woo"),
        cast(show, 7, "Generic Actor", "Doctor"),
        cast(show, 8, "Dual Actor", "Number Thirteen", character_note="also Ha Ru"),
        cast(show, 9, "Ha Ru Actor", "Ha Ru"),
        cast(show, 10, "Title Actor", "Tricky"),
        cast(show, 11, "Plain Actor", "Seo Ji Ho"),
        cast(show, 12, "Adult Actor", "Kang Min Ho"),
        cast(show, 13, "Child Actor", "Young Kang Min Ho", role=Role.SUPPORT),
        cast(show, 14, "Surname Actor", "Detective Oh"),
        cast(show, 15, "Other Surname Actor", "Oh"),
        cast(show, 16, "Choi Yoo Jung", "Yoo Jung"),
        cast(show, 17, "Lee Kyu Han", "Lee Gyu Han"),
    ]
    pool = TriviaPool(shows, credits)
    asked = {
        q.person_id
        for q in every_question(pool, show_id=show.id)
        if q.kind in (QuestionKind.WHO_PLAYS, QuestionKind.WHICH_CHARACTER)
    }
    assert asked == {11}
    for question in every_question(pool, kind=QuestionKind.WHICH_CHARACTER, show_id=show.id):
        options = {name_key(option) for option in question.options}
        assert not options & {name_key("Doctor"), name_key("Yeo Hoe Hyun"), name_key("Kim Min Jae")}


def test_a_show_with_too_few_credits_gives_a_clear_error() -> None:
    shows, credits = filler_catalog()
    bare = make_show(1, "Bare Drama", year=None)
    shows.append(bare)
    credits.append(Credit(bare.id, 1, "Lone Writer", bare.title, CreditKind.WRITER))
    pool = TriviaPool(shows, credits)
    with pytest.raises(NoTrivia, match=r"^That drama has too few credits to make a question\.$"):
        make_question(pool, random.Random(1), show_id=bare.id)
    with pytest.raises(NoTrivia, match="not in this server's catalog"):
        make_question(pool, random.Random(1), show_id=999_999)
    # A director is never an easy question: the drama has one, at another difficulty, and the error says so.
    with pytest.raises(NoTrivia, match=r"^That drama has no easy questions; try medium or hard\.$"):
        make_question(pool, random.Random(1), show_id=100, kind=QuestionKind.WHO_DIRECTED, difficulty="easy")
    assert issubclass(NoTrivia, InvalidInput)
    with pytest.raises(InvalidInput, match="easy, medium or hard"):
        make_question(pool, random.Random(1), difficulty="brutal")


def test_unsure_answers_are_never_asked() -> None:
    shows, credits = filler_catalog()
    codirected = make_show(1, "Two Directors", year=None, networks=("tvN", "Netflix"))
    twin_a = make_show(2, "Twin Title", year=2019, networks=("MBC",))
    twin_b = make_show(3, "Twin Title", year=2021, networks=("SBS",))
    twin_c = make_show(4, "Same Year", year=2020)
    twin_d = make_show(5, "Same Year", year=2020)
    shows += [codirected, twin_a, twin_b, twin_c, twin_d]
    credits += [director(codirected, 1, "Director One"), director(codirected, 2, "Director Two")]
    credits += [director(twin_a, 3, "Director Three"), cast(twin_a, 4, "Twin Actor", "Min Ji Woo")]
    credits += [cast(twin_c, 5, "Same Year Actor", "Oh Mi Rae"), cast(twin_d, 6, "Other Year Actor", "Ahn Ji Ho")]
    pool = TriviaPool(shows, credits)
    with pytest.raises(NoTrivia):
        make_question(pool, random.Random(1), show_id=codirected.id)  # co-directed, and two networks
    twin = every_question(pool, show_id=twin_a.id)
    assert {q.kind for q in twin} >= {QuestionKind.WHO_DIRECTED, QuestionKind.NETWORK, QuestionKind.WHO_PLAYS}
    assert QuestionKind.PREMIERE_YEAR not in {q.kind for q in twin}  # the title alone would not say which
    assert all("Twin Title (2019)" in q.text for q in twin if q.kind is not QuestionKind.WHICH_SHOW)
    for same_year in (twin_c, twin_d):  # one title, one year: nothing can name either show
        with pytest.raises(NoTrivia):
            make_question(pool, random.Random(1), show_id=same_year.id)
    for question in every_question(pool, kind=QuestionKind.WHICH_SHOW):
        assert "Same Year" not in question.options


def test_a_distractor_show_never_has_the_actor_under_another_spelling() -> None:
    shows, credits = filler_catalog()
    first = make_show(1, "First Love Story", year=2019)
    sequel = make_show(2, "First Love Story Season 2", year=2020)
    other = make_show(3, "Another Drama", year=2020)
    shows += [first, sequel, other]
    credits += [
        cast(first, 1, "Han So Hee", "Lee Eun Soo"),
        cast(other, 2, "Han So-hee", "Yoon Ji Woo"),
    ]
    pool = TriviaPool(shows, credits)
    for question in every_question(pool, kind=QuestionKind.WHICH_SHOW, person_id=1):
        assert question.answer_text == "First Love Story"
        assert "Another Drama" not in question.options
        assert "First Love Story Season 2" not in question.options  # a sequel the catalog may list incompletely


def test_private_shows_stay_in_their_server() -> None:
    shows, credits = filler_catalog()
    private = make_show(1, "Our Server Drama", networks=("tvN",), guild_id=42)
    shows.append(private)
    credits += [cast(private, 1, "Private Actor", "Kang Mi Rae"), director(private, 2, "Private Director")]
    people = {c.person_id: Person(c.person_id, c.person_name) for c in credits}
    catalog = Catalog(shows, people.values(), credits)

    def mentions_private(pool: TriviaPool) -> bool:
        questions = every_question(pool)
        return any("Our Server Drama" in q.text or "Our Server Drama" in q.options for q in questions) or any(
            "Private" in option for q in questions for option in q.options
        )

    assert mentions_private(TriviaPool.from_catalog(catalog, guild_id=42))
    assert not mentions_private(TriviaPool.from_catalog(catalog, guild_id=7))
    assert not mentions_private(TriviaPool.from_catalog(catalog, guild_id=None))
    with pytest.raises(NoTrivia, match="not in this server's catalog"):
        make_question(TriviaPool.from_catalog(catalog, guild_id=7), random.Random(1), show_id=private.id)


def test_premiere_years_never_pass_the_newest_show() -> None:
    shows, credits = filler_catalog()  # years 2018-2021
    pool = TriviaPool(shows, credits)
    for question in every_question(pool, kind=QuestionKind.PREMIERE_YEAR):
        assert max(int(option) for option in question.options) <= 2021


# -- scoring ---------------------------------------------------------------------------------------------------


@given(elapsed=st.floats(min_value=-5, max_value=100), limit=st.floats(min_value=-1, max_value=60))
def test_points_are_bounded(elapsed: float, limit: float) -> None:
    assert points_for(False, elapsed, limit) == 0
    assert 100 <= points_for(True, elapsed, limit) <= 150


def test_faster_answers_score_more() -> None:
    assert points_for(True, 0, 20) == 150
    assert points_for(True, 10, 20) == 125
    assert points_for(True, 20, 20) == 100
    assert points_for(True, 30, 20) == 100
    scores = [points_for(True, t / 2, 20) for t in range(41)]
    assert scores == sorted(scores, reverse=True)
