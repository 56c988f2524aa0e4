"""Every admin command and every admin button, tried by people who may not use them.

Discord hides the admin commands from members by default (`default_member_permissions`: Manage Server), but a
server can open any command to everyone in Server Settings > Integrations, and an admin's rights can be taken
away while a confirmation waits for their click. The bot promises (README: "Every permission is checked by the
bot itself, on every command and button, whatever a server's command permissions say") to refuse both, with a
one-sentence answer only they see, changing nothing.
"""

from __future__ import annotations

import json
from typing import Any

from bot.sandbox import FakeDiscord, FakeUser, InteractionResult, Upload

SERVER_SHOW = "Moonlit Garden Chronicles"
IMPORT = Upload("shows.json", json.dumps([{"title": "Smuggled Drama"}]).encode(), "application/json")
# Every admin command (a subcommand of a command Discord shows to Manage Server only), with options that an
# admin's run of it would accept.
ADMIN_COMMANDS: dict[str, dict[str, Any]] = {
    "show add": {"title": "Smuggled Drama"},
    "show edit": {"title": SERVER_SHOW, "air_time": "23:10"},
    "show alias": {"title": SERVER_SHOW, "alias": "Smuggled Alias"},
    "show remove": {"title": SERVER_SHOW},
    "show cast": {"title": SERVER_SHOW, "person": "Smuggled Actor"},
    "show episode": {"title": SERVER_SHOW, "number": 2, "air_time": "2026-03-12 22:00"},
    "catalog import": {"file": IMPORT},
    "catalog export": {},
    "catalog history": {},
    "catalog undo": {},
    "catalog promote": {"title": SERVER_SHOW},
    "announce channel": {"channel": "off-topic"},
    "announce role": {},
    "announce mode": {"mode": "premieres"},
    "announce follow": {"title": "Goblin"},
    "announce unfollow": {"title": "Vincenzo"},
    "announce off": {},
    "announce status": {},
    "announce test": {},
}


def admin_commands(fake: FakeDiscord) -> set[str]:
    """The subcommands of every synced command that Discord shows only to members with some permission."""
    names = set()
    for command in fake.commands(None) + fake.commands(fake.guild_id):
        if command.get("default_member_permissions") is None:
            continue
        subs = [o["name"] for o in command.get("options") or [] if o["type"] == 1]
        names |= {f"{command['name']} {sub}" for sub in subs} if subs else {command["name"]}
    return names


async def set_up_as_admin(fake: FakeDiscord) -> None:
    """A server with its own drama and announcements on, so that every admin command has something to change."""
    admin = fake.admin
    added = await fake.run_command(
        "show add", {"title": SERVER_SHOW, "episodes": 16, "air_days": "Wed", "air_time": "20:50"}, user=admin
    )
    assert added.content.startswith(f"Added **{SERVER_SHOW}**"), added.content
    for command, options in (
        ("announce mode", {"mode": "followed"}),
        ("announce follow", {"title": "Vincenzo"}),
        ("announce role", {"role": fake.guild.role("Drama Fans")}),
        ("announce channel", {"channel": fake.channels["announcements"]}),
    ):
        result = await fake.run_command(command, options, user=admin)
        assert result.ephemeral and "Manage Server" not in result.content, (command, result.content)


async def what_the_server_has(fake: FakeDiscord) -> dict[str, Any]:
    """Everything an admin command could have changed, read as the server's owner would read it."""
    owner = fake.owner
    history = await fake.run_command("catalog history", user=owner, quiet=0)
    status = await fake.run_command("announce status", user=owner, quiet=0)
    export = await fake.run_command("catalog export", user=owner, quiet=0)
    card = await fake.run_command("drama", {"title": SERVER_SHOW}, quiet=0)
    smuggled = await fake.run_command("drama", {"title": "Smuggled Drama"}, quiet=0)
    elsewhere = await fake.run_command("drama", {"title": SERVER_SHOW}, guild=fake.other_guild_id, quiet=0)
    assert status.embed is not None and history.embed is not None and card.embed is not None
    return {
        "history": history.embed["description"],
        "status": json.dumps(status.embed, sort_keys=True),
        "export": export.attachments[0].data,
        "card": json.dumps(card.embed, sort_keys=True),
        "smuggled": smuggled.content,
        "other server": elsewhere.text,  # not promoted to the shared catalog
        "posts": sorted(
            (m.channel_id, m.content, json.dumps(m.embeds))
            for channel in fake.guild.channels.values()
            for m in fake.messages(channel)
            if m.interaction_id is None  # posted on the bot's own (an announcement, a sample), not a reply
        ),
    }


