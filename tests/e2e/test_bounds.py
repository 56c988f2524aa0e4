"""Each documented bound of curation, tried on both sides through Discord: the limit itself is accepted, one past it
is refused with a sentence that names it, and nothing of a refused file is kept.

The bounds are the README's import table (title and Hangul title 100 characters, at most 5 networks, 1-500
episodes, synopsis 1,000 characters), the rest of bot/curation/rules.py (network 50 and alias 100 characters, 20
aliases, cast names 100 characters), bot/curation/files.py (500 shows and 1,000,000 bytes a file) and the day in
which /catalog undo takes a change back.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest

from bot.app import Dramabot
from bot.clock import ScaledClock
from bot.curation.files import IMPORT_MAX_BYTES, IMPORT_MAX_SHOWS
from bot.curation.rules import (
    ALIAS_LIMIT,
    CHARACTER_LIMIT,
    MAX_ALIASES,
    MAX_EPISODES,
    MAX_NETWORKS,
    NAME_LIMIT,
    NETWORK_LIMIT,
    SYNOPSIS_LIMIT,
    TITLE_LIMIT,
)
from bot.sandbox import FakeDiscord, InteractionResult, SandboxError, Upload
from bot.settings import Settings

AT_THE_LIMITS = {
    "title": "T" * (TITLE_LIMIT - 9) + " At Limit",
    "hangul_title": "한" * TITLE_LIMIT,
    "networks": [f"{n}" * NETWORK_LIMIT for n in range(1, MAX_NETWORKS + 1)],
    "episodes": MAX_EPISODES,
    "synopsis": "s" * SYNOPSIS_LIMIT,
    "aliases": [f"Alias {n:02} " + "a" * (ALIAS_LIMIT - 9) for n in range(1, MAX_ALIASES + 1)],
}
# One row per bound, each one past it, and the sentence that names the bound (line 1 is the file's "[").
ONE_PAST = [
    ({"title": "T" * (TITLE_LIMIT + 1)}, f"The title is {TITLE_LIMIT + 1} characters long; keep it to {TITLE_LIMIT}."),
    (
        {"title": "Hangul Past", "hangul_title": "한" * (TITLE_LIMIT + 1)},
        f"The Hangul title is {TITLE_LIMIT + 1} characters long; keep it to {TITLE_LIMIT}.",
    ),
    (
        {"title": "Networks Past", "networks": [f"Net {n}" for n in range(MAX_NETWORKS + 1)]},
        f"Give at most {MAX_NETWORKS} values for networks.",
    ),
    (
        {"title": "Network Name Past", "networks": ["n" * (NETWORK_LIMIT + 1)]},
        f"The network is {NETWORK_LIMIT + 1} characters long; keep it to {NETWORK_LIMIT}.",
    ),
    ({"title": "Episodes Past", "episodes": MAX_EPISODES + 1}, f"between 1 and {MAX_EPISODES}"),
    ({"title": "Episodes Below", "episodes": 0}, f"between 1 and {MAX_EPISODES}"),
    (
        {"title": "Synopsis Past", "synopsis": "s" * (SYNOPSIS_LIMIT + 1)},
        f"The synopsis is {SYNOPSIS_LIMIT + 1} characters long; keep it to {SYNOPSIS_LIMIT}.",
    ),
    (
        {"title": "Aliases Past", "aliases": [f"Alias {n}" for n in range(MAX_ALIASES + 1)]},
        f"Give at most {MAX_ALIASES} values for aliases.",
    ),
    (
        {"title": "Alias Name Past", "aliases": ["a" * (ALIAS_LIMIT + 1)]},
        f"The alias is {ALIAS_LIMIT + 1} characters long; keep it to {ALIAS_LIMIT}.",
    ),
]


def json_file(shows: list[dict[str, Any]], name: str = "shows.json") -> Upload:
    """A JSON import with one show a line, so that line N + 1 is show N."""
    text = "[\n" + ",\n".join(json.dumps(show, ensure_ascii=False) for show in shows) + "\n]\n"
    return Upload(name, text.encode(), "application/json")


async def import_file(fake: FakeDiscord, upload: Upload) -> InteractionResult:
    return await fake.run_command("catalog import", {"file": upload}, user=fake.admin)


async def exported(fake: FakeDiscord) -> list[dict[str, Any]]:
    result = await fake.run_command("catalog export", user=fake.admin)
    shows: list[dict[str, Any]] = json.loads(result.attachments[0].data)["shows"]
    return shows


async def test_each_import_field_at_its_limit_is_kept_and_one_past_is_refused_by_line(
    fake_discord: FakeDiscord, start_dramabot: Any
) -> None:
    fake = fake_discord
    async with start_dramabot():
        refused = await import_file(fake, json_file([row for row, _ in ONE_PAST]))
        assert refused.ephemeral and refused.content.startswith("Nothing was imported"), refused.content
        for line, (_, sentence) in enumerate(ONE_PAST, start=2):
            assert f"line {line}: " in refused.content, (line, refused.content)
            reported = refused.content.split(f"line {line}: ")[1].split("\n")[0]
            assert sentence in reported, (line, reported)
        assert (await fake.run_command("catalog export", user=fake.admin)).content.startswith("This server has not")

        kept = await import_file(fake, json_file([AT_THE_LIMITS]))
        assert kept.content.startswith("Imported 1 dramas"), kept.content
        (show,) = await exported(fake)
        assert show["title"] == AT_THE_LIMITS["title"] and len(show["title"]) == TITLE_LIMIT
        assert show["hangul_title"] == AT_THE_LIMITS["hangul_title"]
        assert show["networks"] == AT_THE_LIMITS["networks"]
        assert show["episodes"] == MAX_EPISODES
        assert show["synopsis"] == AT_THE_LIMITS["synopsis"]
        assert show["aliases"] == AT_THE_LIMITS["aliases"]


async def test_a_file_of_the_most_shows_and_bytes_is_imported_and_one_more_is_not(
    fake_discord: FakeDiscord, start_dramabot: Any
) -> None:
    fake = fake_discord
    async with start_dramabot():
        too_many = [{"title": f"Bulk Drama {n:03}"} for n in range(IMPORT_MAX_SHOWS + 1)]
        refused = await import_file(fake, json_file(too_many))
        assert refused.ephemeral
        assert refused.content == (
            f"The file holds {IMPORT_MAX_SHOWS + 1} shows; import at most {IMPORT_MAX_SHOWS} at a time."
        )
        # Padded with spaces (still valid JSON) to exactly the most bytes a file may have, and then one more.
        document = json_file(too_many[:IMPORT_MAX_SHOWS]).data
        largest = document + b" " * (IMPORT_MAX_BYTES - len(document))
        assert len(largest) == IMPORT_MAX_BYTES
        too_large = await import_file(fake, Upload("too-large.json", largest + b" ", "application/json"))
        assert too_large.ephemeral and too_large.content.startswith("The file is larger than 1000 kB")
        assert "too-large.json" not in fake.downloads, "refused by its size, before the bot downloads it"
        assert (await fake.run_command("catalog export", user=fake.admin)).content.startswith("This server has not")

        imported = await fake.run_command(
            "catalog import", {"file": Upload("large.json", largest, "application/json")}, user=fake.admin, within=15
        )
        assert imported.content.startswith(f"Imported {IMPORT_MAX_SHOWS} dramas"), imported.content
        assert len(await exported(fake)) == IMPORT_MAX_SHOWS


async def test_discords_options_and_the_bot_agree_on_the_episode_bound(
    fake_discord: FakeDiscord, start_dramabot: Any
) -> None:
    fake = fake_discord
    admin = fake.admin
    async with start_dramabot():
        show = {o["name"]: o for o in fake.command("show")["options"]}
        ranges = {
            (sub, option["name"]): (option.get("min_value"), option["max_value"])
            for sub in ("add", "edit", "episode")
            for option in show[sub]["options"]
            if option["name"] in ("episodes", "number")
        }
        assert ranges == {
            ("add", "episodes"): (1, MAX_EPISODES),
            ("edit", "episodes"): (0, MAX_EPISODES),  # 0 clears the count
            ("episode", "number"): (1, MAX_EPISODES),
        }

        longest = "L" * (TITLE_LIMIT - 5) + " Epic"
        added = await fake.run_command("show add", {"title": longest, "episodes": MAX_EPISODES}, user=admin)
        assert added.content == f"Added **{longest}** to this server's catalog.", added.content
        with pytest.raises(SandboxError, match="must be within"):
            await fake.run_command("show add", {"title": "Past Epic", "episodes": MAX_EPISODES + 1}, user=admin)

        last = await fake.run_command(
            "show episode", {"title": longest, "number": MAX_EPISODES, "air_time": "2027-01-01 21:00"}, user=admin
        )
        assert last.content.startswith(f"Episode {MAX_EPISODES} of **{longest}** now airs"), last.content

        fewer = await fake.run_command("show edit", {"title": longest, "episodes": MAX_EPISODES - 1}, user=admin)
        await fake.click(fewer, next(c.custom_id for c in fewer.components if c.label == "Save") or "")
        assert fewer.content.startswith(f"Saved the changes to **{longest}**"), fewer.content
        past = await fake.run_command(
            "show episode", {"title": longest, "number": MAX_EPISODES, "air_time": "2027-01-01 21:00"}, user=admin
        )
        assert past.ephemeral
        assert past.content == f"“{longest}” has {MAX_EPISODES - 1} episodes; set a higher count with /show edit first."

        person = "P" * NAME_LIMIT
        character = "C" * CHARACTER_LIMIT
        cast = await fake.run_command(
            "show cast", {"title": longest, "person": person, "character": character}, user=admin
        )
        assert cast.content == f"**{person}** is now in the cast of **{longest}** as {character}.", cast.content
        with pytest.raises(SandboxError, match="takes 1-100 characters"):
            await fake.run_command("show cast", {"title": longest, "person": person + "P"}, user=admin)


async def test_undo_takes_back_a_change_made_within_the_last_day_and_no_older(
    fake_discord: FakeDiscord, start_client: Any, bot_settings: Settings
) -> None:
    fake = fake_discord
    # The bot's clock runs 300 times fast: the second show is added three bot-minutes after the first.
    past = Dramabot(bot_settings, clock=ScaledClock(300.0))
    async with start_client(past, configure_endpoints=False):
        await fake.run_command("show add", {"title": "Older Than A Day"}, user=fake.admin)
        first = past.clock.now()
        await past.clock.sleep_until(first + dt.timedelta(minutes=3))
        await fake.run_command("show add", {"title": "Younger Than A Day"}, user=fake.admin)

    # A day and a minute after the first add, on a clock that barely moves while the test runs: the first show
    # is a minute too old to undo, the second two minutes young enough.
    later = ScaledClock(0.01, wall_origin=first + dt.timedelta(days=1, minutes=1))
    async with start_client(Dramabot(bot_settings, clock=later), configure_endpoints=False):
        undone = await fake.run_command("catalog undo", user=fake.admin)
        assert undone.content.startswith("Took **Younger Than A Day** out again (it was added).\n")
        assert "That was the newest change you can undo:" in undone.content  # and it says which one
        too_old = await fake.run_command("catalog undo", user=fake.admin)
        assert too_old.ephemeral and "no change from the last day to undo" in too_old.content
        assert [show["title"] for show in await exported(fake)] == ["Older Than A Day"]


def test_the_documented_bounds_are_the_ones_enforced() -> None:
    readme = (Path(__file__).resolve().parents[2] / "README.md").read_text(encoding="utf-8")
    for documented in (
        f"text, at most {TITLE_LIMIT} characters",
        f"(at most {MAX_NETWORKS})",
        f"whole number 1–{MAX_EPISODES}",
        f"text, at most {SYNOPSIS_LIMIT:,} characters",
        "within a day",
    ):
        assert documented in readme, documented
