"""/show and /catalog over the real protocol: what admins, members and owners see when they curate the catalog."""

from __future__ import annotations

import json
import re
import sqlite3
from pathlib import Path
from typing import Any

import pytest

from bot import db
from bot.curation.rules import MAX_ALIASES, MAX_SERVER_SHOWS
from bot.sandbox import FakeDiscord, InteractionResult, SandboxError, Upload
from bot.store import Repository

NEW_SHOW = {
    "title": "Moonlit Garden Chronicles",
    "hangul_title": "달빛 정원 연대기",
    "network": "tvN",
    "premiere": "2026-03-04",
    "episodes": 16,
    "air_days": "Wed,Thu",
    "air_time": "20:50",
    "synopsis": "A gardener who can hear plants meets a prosecutor who cannot hear anyone.",
}
EXAMPLE_JSON = (Path(__file__).resolve().parents[2] / "data" / "import-example.json").read_bytes()


def button(result: InteractionResult, label: str) -> str:
    for component in result.components:
        if component.label == label and component.custom_id:
            return component.custom_id
    raise AssertionError(f"no button {label!r}; buttons: {[c.label for c in result.components]}")


def field(embed: dict[str, Any], name: str) -> str:
    for item in embed.get("fields", []):
        if item["name"] == name:
            return str(item["value"])
    raise AssertionError(f"no field {name!r} in {[f['name'] for f in embed.get('fields', [])]}")


async def add_show(fake: FakeDiscord, **options: Any) -> InteractionResult:
    result = await fake.run_command("show add", NEW_SHOW | options, user=fake.admin)
    assert result.content and result.content.startswith("Added **"), result
    return result


async def insert_shows(path: Path, titles: list[str], guild_id: int | None = None) -> None:
    """Put shows straight into the database, shared or one server's, in one transaction (the bot is not running)."""
    connection = await db.connect(path)
    try:
        repository = Repository(connection)
        async with repository.transaction():
            for title in titles:
                if guild_id is None:
                    await repository.add_show({"title": title})
                else:
                    await repository.add_show({"title": title}, guild_id=guild_id)
    finally:
        await connection.close()


async def drama_title(fake: FakeDiscord, query: str, **where: Any) -> str | None:
    """The title of the card /drama shows, or None when the catalog has nothing for `query`."""
    result = await fake.run_command("drama", {"title": query}, **where)
    if result.embed is None:
        assert result.ephemeral and "No drama in the catalog matches" in result.content
        return None
    return str(result.embed["title"])


async def test_members_are_refused_by_discord_and_by_the_bot(fake_discord: FakeDiscord, start_dramabot: Any) -> None:
    async with start_dramabot():
        for name in ("show", "catalog"):
            command = fake_discord.command(name)
            assert int(command["default_member_permissions"]) == 1 << 5, "Discord shows it to Manage Server only"
            for sub in command["options"]:
                assert sub["description"] and all(o["description"] for o in sub.get("options", []))
        with pytest.raises(SandboxError, match="lacks the permissions"):
            await fake_discord.run_command("show add", {"title": "Sneaky Show"}, user=fake_discord.member)

        # A server can open a command to everyone in Server Settings > Integrations, which overrides the
        # default permissions; the fake has no route for that, so the stored command is changed as Discord
        # would. The bot must still refuse: its own check does not trust Discord's defaults.
        for name in ("show", "catalog"):
            fake_discord.command(name)["default_member_permissions"] = None
        refused = await fake_discord.run_command("show add", {"title": "Sneaky Show"}, user=fake_discord.member)
        assert refused.ephemeral and "Manage Server" in refused.content
        undo = await fake_discord.run_command("catalog undo", user=fake_discord.member)
        assert undo.ephemeral and "Manage Server" in undo.content
        assert await drama_title(fake_discord, "Sneaky Show") is None

        # The confirm button of an admin's edit is theirs alone, checked by the bot on the click.
        await add_show(fake_discord)
        prompt = await fake_discord.run_command(
            "show edit", {"title": NEW_SHOW["title"], "air_time": "21:00"}, user=fake_discord.admin
        )
        save = button(prompt, "Save")
        by_member = await fake_discord.click(prompt, save, user=fake_discord.member)
        assert by_member.ephemeral and "Only the admin who asked" in by_member.content
        assert prompt.components, "the prompt is still waiting for its admin"
        card = await fake_discord.run_command("drama", {"title": NEW_SHOW["title"]})
        assert "21:00" not in card.text


