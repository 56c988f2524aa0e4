"""Curation rules as plain functions: parsing what admins type, import files, near duplicates, permissions."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from bot.curation.files import ImportRejected, check_against_catalog, export_shows, parse_import
from bot.curation.rules import (
    SYNOPSIS_LIMIT,
    TITLE_LIMIT,
    audit_value,
    can_edit,
    draft_show,
    edit_changes,
    field_from_audit,
    is_curator,
    parse_air_days,
    parse_air_time,
    parse_date,
    parse_local_datetime,
    parse_timezone,
    shows_named_from,
    similar_person,
    similar_show,
)
from bot.errors import InvalidInput
from bot.models import Person, Show

DATA = Path(__file__).resolve().parents[1] / "data"
GUILD, OTHER, ADMIN, OWNER = 1, 2, 10, 99


def test_dates_parse_or_say_the_format() -> None:
    assert parse_date("2026-03-04") == dt.date(2026, 3, 4)
    for bad in ("2026-02-30", "4/3/2026", "2026-3-4", "next week"):
        with pytest.raises(InvalidInput, match="YYYY-MM-DD"):
            parse_date(bad)


@pytest.mark.parametrize(
    ("text", "days"),
    [
        ("Wed,Thu", (2, 3)),
        ("wednesday, thursday", (2, 3)),
        ("Sat Sun", (5, 6)),
        ("fri/sat", (4, 5)),
        ("Mon, mon", (0,)),
        ("Thurs", (3,)),
    ],
)
def test_air_days_accept_names_and_abbreviations(text: str, days: tuple[int, ...]) -> None:
    assert parse_air_days(text) == days


def test_air_days_name_the_bad_word() -> None:
    with pytest.raises(InvalidInput, match="“funday” is not a weekday"):
        parse_air_days("Wed, funday")
    with pytest.raises(InvalidInput):
        parse_air_days(" , ")


def test_times_and_time_zones() -> None:
    assert parse_air_time("20:50") == dt.time(20, 50)
    assert parse_air_time("9:05") == dt.time(9, 5)
    for bad in ("24:00", "20.50", "8pm", "20:5"):
        with pytest.raises(InvalidInput, match="HH:MM"):
            parse_air_time(bad)
    assert parse_timezone(None) == "Asia/Seoul"
    assert parse_timezone("Europe/Paris") == "Europe/Paris"
    for bad in ("Mars/Olympus", "../etc/passwd", "KST"):
        with pytest.raises(InvalidInput, match="IANA"):
            parse_timezone(bad)


def test_local_air_time_becomes_utc() -> None:
    moment = parse_local_datetime("2026-03-04 20:50", "Asia/Seoul")
    assert moment == dt.datetime(2026, 3, 4, 11, 50, tzinfo=dt.UTC)
    with pytest.raises(InvalidInput, match="YYYY-MM-DD HH:MM"):
        parse_local_datetime("tomorrow 8pm", "Asia/Seoul")


def test_draft_checks_lengths_and_collapses_space() -> None:
    draft = draft_show("  Moonlit   Garden ", network="tvN, Netflix", episodes=16, aliases="MGC|moonlit garden")
    assert draft.title == "Moonlit Garden"
    assert draft.networks == ("tvN", "Netflix")
    assert draft.aliases == ("MGC",)  # the title itself is not kept as an alias
    with pytest.raises(InvalidInput, match=f"keep it to {TITLE_LIMIT}"):
        draft_show("x" * (TITLE_LIMIT + 1))
    with pytest.raises(InvalidInput, match=f"keep it to {SYNOPSIS_LIMIT}"):
        draft_show("Fine", synopsis="y" * (SYNOPSIS_LIMIT + 1))
    with pytest.raises(InvalidInput, match="empty"):
        draft_show("   ")
    with pytest.raises(InvalidInput, match="between 1 and"):
        draft_show("Fine", episodes=0)


def show(show_id: int, title: str, guild_id: int | None = None, **fields: object) -> Show:
    return Show(id=show_id, title=title, guild_id=guild_id, **fields)  # type: ignore[arg-type]


def test_edit_keeps_only_real_changes_and_clears_with_a_dash() -> None:
    current = show(1, "Moonlit Garden", GUILD, networks=("tvN",), air_time=dt.time(20, 50), episode_count=16)
    changes = edit_changes(current, {"new_title": "Moonlit Garden", "network": "JTBC", "air_time": "-", "episodes": 16})
    assert changes == {"networks": ("JTBC",), "air_time": None}
    with pytest.raises(InvalidInput, match="Nothing to change"):
        edit_changes(current, {"new_title": "Moonlit Garden", "premiere": None})
    with pytest.raises(InvalidInput, match="keep a title"):
        edit_changes(current, {"new_title": "-"})


@given(
    st.dates(min_value=dt.date(1950, 1, 1)),
    st.sets(st.integers(0, 6), min_size=0, max_size=7),
    st.times().map(lambda t: t.replace(second=0, microsecond=0)),
)
def test_audit_values_read_back(premiere: dt.date, days: set[int], time: dt.time) -> None:
    for name, value in (("premiere", premiere), ("air_days", tuple(sorted(days))), ("air_time", time)):
        stored = json.loads(json.dumps(audit_value(name, value)))
        assert field_from_audit(name, stored) == value


def test_near_duplicate_titles_and_names() -> None:
    catalog = [show(1, "Soundtrack #1", alt_titles=("Soundtrack 1",)), show(2, "Vincenzo")]
    assert similar_show("soundtrack 1", catalog) is catalog[0]
    assert similar_show("Vincenzoo", catalog) is catalog[1]
    assert similar_show("Moonlit Garden", catalog) is None
    people = [Person(1, "Han So Hee", alt_names=("Han So-hee",)), Person(2, "Song Joong Ki")]
    assert similar_person("Han Sohee", people) is people[0]
    assert similar_person("Kim Go Eun", people) is None


def test_shows_named_from_what_was_typed_exact_first() -> None:
    shows = [
        show(1, "Moonlit Garden Chronicles", hangul_title="달빛 정원"),
        show(2, "Moonlit", aliases=("MG",)),
        show(3, "Sunlit Garden"),
    ]
    assert [s.id for s in shows_named_from("moonlit", shows)] == [2, 1]
    assert [s.id for s in shows_named_from("Moonlit-G", shows)] == [1]
    assert [s.id for s in shows_named_from("mg", shows)] == [2]
    assert [s.id for s in shows_named_from("달빛 저", shows)] == [1], "a Hangul syllable still being typed"
    assert shows_named_from("garden", shows) == [] and shows_named_from(" ", shows) == []


def test_who_may_edit_what() -> None:
    shared, ours, theirs = show(1, "Seed"), show(2, "Ours", GUILD), show(3, "Theirs", OTHER)
    owners = {OWNER}
    assert is_curator(ADMIN, True, owners) and is_curator(OWNER, False, owners)
    assert not is_curator(ADMIN, False, owners)
    assert can_edit(ours, GUILD, ADMIN, True, owners)
    assert not can_edit(ours, GUILD, ADMIN, False, owners), "Manage Server is needed"
    assert not can_edit(shared, GUILD, ADMIN, True, owners), "the shared catalog is the owners'"
    assert not can_edit(theirs, GUILD, ADMIN, True, owners), "another server's show"
    assert not can_edit(ours, OTHER, ADMIN, True, owners), "only from inside the server that owns it"
    assert all(can_edit(s, GUILD, OWNER, False, owners) for s in (shared, ours, theirs))


@pytest.mark.parametrize("name", ["import-example.json", "import-example.csv"])
def test_the_documented_examples_import(name: str) -> None:
    rows = parse_import((DATA / name).read_bytes(), name)
    assert [row.draft.title for row in rows] == ["Moonlit Garden Chronicles", "Second Spring Bakery"]
    first = rows[0].draft
    assert first.air_days == (2, 3) and first.air_time == dt.time(20, 50) and first.aliases == ("MGC", "Moonlit Garden")


def test_a_bad_csv_row_is_named_by_its_line_and_nothing_passes() -> None:
    data = (
        b"title,premiere,air_days,air_time\n"
        b"Good One,2026-01-01,Mon,20:00\n"
        b'"Multi, line",2026-01-02,"Tue,\nWed",21:00\n'
        b"Bad Date,2026-13-01,Mon,20:00\n"
        b"Bad Day,,Funday,\n"
    )
    with pytest.raises(ImportRejected) as caught:
        parse_import(data, "shows.csv")
    problems = caught.value.problems
    assert [p.line for p in problems] == [5, 6]
    assert "2026-13-01" in problems[0].message and "Funday".lower() in problems[1].message.lower()
    assert caught.value.message.startswith("Nothing was imported: line 5:")


def test_a_bad_json_show_is_named_by_its_line() -> None:
    document = {"shows": [{"title": "Fine"}, {"title": "Late", "air_time": "25:00"}, {"title": "fine"}]}
    text = json.dumps(document, indent=2)
    with pytest.raises(ImportRejected) as caught:
        parse_import(text.encode(), "x.json")
    lines = text.splitlines()
    assert [p.line for p in caught.value.problems] == [6, 10]
    assert lines[5].strip() == "{" and '"Late"' in lines[6]
    assert "already in this file, on line 3" in caught.value.problems[1].message
    with pytest.raises(ImportRejected, match="line 1: this is not valid JSON"):
        parse_import(b"{nope", "x.json")
    with pytest.raises(ImportRejected, match="unknown field “year”"):
        parse_import(b'[{"title": "A", "year": 2020}]', "x.json")


@pytest.mark.parametrize("name", ["aliases", "networks", "network", "air_days"])
@pytest.mark.parametrize("value", [5, True, {"a": "b"}, ["fine", 7], [["nested"]]])
def test_a_list_field_of_the_wrong_type_is_named_by_its_line(name: str, value: object) -> None:
    text = json.dumps({"shows": [{"title": "Fine"}, {"title": "Odd", name: value}]}, indent=2)
    with pytest.raises(ImportRejected) as caught:
        parse_import(text.encode(), "x.json")
    assert [(p.line, p.message) for p in caught.value.problems] == [(6, f"{name} must be text or a list of texts.")]


def test_json_nested_too_deeply_is_not_valid_json() -> None:
    with pytest.raises(ImportRejected, match="line 1: this is not valid JSON"):
        parse_import(b"[" * 100_000 + b"]" * 100_000, "x.json")
    with pytest.raises(ImportRejected, match="line 1: this is not valid JSON"):
        parse_import(b'{"shows": [{"title": "Deep", "aliases": ' + b"[" * 100_000 + b"]" * 100_000 + b"}]}", "x.json")


def test_import_refuses_titles_the_server_already_has() -> None:
    rows = parse_import(b'[{"title": "Other"}, {"title": "vincenzo"}]', "x.json")
    with pytest.raises(ImportRejected, match="line 1: “vincenzo” is already in the catalog"):
        check_against_catalog(rows, [show(2, "Vincenzo")])


@pytest.mark.parametrize("kind", ["json", "csv"])
def test_export_reads_back_as_the_same_shows(kind: str) -> None:
    shows = [
        show(1, "Moonlit Garden", GUILD, hangul_title="달빛", networks=("tvN", "Netflix"), premiere=dt.date(2026, 3, 4),
             episode_count=16, air_days=(2, 3), air_time=dt.time(20, 50), synopsis="Plants, and \"quotes\".",
             aliases=("MGC",)),
        show(2, "Bakery", GUILD),
    ]  # fmt: skip
    rows = parse_import(export_shows(shows, kind), f"export.{kind}")
    by_title = {row.draft.title: row.draft for row in rows}
    again = by_title["Moonlit Garden"]
    assert again.networks == ("tvN", "Netflix") and again.air_days == (2, 3) and again.aliases == ("MGC",)
    assert again.synopsis == 'Plants, and "quotes".' and again.episode_count == 16
    assert by_title["Bakery"].premiere is None
