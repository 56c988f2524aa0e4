"""/ask answers only about what it was asked: questions about dramas and people the catalog lacks are declined.

tests/data/ask_absent.tsv holds questions about names that are in no source of the catalog (issue 13; its
wrong-show rate is benchmarks/ask_absent.py's table). At most 1 in 50 may be answered.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from bot.ask import answer
from bot.catalog import Catalog, is_typo_of
from bot.text import search_key

TABLE = Path(__file__).parent / "data" / "ask_absent.tsv"
NOW = dt.datetime(2022, 3, 30, 3, 0, tzinfo=dt.UTC)


def rows() -> list[tuple[str, str, str]]:
    found = []
    for line in TABLE.read_text(encoding="utf-8").splitlines():
        if line.strip() and not line.startswith(("#", "intent\t")):
            intent, question, absent = line.split("\t")
            found.append((intent, question, absent))
    return found


def test_the_names_asked_about_are_in_no_source(seeded_catalog: Catalog) -> None:
    names = {search_key(t) for show in seeded_catalog.shows.values() for t in show.all_titles}
    names |= {search_key(n) for person in seeded_catalog.people.values() for n in person.all_names}
    for absent in {row[2] for row in rows()}:
        key = search_key(absent)
        assert key not in names, absent
        assert not any(is_typo_of(key, name) for name in names), absent


def test_questions_about_absent_names_are_declined(seeded_catalog: Catalog) -> None:
    questions = rows()
    assert len(questions) >= 100
    answered = [
        (question, result.text)
        for _intent, question, _absent in questions
        if (result := answer(question, seeded_catalog, guild_id=None, now=NOW)).found
    ]
    assert len(answered) <= len(questions) // 50, answered


@pytest.mark.parametrize(
    ("question", "said"),
    [
        ("who directed breaking bad", "could not find the drama"),
        ("what else has bryan cranston been in", "could not find anyone"),
        ("who plays walter white in breaking bad", "could not find"),
    ],
)
def test_the_refusal_says_what_was_not_found(seeded_catalog: Catalog, question: str, said: str) -> None:
    result = answer(question, seeded_catalog, guild_id=None, now=NOW)
    assert not result.found and said in result.text