async def test_an_added_show_is_found_by_typo_only_in_its_server(
    fake_discord: FakeDiscord, start_dramabot: Any
) -> None:
    async with start_dramabot():
        added = await add_show(fake_discord)
        assert not added.message.pings_anyone
        assert added.embed["title"].startswith("Moonlit Garden Chronicles")

        assert (await drama_title(fake_discord, "moonlit gardn chronicle") or "").startswith(NEW_SHOW["title"])
        assert (await drama_title(fake_discord, "달빛 정원") or "").startswith(NEW_SHOW["title"])
        choices = await fake_discord.autocomplete("drama", "title", "moonlit gar")
        assert any(c.name.startswith(NEW_SHOW["title"]) for c in choices)

        other = {"guild": fake_discord.other_guild_id}
        assert await drama_title(fake_discord, "moonlit gardn chronicle", **other) is None
        assert await drama_title(fake_discord, NEW_SHOW["title"], **other) is None
        elsewhere = await fake_discord.autocomplete("drama", "title", "moonlit gar", **other)
        assert not any(c.name.startswith(NEW_SHOW["title"]) for c in elsewhere)

        # A title close to an existing show asks first, and nothing is added until the admin says so.
        near = await fake_discord.run_command(
            "show add", {"title": "Moonlit Garden Chronicle"}, user=fake_discord.admin
        )
        assert "Did you mean it?" in near.content and "Moonlit Garden Chronicles (2026)" in near.content
        await fake_discord.click(near, button(near, "Cancel"))
        assert near.content == "Cancelled; nothing was changed." and not near.components

        bad = await fake_discord.run_command(
            "show add", {"title": "Fine Title", "premiere": "04/03/2026"}, user=fake_discord.admin
        )
        assert bad.ephemeral and "YYYY-MM-DD" in bad.content
        bad_days = await fake_discord.run_command(
            "show add", {"title": "Fine Title", "air_days": "Wed,Funday"}, user=fake_discord.admin
        )
        assert bad_days.ephemeral and "“funday” is not a weekday" in bad_days.content
        assert await drama_title(fake_discord, "Fine Title") is None


async def test_edit_shows_old_and_new_values_then_saves(fake_discord: FakeDiscord, start_dramabot: Any) -> None:
    async with start_dramabot():
        await add_show(fake_discord)
        prompt = await fake_discord.run_command(
            "show edit",
            {"title": NEW_SHOW["title"], "new_title": "Moonlit Garden", "air_time": "21:00", "hangul_title": "-"},
            user=fake_discord.admin,
        )
        embed = prompt.embed
        assert embed["title"] == "Change “Moonlit Garden Chronicles”?"
        assert field(embed, "Title") == "Moonlit Garden Chronicles → Moonlit Garden"
        assert field(embed, "Air time") == "20:50 → 21:00"
        assert field(embed, "Hangul title") == "달빛 정원 연대기 → (none)"
        assert not prompt.message.pings_anyone
        assert (await drama_title(fake_discord, "Moonlit Garden Chronicles") or "").startswith(NEW_SHOW["title"])

        # Another admin-level user (the server owner) cannot press the asking admin's button.
        stolen = await fake_discord.click(prompt, button(prompt, "Save"), user=fake_discord.owner)
        assert stolen.ephemeral and "Only the admin who asked" in stolen.content

        await fake_discord.click(prompt, button(prompt, "Save"))
        assert prompt.content.startswith("Saved the changes to **Moonlit Garden**")
        assert "Air time: 20:50 → 21:00" in prompt.content and not prompt.components
        assert await drama_title(fake_discord, "moonlit garden") == "Moonlit Garden"

        nothing = await fake_discord.run_command(
            "show edit", {"title": "Moonlit Garden", "air_time": "21:00"}, user=fake_discord.admin
        )
        assert nothing.ephemeral and "Nothing to change" in nothing.content

        # Undo puts the old values back, everywhere at once.
        undone = await fake_discord.run_command("catalog undo", user=fake_discord.admin)
        effect, which = undone.content.split("\n")
        assert effect == "Put back the earlier values of **Moonlit Garden Chronicles**."
        assert which.startswith(f"That was the newest change you can undo: <@{fake_discord.admin.id}> edited")
        assert "Air time 20:50 → 21:00" in which and not undone.message.pings_anyone
        card = await fake_discord.run_command("drama", {"title": "moonlit gardn chronicle"})
        assert card.embed["title"].startswith(NEW_SHOW["title"]) and "달빛 정원 연대기" in card.embed["title"]

        # The admin is offered the shows they may change: this server's, not the shared catalog's.
        offered = await fake_discord.autocomplete("show edit", "title", "", user=fake_discord.admin)
        assert [c.name for c in offered] == ["Moonlit Garden Chronicles (2026) · 달빛 정원 연대기"]
        assert not await fake_discord.autocomplete("show edit", "title", "vincenz", user=fake_discord.admin)
        owner_offer = await fake_discord.autocomplete("show edit", "title", "vincenz", user=fake_discord.owner)
        assert any(c.name.startswith("Vincenzo") for c in owner_offer)