def assert_refused(result: InteractionResult, what: str) -> None:
    assert result.ephemeral, f"{what}: the refusal is for the clicker's eyes only"
    assert "Manage Server permission" in result.content, f"{what}: {result.content!r}"
    assert result.content.count(".") <= 2 and len(result.content) < 200, f"{what}: one sentence: {result.content!r}"
    assert not result.message.pings_anyone


async def test_every_admin_command_refuses_a_member_the_server_opened_it_to(
    fake_discord: FakeDiscord, start_dramabot: Any
) -> None:
    fake = fake_discord
    async with start_dramabot():
        assert admin_commands(fake) == set(ADMIN_COMMANDS), "every admin command is tried below"
        await set_up_as_admin(fake)
        before = await what_the_server_has(fake)
        for command in ADMIN_COMMANDS:
            fake.open_command_to_everyone(command)
        for command, options in ADMIN_COMMANDS.items():
            result = await fake.run_command(command, options, user=fake.member, quiet=0)
            assert_refused(result, f"/{command} by a member")
        assert await what_the_server_has(fake) == before, "a refused command changed something"

        # The same commands still work for an admin: the refusals were about the member's rights.
        undo = await fake.run_command("catalog undo", user=fake.admin)
        took_back, which = undo.content.split("\n")
        assert took_back == f"Took **{SERVER_SHOW}** out again (it was added)."
        assert which.startswith(f"That was the newest change you can undo: <@{fake.admin.id}> added **{SERVER_SHOW}**")


async def prompts(fake: FakeDiscord, admin: FakeUser) -> dict[str, InteractionResult]:
    """Open every kind of confirmation an admin can get, and leave them waiting."""
    near_title = await fake.run_command("show add", {"title": "Moonlit Garden Chronicle"}, user=admin)
    edit = await fake.run_command("show edit", {"title": SERVER_SHOW, "air_time": "23:10"}, user=admin)
    remove = await fake.run_command("show remove", {"title": SERVER_SHOW}, user=admin)
    near_person = await fake.run_command("show cast", {"title": SERVER_SHOW, "person": "Han Sohee"}, user=admin)
    opened = {"add anyway": near_title, "edit": edit, "remove": remove, "cast": near_person}
    for name, prompt in opened.items():
        labels = [c.label for c in prompt.components]
        assert len(labels) >= 2 and labels[-1] == "Cancel", (name, labels)
    return opened


async def test_an_admin_who_lost_manage_server_cannot_press_their_own_buttons(
    fake_discord: FakeDiscord, start_dramabot: Any
) -> None:
    fake = fake_discord
    admin = fake.admin
    async with start_dramabot():
        await set_up_as_admin(fake)
        waiting = await prompts(fake, admin)
        before = await what_the_server_has(fake)

        await fake.set_roles(admin, [])  # another admin takes the Admin role away
        pressed = 0
        for name, prompt in waiting.items():
            for component in list(prompt.components):
                assert component.custom_id is not None
                result = await fake.click(prompt, component.custom_id, user=admin)
                assert_refused(result, f"{component.label!r} on the {name} prompt")
                assert [c.label for c in prompt.components], f"the {name} prompt still waits for an admin"
                pressed += 1
        assert pressed == 9, "Add anyway, Save, Remove, Use, Add new person, and four Cancels"
        assert await what_the_server_has(fake) == before, "a refused click changed something"

        # Given the role back, the same admin's same buttons work: the refusals were about the missing right.
        await fake.set_roles(admin, ["Admin"])
        edit = waiting["edit"]
        save = next(c.custom_id for c in edit.components if c.label == "Save")
        assert save is not None
        await fake.click(edit, save, user=admin)
        assert edit.content.startswith(f"Saved the changes to **{SERVER_SHOW}**"), edit.content
        remove = waiting["remove"]
        cancel = next(c.custom_id for c in remove.components if c.label == "Cancel")
        assert cancel is not None
        await fake.click(remove, cancel, user=admin)
        assert remove.content == "Cancelled; nothing was changed."


async def test_an_admin_who_lost_manage_server_cannot_run_admin_commands(
    fake_discord: FakeDiscord, start_dramabot: Any
) -> None:
    fake = fake_discord
    async with start_dramabot():
        await set_up_as_admin(fake)
        before = await what_the_server_has(fake)
        await fake.set_roles(fake.admin, ["Drama Fans"])
        for command in ADMIN_COMMANDS:
            fake.open_command_to_everyone(command)
        for command in ("show edit", "announce off", "catalog undo", "announce channel"):
            assert_refused(await fake.run_command(command, ADMIN_COMMANDS[command], user=fake.admin), f"/{command}")
        assert await what_the_server_has(fake) == before
