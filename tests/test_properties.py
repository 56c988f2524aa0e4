"""Property tests: whatever a user types or a file holds, every parser and builder gives an answer or a clear
one-sentence error (a DramabotError), never an unhandled exception, and every card fits Discord's limits."""

from __future__ import annotations

import datetime as dt
import json
import string
from collections.abc import Callable
from typing import Any

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from bot import limits
from bot.ask import answer, checked_question, question_in
from bot.cards import Card, Field, countdown_card, embed_size, fit_card, person_card, show_card
from bot.catalog import Catalog
from bot.curation.files import parse_import
from bot.curation.rules import (
    draft_show,
    edit_changes,
    parse_air_days,
    parse_air_time,
    parse_date,
    parse_local_datetime,
    parse_timezone,
)
from bot.errors import ConfigError, DramabotError
from bot.models import Credit, CreditKind, Person, Role, Show
from bot.settings import Settings
from bot.text import checked_query

FAST = settings(max_examples=60, deadline=1000, suppress_health_check=[HealthCheck.function_scoped_fixture])
NOW = dt.datetime(2026, 6, 1, 12, 0, tzinfo=dt.UTC)

# Text as users paste it: any Unicode, with a bias toward the characters parsers split and trim on.
NASTY = st.text(
    st.one_of(
        st.characters(codec="utf-8", exclude_categories=("Cs",)),
        st.sampled_from([*",;/|&-:+@=\t\r\n \"'#0123456789<>()[]{}.TZ", "\u200b", "\u3000", "한", "ß", "İ"]),
    ),
    max_size=300,
)
LONG = st.text(st.characters(codec="utf-8", exclude_categories=("Cs", "Cc")), min_size=1, max_size=5000)
# A show's title or a person's name: never blank (curation refuses one: "The title cannot be empty.").
NAMED = LONG.filter(str.strip)


def answers_or_refuses(call: Callable[[], Any]) -> Any:
    """Run `call`: it may return anything or refuse with a DramabotError carrying a message; nothing else."""
    try:
        return call()
    except DramabotError as error:
        assert error.message.strip(), "a refusal must say what went wrong"
        return None


# -- dates, times, air days, time zones ------------------------------------------------------------------------


@FAST
@given(NASTY)
def test_date_time_day_and_zone_parsers(text: str) -> None:
    day = answers_or_refuses(lambda: parse_date(text))
    assert day is None or dt.date(1900, 1, 1) <= day <= dt.date(2200, 12, 31)
    answers_or_refuses(lambda: parse_air_time(text))
    days = answers_or_refuses(lambda: parse_air_days(text))
    assert days is None or (days and set(days) <= set(range(7)))
    answers_or_refuses(lambda: parse_timezone(text))
    moment = answers_or_refuses(lambda: parse_local_datetime(text, "Asia/Seoul"))
    assert moment is None or moment.tzinfo is not None


@FAST
@given(st.dates(), st.times(), st.sampled_from(["Asia/Seoul", "America/New_York", "Pacific/Kiritimati", "UTC"]))
def test_any_date_and_time_either_parses_in_range_or_is_refused(day: dt.date, time: dt.time, zone: str) -> None:
    typed = f"{day.isoformat()} {time:%H:%M}"
    moment = answers_or_refuses(lambda: parse_local_datetime(typed, zone))
    assert (moment is not None) == (dt.date(1900, 1, 1) <= day <= dt.date(2200, 12, 31))


# -- every /show option ----------------------------------------------------------------------------------------

OPTIONS = ("hangul_title", "network", "premiere", "air_days", "air_time", "timezone", "synopsis", "aliases")


@FAST
@given(NASTY, st.dictionaries(st.sampled_from(OPTIONS), NASTY), st.one_of(st.none(), st.integers(), NASTY))
def test_show_add_options(title: str, options: dict[str, str], episodes: int | str | None) -> None:
    draft = answers_or_refuses(lambda: draft_show(title, episodes=episodes, **options))
    assert draft is None or (draft.title.strip() and len(draft.title) <= 100)


EDIT_OPTIONS = ("new_title", "hangul_title", "network", "premiere", "air_days", "air_time", "timezone", "synopsis")