async def test_remove_asks_first_and_undo_brings_it_back(fake_discord: FakeDiscord, start_dramabot: Any) -> None:
    async with start_dramabot():
        await add_show(fake_discord)
        prompt = await fake_discord.run_command("show remove", {"title": NEW_SHOW["title"]}, user=fake_discord.admin)
        assert "Remove **Moonlit Garden Chronicles (2026)" in prompt.content
        assert await drama_title(fake_discord, NEW_SHOW["title"]), "nothing happens before the confirmation"
        await fake_discord.click(prompt, button(prompt, "Remove"))
        assert prompt.content.startswith("Removed **Moonlit Garden Chronicles**") and "/catalog undo" in prompt.content
        assert await drama_title(fake_discord, NEW_SHOW["title"]) is None
        assert not any(
            c.name.startswith(NEW_SHOW["title"]) for c in await fake_discord.autocomplete("drama", "title", "moonlit")
        )

        undone = await fake_discord.run_command("catalog undo", user=fake_discord.admin)
        assert undone.content.startswith("Brought **Moonlit Garden Chronicles** back.\nThat was the newest")
        assert (await drama_title(fake_discord, "moonlit gardn chronicle") or "").startswith(NEW_SHOW["title"])

        # The next undo takes back the add itself; after that there is nothing left from today.
        again = await fake_discord.run_command("catalog undo", user=fake_discord.admin)
        assert "Took **Moonlit Garden Chronicles** out again" in again.content
        assert await drama_title(fake_discord, NEW_SHOW["title"]) is None
        empty = await fake_discord.run_command("catalog undo", user=fake_discord.admin)
        assert empty.ephemeral and empty.content == "There is no change from the last day to undo."


CSV_WITH_A_BAD_ROW = (
    "title,networks,premiere,episodes,air_days,air_time,aliases\n"
    "First Good Show,tvN,2026-01-05,16,Mon Tue,21:00,FGS\n"
    'Second Good Show,JTBC,2026-02-07,12,"Sat,Sun",22:30,\n'
    "Broken Show,MBC,2026-02-30,16,Fri,21:50,\n"
)


