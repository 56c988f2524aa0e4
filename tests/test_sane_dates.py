"""Dates are limited at input to 1900..2200: a typo like 0001-01-01 is refused in one sentence, never saved.

Saved, such a date overflowed the date arithmetic of /drama, /countdown and /ask for that show.
"""

from __future__ import annotations

import datetime as dt
import json

import pytest

from bot.curation.files import ImportRejected, parse_import
from bot.curation.rules import draft_show, parse_date, parse_local_datetime
from bot.errors import InvalidInput
from bot.sources import optional_date
from bot.sources.http import MalformedPayload
from bot.sources.tvmaze import parse_show


@pytest.mark.parametrize("typed", ["0001-01-01", "9999-12-31", "1899-12-31", "2201-01-01"])
def test_a_premiere_outside_the_sane_range_is_refused_in_one_sentence(typed: str) -> None:
    with pytest.raises(InvalidInput) as refused:
        draft_show("Far Future", premiere=typed)
    assert refused.value.message == f"{typed} is not a plausible premiere date; give one between 1900 and 2200."
    with pytest.raises(InvalidInput, match="plausible air date"):
        parse_local_datetime(f"{typed} 21:00", "Asia/Seoul")


def test_the_edges_of_the_range_are_accepted() -> None:
    assert parse_date("1900-01-01") == dt.date(1900, 1, 1)
    assert parse_date("2200-12-31") == dt.date(2200, 12, 31)


def test_an_import_with_such_a_date_names_its_line_and_adds_nothing() -> None:
    document = json.dumps({"shows": [{"title": "Fine"}, {"title": "Far", "premiere": "9999-12-31"}]}, indent=1)
    with pytest.raises(ImportRejected) as rejected:
        parse_import(document.encode(), "shows.json")
    [problem] = rejected.value.problems
    assert "9999-12-31 is not a plausible premiere date" in problem.message
    csv = "title,premiere\nFine,2024-01-01\nFar,0001-01-01\n"
    with pytest.raises(ImportRejected) as rejected_csv:
        parse_import(csv.encode(), "shows.csv")
    assert [p.line for p in rejected_csv.value.problems] == [3]


def test_a_source_with_such_a_date_is_a_malformed_record() -> None:
    assert optional_date("2024-05-01", "premiere") == dt.date(2024, 5, 1)
    with pytest.raises(MalformedPayload, match="out of the catalog's range"):
        optional_date("0001-01-01", "premiere")
    payload = {
        "id": 1, "name": "Far", "type": "Scripted", "language": "Korean", "premiered": "2024-01-01",
        "_embedded": {"cast": [], "episodes": [
            {"id": 9, "number": 1, "season": 1, "airstamp": "0001-01-01T00:00:00+09:00"},
        ]},
    }  # fmt: skip
    with pytest.raises(MalformedPayload, match="out of range"):
        parse_show(payload, [], today=dt.date(2024, 1, 1))