@FAST
@given(st.dictionaries(st.sampled_from(EDIT_OPTIONS), NASTY), st.one_of(st.none(), st.integers(-(10**12), 10**12)))
def test_show_edit_options(options: dict[str, str | int | None], episodes: int | None) -> None:
    options = options | {"episodes": episodes}  # Discord sends this option as a whole number
    show = Show(id=1, title="Edited", episode_count=16, guild_id=5)
    answers_or_refuses(lambda: edit_changes(show, options))


# -- import files ------------------------------------------------------------------------------------------------

JSON_VALUES = st.recursive(
    st.none() | st.booleans() | st.integers() | st.floats(allow_nan=False) | NASTY,
    lambda inner: st.lists(inner, max_size=5) | st.dictionaries(NASTY | st.sampled_from((*OPTIONS, "title")), inner),
    max_leaves=30,
)
SHOW_RECORDS = st.fixed_dictionaries(
    {"title": NASTY}, optional={name: st.one_of(NASTY, st.lists(NASTY, max_size=3), st.integers()) for name in OPTIONS}
)


@FAST
@given(
    st.one_of(
        JSON_VALUES, st.lists(SHOW_RECORDS, max_size=5), st.builds(lambda s: {"shows": s}, st.lists(SHOW_RECORDS))
    )
)
def test_import_json(document: Any) -> None:
    rows = answers_or_refuses(lambda: parse_import(json.dumps(document).encode(), "shows.json"))
    assert rows is None or all(row.draft.title for row in rows)


@FAST
@given(st.binary(max_size=2000), st.sampled_from(["shows.json", "shows.csv", "shows.txt"]))
def test_import_any_bytes(data: bytes, name: str) -> None:
    answers_or_refuses(lambda: parse_import(data, name))


@FAST
@given(st.lists(st.lists(NASTY, max_size=6), max_size=8))
def test_import_csv(rows: list[list[str]]) -> None:
    header = "title,premiere,air_days,air_time,timezone,network,episodes\n"
    body = "\n".join(",".join(json.dumps(cell) for cell in row) for row in rows)
    answers_or_refuses(lambda: parse_import((header + body).encode(), "shows.csv"))


# -- /ask questions and search queries ---------------------------------------------------------------------------

QUESTION_WORDS = st.sampled_from(
    "who is the actor of in on from for plays played directed wrote when does episode 2 air what did star been "
    "and with together both season part airing today tomorrow on netflix tvn ab kim ji han so hee goblin "
    "signal vincenzo soundtrack #1 1 0001 9999 2022 ' ? ! s k drama".split()
)
QUESTIONS = st.one_of(NASTY, st.lists(QUESTION_WORDS, max_size=60).map(" ".join))


# No deadline: the first question builds /ask's lookups (a second, more on a loaded machine), and every
# question after is bounded by its own processor-time budget (bot/ask/budget.py), not by the wall clock.
@settings(FAST, deadline=None)
@given(QUESTIONS)
def test_ask_answers_or_refuses(seeded_catalog: Catalog, question: str) -> None:
    asked = answers_or_refuses(lambda: checked_question(question))
    if asked is None:
        return
    result = answers_or_refuses(lambda: answer(asked, seeded_catalog, guild_id=None, now=NOW))
    assert result is None or (result.text.strip() and len(limits.message(result.text)) <= limits.MESSAGE)
    assert question_in(f"<@1> {question}", mentioning=1) is not None


@FAST
@given(NASTY)
def test_search_queries(seeded_catalog: Catalog, text: str) -> None:
    query = answers_or_refuses(lambda: checked_query(text))
    for run in (seeded_catalog.search_shows, seeded_catalog.complete_shows, seeded_catalog.search_people):
        hits = run(text, limit=25)
        assert len(hits) <= 25
    if query is not None:
        answers_or_refuses(lambda: seeded_catalog.find_show(query))
        answers_or_refuses(lambda: seeded_catalog.find_person(query))


# -- settings --------------------------------------------------------------------------------------------------

SETTING_NAMES = (
    "DEV_GUILD_ID", "OWNER_IDS", "LOG_LEVEL", "ANNOUNCE_GRACE_HOURS", "ANNOUNCE_SEND_TIMEOUT", "SYNC_HOUR_UTC",
    "DATABASE_PATH", "DISCORD_API_BASE", "TVMAZE_API_BASE",
)  # fmt: skip
SETTING_VALUES = st.one_of(
    st.text(st.characters(codec="utf-8", exclude_categories=("Cs",), exclude_characters="\x00"), max_size=40),
    st.sampled_from(["nan", "-nan", "inf", "-1", "1e309", "0", "24", "debug", "LOUD", "1,2, 3", "0x10", "٣"]),
)