async def test_import_is_all_or_nothing_and_export_reads_back(fake_discord: FakeDiscord, start_dramabot: Any) -> None:
    async with start_dramabot():
        rejected = await fake_discord.run_command(
            "catalog import", {"file": Upload("shows.csv", CSV_WITH_A_BAD_ROW.encode(), "text/csv")},
            user=fake_discord.admin,
        )  # fmt: skip
        assert rejected.ephemeral
        assert rejected.content.startswith("Nothing was imported")
        assert "line 4:" in rejected.content and "2026-02-30" in rejected.content
        assert await drama_title(fake_discord, "First Good Show") is None

        fixed = CSV_WITH_A_BAD_ROW.replace("2026-02-30", "2026-02-27")
        imported = await fake_discord.run_command(
            "catalog import", {"file": Upload("shows.csv", fixed.encode(), "text/csv")}, user=fake_discord.admin
        )
        assert imported.content.startswith("Imported 3 dramas"), imported
        assert (await drama_title(fake_discord, "FGS") or "").startswith("First Good Show")
        assert await drama_title(fake_discord, "Broken Show", guild=fake_discord.other_guild_id) is None

        await fake_discord.run_command(
            "catalog import", {"file": Upload("example.json", EXAMPLE_JSON, "application/json")},
            user=fake_discord.admin,
        )  # fmt: skip
        assert (await drama_title(fake_discord, "MGC") or "").startswith("Moonlit Garden Chronicles")

        again = await fake_discord.run_command(
            "catalog import", {"file": Upload("example.json", EXAMPLE_JSON, "application/json")},
            user=fake_discord.admin,
        )  # fmt: skip
        assert "already in the catalog" in again.content and "line 3:" in again.content

        export = await fake_discord.run_command("catalog export", user=fake_discord.admin)
        assert export.ephemeral and export.attachments
        document = json.loads(export.attachments[0].data)
        titles = sorted(show["title"] for show in document["shows"])
        assert titles == sorted(
            ["First Good Show", "Second Good Show", "Broken Show", "Moonlit Garden Chronicles", "Second Spring Bakery"]
        )
        first = next(show for show in document["shows"] if show["title"] == "First Good Show")
        assert first["air_days"] == "Mon,Tue" and first["aliases"] == ["FGS"] and first["episodes"] == 16

        csv_export = await fake_discord.run_command("catalog export", {"format": "csv"}, user=fake_discord.admin)
        assert csv_export.attachments[0].filename.endswith(".csv")
        assert csv_export.attachments[0].data.decode().startswith("title,hangul_title,networks,")

        nothing = await fake_discord.run_command(
            "catalog export", user=fake_discord.admin, guild=fake_discord.other_guild_id
        )
        assert nothing.ephemeral and "has not added any dramas" in nothing.content


async def test_history_lists_each_change(fake_discord: FakeDiscord, start_dramabot: Any) -> None:
    async with start_dramabot():
        await add_show(fake_discord)
        title = NEW_SHOW["title"]
        alias = await fake_discord.run_command("show alias", {"title": title, "alias": "MGC"}, user=fake_discord.admin)
        assert alias.content == "“MGC” now finds **Moonlit Garden Chronicles**."
        assert (await drama_title(fake_discord, "mgc") or "").startswith(title)

        prompt = await fake_discord.run_command("show edit", {"title": title, "episodes": 20}, user=fake_discord.admin)
        await fake_discord.click(prompt, button(prompt, "Save"))

        moved = await fake_discord.run_command(
            "show episode", {"title": title, "number": 3, "air_time": "2026-03-12 22:00"}, user=fake_discord.admin
        )
        stamp = re.search(r"<t:(\d+):F>", moved.content)
        assert stamp and int(stamp[1]) == 1773320400, "22:00 in Seoul is 13:00 UTC"
        bad_time = await fake_discord.run_command(
            "show episode", {"title": title, "number": 3, "air_time": "next thursday"}, user=fake_discord.admin
        )
        assert bad_time.ephemeral and "YYYY-MM-DD HH:MM" in bad_time.content

        # A near-duplicate name asks before creating a second person.
        cast = await fake_discord.run_command(
            "show cast", {"title": title, "person": "Han Sohee", "character": "Yoon Dal", "role": "main"},
            user=fake_discord.admin,
        )  # fmt: skip
        assert "Did you mean **Han So Hee**" in cast.content
        await fake_discord.click(cast, button(cast, "Use Han So Hee"))
        assert cast.content == "**Han So Hee** is now in the cast of **Moonlit Garden Chronicles** as Yoon Dal."
        person = await fake_discord.run_command("person", {"name": "Han So Hee"})
        assert "Moonlit Garden Chronicles (2026): as Yoon Dal" in person.text

        history = await fake_discord.run_command("catalog history", user=fake_discord.admin)
        assert history.ephemeral
        lines = history.embed["description"].splitlines()
        assert len(lines) == 5
        assert all(f"<@{fake_discord.admin.id}>" in line and "<t:" in line for line in lines)
        assert "added cast to **Moonlit Garden Chronicles**: Han So Hee as Yoon Dal (main)" in lines[0]
        assert (
            "rescheduled an episode of **Moonlit Garden Chronicles**: episode 3 (none) → <t:1773320400:f>" in lines[1]
        )
        assert "edited **Moonlit Garden Chronicles**: Episodes 16 → 20" in lines[2]
        assert "added an alias to **Moonlit Garden Chronicles**: alias “MGC”" in lines[3]
        assert "added **Moonlit Garden Chronicles**" in lines[4]
        assert not history.message.pings_anyone

        elsewhere = await fake_discord.run_command(
            "catalog history", user=fake_discord.admin, guild=fake_discord.other_guild_id
        )
        assert elsewhere.ephemeral and "No catalog changes" in elsewhere.content


