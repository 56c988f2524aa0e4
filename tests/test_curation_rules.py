"""Every option of /show add and /show edit, every audit value, every refusal's exact sentence (bot/curation/rules.py).

Written against the mutants tests/test_curation.py let live (scripts/mutation.py): an option that was never
edited, a field that never reached the audit log, a refusal whose words (the field it names) were never read.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.catalog import Catalog, Lookup
from bot.curation.rules import (
    ShowDraft,
    audit_fields,
    audit_value,
    checked_alias,
    checked_role,
    draft_show,
    edit_changes,
    field_from_audit,
    own_shows,
    own_shows_matching,
    parse_air_days,
    parse_air_time,
    parse_date,
    parse_local_datetime,
    parse_timezone,
    person_named,
    picked_show,
    shown_value,
    shows_named_from,
    similar_show,
    split_list,
)
from bot.errors import InvalidInput
from bot.models import Person, Role, Show

GUILD = 5
SHOW = Show(
    id=1, title="Moonlit Garden", hangul_title="달빛 정원", networks=("tvN",), premiere=dt.date(2026, 3, 4),
    episode_count=16, air_days=(2, 3), air_time=dt.time(20, 50), timezone="Asia/Seoul", synopsis="Plants.",
    guild_id=GUILD,
)  # fmt: skip


def refused(call: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(InvalidInput) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    return caught.value.message


# -- /show edit ---------------------------------------------------------------------------------------------


def test_every_edit_option_sets_its_field() -> None:
    changes = edit_changes(
        SHOW,
        {
            "new_title": "  Sunlit   Garden ", "hangul_title": "햇빛 정원", "network": "JTBC | Netflix",
            "premiere": "2026-04-01", "episodes": 12, "air_days": "Sat, Sun", "air_time": "21:10",
            "timezone": "Europe/Paris", "synopsis": " Sun \n flowers ",
        },
    )  # fmt: skip
    assert changes == {
        "title": "Sunlit Garden", "hangul_title": "햇빛 정원", "networks": ("JTBC", "Netflix"),
        "premiere": dt.date(2026, 4, 1), "episode_count": 12, "air_days": (5, 6), "air_time": dt.time(21, 10),
        "timezone": "Europe/Paris", "synopsis": "Sun\nflowers",
    }  # fmt: skip


def test_a_dash_clears_every_optional_field() -> None:
    options = ("hangul_title", "network", "premiere", "episodes", "air_days", "air_time", "timezone", "synopsis")
    changes = edit_changes(Show(**{**vars_of(SHOW), "timezone": "Europe/Paris"}), dict.fromkeys(options, " - "))
    assert changes == {
        "hangul_title": None, "networks": (), "premiere": None, "episode_count": None, "air_days": (),
        "air_time": None, "timezone": "Asia/Seoul", "synopsis": None,
    }  # fmt: skip
    assert refused(edit_changes, SHOW, {"new_title": "-"}) == (
        "A show must keep a title; type the new title instead of “-”."
    )


def vars_of(show: Show) -> dict[str, object]:
    return {name: getattr(show, name) for name in show.__dataclass_fields__}


def test_options_left_out_are_skipped_and_the_rest_still_read() -> None:
    changes = edit_changes(SHOW, {"new_title": None, "hangul_title": None, "synopsis": "New synopsis."})
    assert changes == {"synopsis": "New synopsis."}
    with pytest.raises(ValueError, match="not an edit option: colour"):
        edit_changes(SHOW, {"colour": "blue"})


def test_each_bad_edit_names_its_field() -> None:
    assert refused(edit_changes, SHOW, {"new_title": " "}) == "The title cannot be empty."
    assert refused(edit_changes, SHOW, {"new_title": "t" * 101}) == "The title is 101 characters long; keep it to 100."
    assert refused(edit_changes, SHOW, {"hangul_title": "한" * 101}) == (
        "The Hangul title is 101 characters long; keep it to 100."
    )
    assert refused(edit_changes, SHOW, {"network": "n" * 51}) == "The network is 51 characters long; keep it to 50."
    assert refused(edit_changes, SHOW, {"premiere": "soon"}) == (
        "“soon” is not a premiere date; write it as YYYY-MM-DD, e.g. 2026-03-04."
    )
    assert refused(edit_changes, SHOW, {"air_days": "Funday"}).startswith("“funday” is not a weekday")
    assert refused(edit_changes, SHOW, {"air_time": "25:00"}).startswith("“25:00” is not a time")
    assert refused(edit_changes, SHOW, {"timezone": "Mars/Base"}).startswith("“Mars/Base” is not a time zone")
    assert refused(edit_changes, SHOW, {"synopsis": "s" * 1001}).startswith("The synopsis is 1001 characters long")
    assert refused(edit_changes, SHOW, {"air_time": "20:50"}) == (
        "Nothing to change: give /show edit at least one new value for “Moonlit Garden”."
    )


# -- /show add and one import row ----------------------------------------------------------------------------


def test_a_draft_keeps_every_field() -> None:
    draft = draft_show(
        " Sunlit  Garden ", hangul_title=" 햇빛 정원 ", network=["JTBC", "Netflix"], premiere=" 2026-04-01 ",
        episodes=" 12 ", air_days=["Sat", "Sun"], air_time=" 21:10 ", timezone="Europe/Paris",
        synopsis=" Sun \n flowers ", aliases=["SG", "sunlit garden", "Sunny"],
    )  # fmt: skip
    assert draft == ShowDraft(
        title="Sunlit Garden", hangul_title="햇빛 정원", networks=("JTBC", "Netflix"), premiere=dt.date(2026, 4, 1),
        episode_count=12, air_days=(5, 6), air_time=dt.time(21, 10), timezone="Europe/Paris",
        synopsis="Sun\nflowers", aliases=("SG", "Sunny"),
    )  # fmt: skip
    assert draft.fields() == {
        "title": "Sunlit Garden", "hangul_title": "햇빛 정원", "networks": ("JTBC", "Netflix"),
        "premiere": dt.date(2026, 4, 1), "episode_count": 12, "air_days": (5, 6), "air_time": dt.time(21, 10),
        "timezone": "Europe/Paris", "synopsis": "Sun\nflowers",
    }  # fmt: skip
    bare = draft_show("Bare", premiere=" ", air_days=" ", air_time="")
    assert bare == ShowDraft(title="Bare") and bare.timezone == "Asia/Seoul"


def test_each_bad_draft_field_is_named() -> None:
    assert refused(draft_show, "t" * 101) == "The title is 101 characters long; keep it to 100."
    assert (
        refused(draft_show, "T", hangul_title="한" * 101) == "The Hangul title is 101 characters long; keep it to 100."
    )
    assert refused(draft_show, "T", network="n" * 51) == "The network is 51 characters long; keep it to 50."
    assert refused(draft_show, "T", aliases=["a" * 101]) == "The alias is 101 characters long; keep it to 100."
    assert refused(draft_show, "T", episodes="a dozen episodes and more") == (
        "“a dozen episodes and” is not a number of episodes."
    )
    assert refused(draft_show, "T", timezone="Nowhere/Land") == (
        "“Nowhere/Land” is not a time zone; use an IANA name like Asia/Seoul."
    )
    assert refused(split_list, ["fine", "x" * 11], "tag", 10, 5) == "The tag is 11 characters long; keep it to 10."


# -- the audit log and the edit preview ------------------------------------------------------------------------


def test_audit_values_are_plain_json_and_read_back() -> None:
    values = {
        "premiere": dt.date(2026, 3, 4), "finale": dt.date(2026, 4, 23), "air_days": (2, 3),
        "air_time": dt.time(20, 50), "networks": ("tvN", "Netflix"), "genres": ("Drama",), "aliases": ("MG",),
        "episode_count": 16, "title": "Moonlit", "hangul_title": None,
    }  # fmt: skip
    stored = audit_fields(values)
    assert stored == {
        "premiere": "2026-03-04", "finale": "2026-04-23", "air_days": "Wed,Thu", "air_time": "20:50",
        "networks": ["tvN", "Netflix"], "genres": ["Drama"], "aliases": ["MG"], "episode_count": 16,
        "title": "Moonlit", "hangul_title": None,
    }  # fmt: skip
    assert audit_value("aliases", ("MG",)) == ["MG"]
    read = {name: field_from_audit(name, value) for name, value in stored.items()}
    assert read == values | {"aliases": ["MG"]}, "aliases are not a model field; they stay a list"
    assert field_from_audit("air_days", "") == () and field_from_audit("air_days", None) == ()
    assert field_from_audit("networks", None) == () and field_from_audit("genres", []) == ()
    assert field_from_audit("premiere", None) is None and field_from_audit("air_time", None) is None


def test_shown_values_are_short_and_say_none() -> None:
    assert shown_value(None) == shown_value("") == shown_value([]) == "(none)"
    assert shown_value(["tvN", "Netflix"]) == "tvN, Netflix"
    assert shown_value("  a \n b ") == "a b"
    assert shown_value(16) == "16"
    assert shown_value("x" * 80) == "x" * 80
    assert shown_value("x" * 81) == "x" * 79 + "…"


# -- parsing what admins type ------------------------------------------------------------------------------------


def test_air_days_separators_and_refusals() -> None:
    for text in ("Wed and Thu", "wed|thu", "Wed & Thu", "Wed., Thu.", "wednesday/thursday", "weds thurs"):
        assert parse_air_days(text) == (2, 3), text
    assert refused(parse_air_days, "Wed, Caturday-and-more-than-twenty") == (
        "“caturday-and-more-th” is not a weekday; write days like “Wed,Thu” or “wednesday, thursday”."
    )
    assert refused(parse_air_days, "and , and") == "Give at least one air day, like “Wed,Thu”."


def test_dates_times_and_zones_quote_what_was_typed() -> None:
    assert (
        refused(parse_date, "x" * 50)
        == f"“{'x' * 40}” is not a premiere date; write it as YYYY-MM-DD, e.g. 2026-03-04."
    )
    assert refused(parse_air_time, "t" * 30) == (
        f"“{'t' * 20}” is not a time; write it as HH:MM on a 24-hour clock, e.g. 20:50."
    )
    assert refused(parse_timezone, "z" * 50) == f"“{'z' * 40}” is not a time zone; use an IANA name like Asia/Seoul."
    assert parse_timezone("  ") == "Asia/Seoul" and parse_timezone(" Europe/Paris ") == "Europe/Paris"
    assert refused(parse_timezone, "Asia/Seoul.").startswith("“Asia/Seoul.”")


def test_a_local_date_and_time() -> None:
    moment = parse_local_datetime(" 2026-07-01  21:00 ", "Europe/Paris")
    assert moment == dt.datetime(2026, 7, 1, 19, 0, tzinfo=dt.UTC) and moment.utcoffset() == dt.timedelta(0)
    assert refused(parse_local_datetime, "2026-02-30 21:00", "Asia/Seoul") == (
        "“2026-02-30” is not an air date; write it as YYYY-MM-DD, e.g. 2026-03-04."
    )
    for bad in ("2026-07-01", "2026-07-01 21:00 KST", "21:00 2026-07-01", "2026-07-01 9pm", "tomorrow 21:00"):
        assert refused(parse_local_datetime, bad, "Asia/Seoul").endswith(
            "is not a date and time; write it as YYYY-MM-DD HH:MM."
        ), bad
    assert refused(parse_local_datetime, "y" * 50, "Asia/Seoul").startswith(f"“{'y' * 40}”")


# -- names, roles and lookups -----------------------------------------------------------------------------------


def test_aliases_roles_and_people() -> None:
    assert refused(checked_alias, SHOW, "  ") == "The alias cannot be empty."
    assert checked_role("support") is Role.SUPPORT
    assert refused(checked_role, "lead") == "Pick the role from the list: main, support or guest."
    people = [Person(1, "Han So Hee", alt_names=("Han So-hee",)), Person(2, "Song Kang")]
    assert person_named("han so-hee", people) is people[0]
    assert person_named("SONG  kang", people) is people[1]
    assert person_named("Song", people) is None


def test_a_change_lands_only_on_a_sure_lookup() -> None:
    assert picked_show(Lookup(SHOW, sure=True, score=100.0), "moonlit garden") is SHOW
    assert refused(picked_show, Lookup(SHOW, sure=False, score=70.0), "  moonlit  ") == (
        "I am not sure which drama “moonlit” is (perhaps Moonlit Garden?); pick it from the list as you type."
    )


def test_a_near_duplicate_is_judged_on_the_whole_title() -> None:
    long = Show(id=2, title="Moonlit Garden Chronicles")
    assert similar_show("Moonlit", [long]) is None, "a mere prefix is another drama"
    assert similar_show("Moonlit Garden Chronicle", [long]) is long
    assert similar_show("", [long]) is None and similar_show("Moonlit", []) is None


def test_a_servers_own_shows_as_an_admin_types() -> None:
    shows = [
        Show(id=1, title="Zebra Nights", guild_id=GUILD),
        Show(id=2, title="apple orchard", guild_id=GUILD),
        Show(id=3, title="Moonlit Garden", guild_id=GUILD, aliases=("MG",)),
        Show(id=4, title="Moonlit Garden Shared"),
        Show(id=5, title="Moonlit Garden Elsewhere", guild_id=GUILD + 1),
        Show(id=6, title="Moonlight Gardener", guild_id=GUILD),
    ]
    catalog = Catalog(shows, [], [])
    assert [s.id for s in own_shows(catalog, GUILD)] == [1, 2, 3, 6]
    assert own_shows(catalog, None) == []
    assert [s.id for s in own_shows_matching(catalog, "", GUILD)] == [2, 6, 3, 1], "by title, ignoring case"
    assert [s.id for s in own_shows_matching(catalog, "", GUILD, limit=2)] == [2, 6]
    assert [s.id for s in own_shows_matching(catalog, "moonlit", GUILD)] == [3, 6], "named first, then near"
    typo = [s.id for s in own_shows_matching(catalog, "moonlite garden", GUILD)]
    assert typo and set(typo) <= {3, 6}, "typos are matched among this server's shows only"
    assert own_shows_matching(catalog, "moonlit", None) == []
    assert [s.id for s in shows_named_from("moonlit garden", shows)] == [3, 5, 4]


def test_shows_of_the_same_name_are_all_offered() -> None:
    twins = [Show(id=1, title="Mirror", premiere=dt.date(2019, 5, 1)), Show(id=2, title="Mirror")]
    assert sorted(show.id for show in shows_named_from("mirr", twins)) == [1, 2]
