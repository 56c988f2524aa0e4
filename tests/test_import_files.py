"""Import and export files: bounded work on hostile input, and exports that spreadsheets open as plain text."""

from __future__ import annotations

import csv
import io
import time

import pytest

from bot.curation.files import IMPORT_MAX_SHOWS, ImportRejected, export_shows, parse_import
from bot.errors import InvalidInput
from bot.models import Show


def test_a_huge_array_of_tiny_items_is_refused_quickly() -> None:
    data = ("[" + ",".join(["1"] * 450_000) + "]").encode()  # just under the size cap
    started = time.perf_counter()
    with pytest.raises(InvalidInput, match=f"import at most {IMPORT_MAX_SHOWS}"):
        parse_import(data, "shows.json")
    assert time.perf_counter() - started < 1.0


def test_each_problem_names_the_line_its_show_starts_on() -> None:
    shows = [f'{{\n  "title": "Show {n}",\n  "episodes": "many"\n}}' for n in range(IMPORT_MAX_SHOWS)]
    data = ("[\n" + ",\n".join(shows) + "\n]").encode()
    with pytest.raises(ImportRejected) as raised:
        parse_import(data, "shows.json")
    assert [problem.line for problem in raised.value.problems] == [2 + 4 * n for n in range(IMPORT_MAX_SHOWS)]


def test_a_csv_with_too_many_rows_stops_at_the_cap() -> None:
    data = ("title\n" + "\n".join(f"Show {n}" for n in range(60_000))).encode()  # about 650 kB
    with pytest.raises(InvalidInput, match=f"import at most {IMPORT_MAX_SHOWS}"):
        parse_import(data, "shows.csv")


@pytest.mark.parametrize("title", ['=HYPERLINK("http://x")', "+1", "-2+3", "@SUM(A1)", "\tTab"])
def test_csv_exports_are_inert_in_spreadsheets_and_import_back(title: str) -> None:
    exported = export_shows([Show(id=1, title=title, synopsis="=cmd|' /C calc'!A0")], "csv")
    rows = list(csv.DictReader(io.StringIO(exported.decode(), newline="")))
    assert rows[0]["title"] == "'" + title and rows[0]["synopsis"].startswith("'=")
    (row,) = parse_import(exported, "shows.csv")
    assert row.draft.title == title.strip() or row.draft.title == " ".join(title.split())