async def test_only_owners_change_the_shared_catalog(
    fake_discord: FakeDiscord, start_dramabot: Any, database_path: Path
) -> None:
    async with start_dramabot():
        refused = await fake_discord.run_command(
            "show edit", {"title": "Vincenzo", "synopsis": "Rewritten by a server admin."}, user=fake_discord.admin
        )
        assert refused.ephemeral and "shared catalog, which only the bot's owners change" in refused.content
        removal = await fake_discord.run_command("show remove", {"title": "Vincenzo"}, user=fake_discord.admin)
        assert removal.ephemeral and "only the bot's owners" in removal.content

        prompt = await fake_discord.run_command(
            "show edit", {"title": "Vincenzo", "synopsis": "An owner's better synopsis."}, user=fake_discord.owner
        )
        await fake_discord.click(prompt, button(prompt, "Save"))
        assert prompt.content.startswith("Saved the changes to **Vincenzo**")
        card = await fake_discord.run_command("drama", {"title": "Vincenzo"}, guild=fake_discord.other_guild_id)
        assert "An owner's better synopsis." in card.text

        # Promoting a server's show to the shared catalog is for owners only.
        await add_show(fake_discord)
        not_owner = await fake_discord.run_command(
            "catalog promote", {"title": NEW_SHOW["title"]}, user=fake_discord.admin
        )
        assert not_owner.ephemeral and "Only the bot's owners" in not_owner.content
        promoted = await fake_discord.run_command(
            "catalog promote", {"title": NEW_SHOW["title"]}, user=fake_discord.owner
        )
        assert "now in the shared catalog" in promoted.content
        other = await drama_title(fake_discord, "moonlit gardn chronicle", guild=fake_discord.other_guild_id)
        assert (other or "").startswith(NEW_SHOW["title"])
        after = await fake_discord.run_command(
            "show edit", {"title": NEW_SHOW["title"], "episodes": 18}, user=fake_discord.admin
        )
        assert after.ephemeral and "shared catalog" in after.content

    # The owner's edit is marked as made by hand, so seed upgrades and syncs keep it.
    with sqlite3.connect(database_path) as raw:
        (edited,) = raw.execute("SELECT edited_fields FROM shows WHERE title = 'Vincenzo'").fetchone()
    assert "synopsis" in json.loads(edited)


async def test_an_admin_is_offered_their_own_show_among_many_shared_ones(
    fake_discord: FakeDiscord, start_dramabot: Any, database_path: Path
) -> None:
    await insert_shows(database_path, [f"Starlight Romance {n:02}" for n in range(1, 31)])
    await insert_shows(database_path, ["Starlight Zebra Chronicles"], fake_discord.guild_id)
    async with start_dramabot():
        for command in ("show edit", "show alias", "show remove", "show cast", "show episode"):
            offered = await fake_discord.autocomplete(command, "title", "starl", user=fake_discord.admin)
            assert [c.name for c in offered] == ["Starlight Zebra Chronicles"], command
        exact = await fake_discord.autocomplete("show edit", "title", "starlight zeb", user=fake_discord.admin)
        assert [c.name for c in exact] == ["Starlight Zebra Chronicles"]
        owner_offer = await fake_discord.autocomplete("show edit", "title", "starl", user=fake_discord.owner)
        assert len(owner_offer) == 25, "an owner may change the shared shows too"