@FAST
@given(st.dictionaries(st.sampled_from(SETTING_NAMES), SETTING_VALUES))
def test_settings(environ: dict[str, str]) -> None:
    try:
        built = Settings.from_env(environ, dotenv=None)
    except ConfigError as error:
        assert error.message.endswith(".") and "\n" not in error.message
        return
    assert built.announce_grace_hours >= 0 and built.announce_send_timeout > 0
    assert built.announce_grace_hours < float("inf") and built.log_level in (
        "DEBUG",
        "INFO",
        "WARNING",
        "ERROR",
        "CRITICAL",
    )


# -- cards and pages, fed extreme strings -------------------------------------------------------------------------


def fits_discord(card: Card) -> None:
    fitted = fit_card(card)
    assert len(fitted.title) <= limits.EMBED_TITLE and fitted.title
    assert len(fitted.description) <= limits.EMBED_DESCRIPTION
    assert len(fitted.fields) <= limits.FIELDS
    for field in fitted.fields:
        assert 0 < len(field.name) <= limits.FIELD_NAME and 0 < len(field.value) <= limits.FIELD_VALUE
    assert len(fitted.footer) <= limits.FOOTER and embed_size(fitted) <= limits.EMBED_TOTAL
    assert all(len(label) <= limits.LABEL for label, _url in fitted.links)


@FAST
@given(NAMED, st.one_of(st.none(), LONG), st.lists(LONG, max_size=4), st.lists(LONG, max_size=30), st.integers(0, 5))
def test_show_person_and_countdown_cards_fit(
    title: str, hangul: str | None, names: list[str], characters: list[str], page: int
) -> None:
    show = Show(
        id=1, title=title, hangul_title=hangul, networks=tuple(names), aliases=tuple(names), genres=tuple(names),
        synopsis=title, premiere=dt.date(2200, 12, 31), finale=dt.date(2200, 12, 31), air_days=(0, 6),
        air_time=dt.time(23, 59), episode_count=16,
    )  # fmt: skip
    person = Person(id=2, name=title, hangul_name=hangul, alt_names=tuple(names))
    credits = [
        Credit(1, 2, title, title, CreditKind.CAST, character=c, role=Role.MAIN if n % 2 else Role.SUPPORT, billing=n)
        for n, c in enumerate(characters)
    ] + [Credit(1, 2, title, title, CreditKind.DIRECTOR), Credit(1, 2, title, title, CreditKind.WRITER)]
    catalog = Catalog([show], [person], credits)
    for card in (
        show_card(catalog, show, now=NOW),
        person_card(catalog, person, guild_id=None, page=page),
        countdown_card(show, catalog.schedule_of(show), now=NOW),
    ):
        fits_discord(card)


@FAST
@given(LONG, LONG, st.lists(st.tuples(LONG, LONG), max_size=40), LONG)
def test_any_card_is_fitted(title: str, description: str, fields: list[tuple[str, str]], footer: str) -> None:
    card = Card(title, description, tuple(Field(n, v) for n, v in fields), footer=footer, links=((title, "https://x"),))
    fits_discord(card)


@FAST
@given(st.lists(st.text(max_size=3000), max_size=40), st.integers(1, 30), st.integers(1, 4096))
def test_lines_fit_and_pages_keep_every_line(lines: list[str], per_page: int, limit: int) -> None:
    assert len(limits.fit_lines(lines, max(limit, 20))) <= max(limit, 20)
    pages = limits.pack_pages(lines, per_page=per_page, limit=limit)
    assert sum(len(page) for page in pages) == len(lines)
    assert all(0 < len(page) <= per_page and len("\n".join(page)) <= limit for page in pages)
    for text in lines:
        assert len(limits.choice_name(text)) <= limits.CHOICE_NAME and limits.choice_name(text)
        assert len(limits.label(text)) <= limits.LABEL and limits.label(text)


@pytest.mark.parametrize("limit", [0, 1, 2])
def test_fit_at_tiny_limits(limit: int) -> None:
    assert len(limits.fit("abcdef", limit)) <= limit
    assert string.ascii_letters[:limit] == limits.fit(string.ascii_letters[:limit], limit)