async def test_a_json_import_with_a_field_of_the_wrong_type_names_its_line(
    fake_discord: FakeDiscord, start_dramabot: Any
) -> None:
    document = '{"shows": [\n  {"title": "Fine Show"},\n  {"title": "Odd Show", "aliases": 5}\n]}\n'
    async with start_dramabot():
        result = await fake_discord.run_command(
            "catalog import", {"file": Upload("shows.json", document.encode(), "application/json")},
            user=fake_discord.admin,
        )  # fmt: skip
        assert result.ephemeral
        assert result.content == (
            "Nothing was imported; fix these lines and try again:\nline 3: aliases must be text or a list of texts."
        )
        deep = b"[" * 100_000 + b"]" * 100_000
        nested = await fake_discord.run_command(
            "catalog import", {"file": Upload("deep.json", deep, "application/json")}, user=fake_discord.admin
        )
        assert nested.content.endswith("line 1: this is not valid JSON (it is nested too deeply).")
        assert await drama_title(fake_discord, "Fine Show") is None


async def test_aliases_and_a_servers_shows_are_capped(
    fake_discord: FakeDiscord, start_dramabot: Any, database_path: Path
) -> None:
    guild_id = fake_discord.guild_id
    await insert_shows(database_path, [f"House Drama {n}" for n in range(1, MAX_SERVER_SHOWS - 1)], guild_id)
    aliases = [f"Nickname {n}" for n in range(1, MAX_ALIASES + 1)]
    document = json.dumps([{"title": "Many Names", "aliases": aliases}]).encode()
    async with start_dramabot():
        imported = await fake_discord.run_command(
            "catalog import", {"file": Upload("names.json", document, "application/json")}, user=fake_discord.admin
        )
        assert imported.content.startswith("Imported 1 dramas"), imported
        alias = await fake_discord.run_command(
            "show alias", {"title": "Many Names", "alias": "One Too Many"}, user=fake_discord.admin
        )
        assert alias.ephemeral
        assert alias.content == f"“Many Names” already has {MAX_ALIASES} aliases, the most a drama may have."
        assert not (await drama_title(fake_discord, "One Too Many") or "").startswith("Many Names")

        # The server now has 1,999 dramas of its own: one more fits, a file of two does not.
        two = json.dumps([{"title": "Extra One"}, {"title": "Extra Two"}]).encode()
        refused = await fake_discord.run_command(
            "catalog import", {"file": Upload("two.json", two, "application/json")}, user=fake_discord.admin
        )
        assert refused.ephemeral
        assert refused.content == (
            "This server has 1,999 dramas of its own and the file adds 2, more than the 2,000 a server may add; "
            "import fewer or remove some with /show remove first."
        )
        assert await drama_title(fake_discord, "Extra One") is None
        await add_show(fake_discord)
        full = await fake_discord.run_command("show add", {"title": "Extra Three"}, user=fake_discord.admin)
        assert full.ephemeral
        assert full.content == (
            "This server already has 2,000 dramas of its own, the most a server may add; "
            "remove one with /show remove first."
        )
        assert await drama_title(fake_discord, "Extra Three") is None


async def test_an_owners_change_to_a_shared_show_does_not_block_an_admins_undo(
    fake_discord: FakeDiscord, start_dramabot: Any
) -> None:
    async with start_dramabot():
        await add_show(fake_discord)
        prompt = await fake_discord.run_command(
            "show edit", {"title": "Vincenzo", "synopsis": "An owner's better synopsis."}, user=fake_discord.owner
        )
        await fake_discord.click(prompt, button(prompt, "Save"))
        assert prompt.content.startswith("Saved the changes to **Vincenzo**")

        undone = await fake_discord.run_command("catalog undo", user=fake_discord.admin)
        assert undone.content.startswith("Took **Moonlit Garden Chronicles** out again (it was added).\n")
        assert await drama_title(fake_discord, NEW_SHOW["title"]) is None
        assert "An owner's better synopsis." in (await fake_discord.run_command("drama", {"title": "Vincenzo"})).text

        by_owner = await fake_discord.run_command("catalog undo", user=fake_discord.owner)
        assert by_owner.content.startswith("Put back the earlier values of **Vincenzo**.\n")
