"""The fake Discord works end to end: a real discord.py bot logs in, syncs, and answers through it."""

from __future__ import annotations

import asyncio
import io
import socket
from collections.abc import AsyncIterator
from typing import Any

import discord
import pytest
from discord import app_commands
from discord.ext import commands

from bot.sandbox import BotError, FakeDiscord, Permission, SandboxError, Upload
from bot.sandbox import gateway as gw

TITLES = ["Soundtrack #1", "Signal", "Reply 1988", "Crash Landing on You", "Move to Heaven", "Stranger"]


class DramaView(discord.ui.View):
    def __init__(self) -> None:
        super().__init__(timeout=60)

    @discord.ui.button(label="More", custom_id="drama:more", style=discord.ButtonStyle.primary)
    async def more(self, interaction: discord.Interaction, button: discord.ui.Button[DramaView]) -> None:
        button.disabled = True
        await interaction.response.edit_message(content="More details", view=self)

    @discord.ui.select(custom_id="drama:pick", options=[discord.SelectOption(label=t, value=t) for t in TITLES[:3]])
    async def pick(self, interaction: discord.Interaction, select: discord.ui.Select[DramaView]) -> None:
        await interaction.response.send_message(f"You picked {select.values[0]}", ephemeral=True)


class FeedbackModal(discord.ui.Modal, title="Feedback"):
    text: discord.ui.TextInput[FeedbackModal] = discord.ui.TextInput(
        label="Your feedback", custom_id="feedback:text", max_length=200
    )

    async def on_submit(self, interaction: discord.Interaction) -> None:
        await interaction.response.send_message(f"Thanks: {self.text.value}", ephemeral=True)


@app_commands.command(description="Look up a drama.")
@app_commands.describe(title="The drama's title")
async def drama(interaction: discord.Interaction, title: str) -> None:
    await interaction.response.send_message(embed=discord.Embed(title=title), view=DramaView())


@drama.autocomplete("title")
async def drama_title(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=t, value=t) for t in TITLES if current.lower() in t.lower()][:25]


settings = app_commands.Group(
    name="settings", description="Server settings.", default_permissions=discord.Permissions(manage_guild=True)
)
announce = app_commands.Group(name="announce", description="Announcements.", parent=settings)


@announce.command(name="channel", description="Choose where announcements go.")
@app_commands.describe(channel="Where", role="Who to ping", hour="Hour of day", ping="Ping the role")
async def announce_channel(
    interaction: discord.Interaction,
    channel: discord.TextChannel,
    role: discord.Role | None = None,
    hour: app_commands.Range[int, 0, 23] = 20,
    ping: bool = False,
) -> None:
    who = f" for {role.name}" if role else ""
    await interaction.response.send_message(
        f"Announcements go to {channel.mention} at {hour}:00{who} (ping={ping})", ephemeral=True
    )


@app_commands.command(description="Send feedback.")
async def feedback(interaction: discord.Interaction) -> None:
    await interaction.response.send_modal(FeedbackModal())


@app_commands.command(description="Answer after thinking.")
async def slow(interaction: discord.Interaction) -> None:
    await interaction.response.defer(ephemeral=True, thinking=True)
    await asyncio.sleep(0.05)
    await interaction.followup.send("first")  # replaces the "thinking..." message, so it stays ephemeral
    await interaction.followup.send("second", ephemeral=True)


@app_commands.command(description="Post in a channel.")
@app_commands.describe(channel="Where", text="What")
async def post(interaction: discord.Interaction, channel: discord.TextChannel, text: str) -> None:
    try:
        first = await channel.send(text, nonce="sandbox-nonce")
        second = await channel.send(text, nonce="sandbox-nonce")  # a retry with the same nonce
    except discord.Forbidden:
        await interaction.response.send_message("I may not post there.", ephemeral=True)
        return
    await interaction.response.send_message(f"posted {first.id} {second.id}", ephemeral=True)


@app_commands.command(description="Echo a file.")
@app_commands.describe(file="Any file")
async def echo(interaction: discord.Interaction, file: discord.Attachment) -> None:
    data = await file.read()
    await interaction.response.send_message(file=discord.File(io.BytesIO(data), filename=f"echo-{file.filename}"))


@app_commands.command(description="Break Discord's limits.")
@app_commands.describe(what="Anything")
async def overflow(interaction: discord.Interaction, what: str) -> None:
    try:
        await interaction.response.send_message(embed=discord.Embed(title="x" * 300))
    except discord.HTTPException as error:
        await interaction.response.send_message(f"rejected {error.status} {error.code}", ephemeral=True)


@overflow.autocomplete("what")
async def overflow_what(interaction: discord.Interaction, current: str) -> list[app_commands.Choice[str]]:
    return [app_commands.Choice(name=f"choice {i}", value=str(i)) for i in range(30)]


@app_commands.command(description="Answer too late.")
async def nap(interaction: discord.Interaction) -> None:
    await asyncio.sleep(0.4)
    try:
        await interaction.response.send_message("awake")
    except discord.NotFound as error:
        interaction.client.late_errors.append(error)  # type: ignore[attr-defined]


@app_commands.command(description="Fail.")
async def boom(interaction: discord.Interaction) -> None:
    raise ValueError("boom")


class SandboxBot(commands.Bot):
    def __init__(self, guild_id: int, *, intents: discord.Intents | None = None) -> None:
        super().__init__(
            command_prefix=commands.when_mentioned,
            intents=intents or discord.Intents.default(),
            allowed_mentions=discord.AllowedMentions.none(),
        )
        self.guild_id = guild_id
        self.received: list[discord.Message] = []
        self.late_errors: list[discord.NotFound] = []

    async def setup_hook(self) -> None:
        for command in (drama, feedback, slow, post, echo, overflow, nap, boom):
            self.tree.add_command(command)
        self.tree.add_command(settings, guild=discord.Object(self.guild_id))
        await self.tree.sync()
        await self.tree.sync(guild=discord.Object(self.guild_id))

    async def on_message(self, message: discord.Message) -> None:
        if message.author.bot:
            return
        self.received.append(message)
        if "ping" in message.content:
            await message.channel.send("pong")


@pytest.fixture
async def bot(fake_discord: FakeDiscord, start_client: Any) -> AsyncIterator[SandboxBot]:
    async with start_client(SandboxBot(fake_discord.guild_id)) as running:
        yield running


def test_network_guard_blocks_everything_but_loopback(network_guard: Any) -> None:
    with socket.socket() as sock, pytest.raises(ConnectionRefusedError, match="only use 127"):
        sock.connect(("10.0.0.1", 80))
    with pytest.raises(ConnectionRefusedError, match=r"blocked socket\.getaddrinfo"):
        socket.getaddrinfo("discord.com", 443)
    assert len(network_guard.attempts) == 2
    network_guard.attempts.clear()  # provoked on purpose


async def test_async_connect_to_a_public_host_is_blocked(network_guard: Any) -> None:
    with pytest.raises(OSError, match="only use 127"):
        await asyncio.open_connection("93.184.216.34", 80)
    network_guard.attempts.clear()


async def test_login_sync_and_guilds(fake_discord: FakeDiscord, bot: SandboxBot) -> None:
    assert bot.user is not None and bot.user.id == fake_discord.bot.id
    guild = bot.get_guild(fake_discord.guild_id)
    assert guild is not None and guild.me is not None and guild.member_count == 4
    assert {c.name for c in guild.text_channels} >= {"general", "announcements"}
    assert bot.get_guild(fake_discord.other_guild_id) is not None
    assert {c["name"] for c in fake_discord.commands()} >= {"drama", "feedback", "slow"}
    assert [c["name"] for c in fake_discord.commands(fake_discord.guild_id)] == ["settings"]
    assert fake_discord.sync_counts == {None: 1, fake_discord.guild_id: 1}


async def test_wrong_token_is_a_login_failure(fake_discord: FakeDiscord, start_client: Any) -> None:
    with pytest.raises(discord.LoginFailure):
        async with start_client(SandboxBot(fake_discord.guild_id), token="not-the-token"):
            pass


async def test_privileged_intent_is_refused(fake_discord: FakeDiscord, start_client: Any) -> None:
    intents = discord.Intents.default()
    intents.message_content = True
    with pytest.raises(discord.PrivilegedIntentsRequired):
        async with start_client(SandboxBot(fake_discord.guild_id, intents=intents)):
            pass


async def test_autocomplete_command_button_and_select(fake_discord: FakeDiscord, bot: SandboxBot) -> None:
    choices = await fake_discord.autocomplete("drama", "title", "sig")
    assert [c.name for c in choices] == ["Signal"]

    result = await fake_discord.run_command("drama", {"title": "Signal"})
    assert result.embed is not None and result.embed["title"] == "Signal"
    assert not result.ephemeral and not result.message.pings_anyone  # type: ignore[union-attr]
    assert [c.custom_id for c in result.components] == ["drama:more", "drama:pick"]
    assert fake_discord.messages("general") == [result.message]

    clicked = await fake_discord.click(result, "drama:more")
    assert clicked.response_type == 7 and result.content == "More details"  # the same message, edited
    assert result.message.component("drama:more").disabled  # type: ignore[union-attr]
    with pytest.raises(SandboxError, match="disabled"):
        await fake_discord.click(result, "drama:more")

    picked = await fake_discord.select(result, "drama:pick", ["Reply 1988"])
    assert picked.ephemeral and picked.content == "You picked Reply 1988"


async def test_subcommand_group_with_typed_options(fake_discord: FakeDiscord, bot: SandboxBot) -> None:
    options = {"channel": "announcements", "role": "Drama Fans", "hour": 9, "ping": True}
    with pytest.raises(SandboxError, match="lacks the permissions"):
        await fake_discord.run_command("settings announce channel", options, user=fake_discord.member)
    result = await fake_discord.run_command("settings announce channel", options, user=fake_discord.admin)
    announcements = fake_discord.channels["announcements"]
    assert result.ephemeral
    assert result.content == f"Announcements go to {announcements.mention} at 9:00 for Drama Fans (ping=True)"
    with pytest.raises(SandboxError, match="no synced command"):
        await fake_discord.run_command(
            "settings announce channel", options, user=fake_discord.admin, guild=fake_discord.other_guild
        )


async def test_modal_round_trip(fake_discord: FakeDiscord, bot: SandboxBot) -> None:
    opened = await fake_discord.run_command("feedback")
    assert opened.response_type == 9 and opened.modal is not None and opened.modal["title"] == "Feedback"
    submitted = await fake_discord.submit_modal(opened, {"feedback:text": "Loved it"})
    assert submitted.ephemeral and submitted.content == "Thanks: Loved it"


async def test_deferred_reply_and_followups(fake_discord: FakeDiscord, bot: SandboxBot) -> None:
    result = await fake_discord.run_command("slow")
    await result.wait_for_followup(1)
    assert result.response_type == 5
    assert result.original is not None and result.original.content == "first" and result.ephemeral
    assert [m.content for m in result.followups] == ["second"]
    assert fake_discord.messages("general") == []  # ephemeral replies are not in the channel


async def test_nonce_posts_once(fake_discord: FakeDiscord, bot: SandboxBot) -> None:
    result = await fake_discord.run_command("post", {"channel": "trivia", "text": "Quiz time"})
    posted = fake_discord.messages("trivia")
    assert [m.content for m in posted] == ["Quiz time"]
    assert result.content == f"posted {posted[0].id} {posted[0].id}"
    assert (await fake_discord.wait_for_message("trivia")).content == "Quiz time"


async def test_injected_403_reaches_the_bot_as_forbidden(fake_discord: FakeDiscord, bot: SandboxBot) -> None:
    rule = fake_discord.fail_next("POST", r"/channels/\d+/messages$", 403)
    result = await fake_discord.run_command("post", {"channel": "trivia", "text": "Quiz time"})
    assert rule.hits == 1 and result.content == "I may not post there."
    assert fake_discord.messages("trivia") == []


async def test_channel_overwrites_are_enforced(fake_discord: FakeDiscord, bot: SandboxBot) -> None:
    await fake_discord.set_overwrite("trivia", fake_discord.bot, deny=Permission.SEND_MESSAGES)
    # set_overwrite returns once the bot has read the CHANNEL_UPDATE: its cache already shows the overwrite.
    cached = bot.get_channel(fake_discord.channels["trivia"].id)
    assert isinstance(cached, discord.TextChannel)
    assert [(target.id, o.send_messages) for target, o in cached.overwrites.items()] == [(fake_discord.bot.id, False)]
    result = await fake_discord.run_command("post", {"channel": "trivia", "text": "Quiz time"})
    assert result.content == "I may not post there."
    trivia = bot.get_channel(fake_discord.channels["trivia"].id)
    assert isinstance(trivia, discord.TextChannel) and not trivia.permissions_for(trivia.guild.me).send_messages


async def test_429_is_retried_after_retry_after(fake_discord: FakeDiscord, bot: SandboxBot) -> None:
    fake_discord.fail_next("POST", r"/channels/\d+/messages$", 429, retry_after=0.3)
    await fake_discord.run_command("post", {"channel": "trivia", "text": "Quiz time"})
    sends = [r for r in fake_discord.request_log if r.method == "POST" and r.path.endswith("/messages")]
    assert [r.status for r in sends][:2] == [429, 200]
    assert sends[1].time - sends[0].time >= 0.3
    assert len(fake_discord.messages("trivia")) == 1


async def test_mentions_deliver_content_and_plain_messages_do_not(fake_discord: FakeDiscord, bot: SandboxBot) -> None:
    await fake_discord.post_user_message("general", "ping please")
    await fake_discord.post_user_message("general", "ping", mentions_bot=True)
    reply = await fake_discord.wait_for_message("general")
    assert reply.content == "pong" and not reply.pings_anyone
    assert [m.content for m in bot.received] == ["", f"<@{fake_discord.bot.id}> ping"]


async def test_attachments_go_both_ways(fake_discord: FakeDiscord, bot: SandboxBot) -> None:
    result = await fake_discord.run_command("echo", {"file": Upload("notes.txt", b"hello drama")})
    [attachment] = result.attachments
    assert attachment.filename == "echo-notes.txt" and attachment.data == b"hello drama"


async def test_limits_are_enforced(fake_discord: FakeDiscord, bot: SandboxBot) -> None:
    # discord.py does not trim to 25 choices: Discord answers 400, the bot logs it, and the wait fails at once.
    with pytest.raises(BotError, match="Must be 25 or fewer in length"):
        await fake_discord.autocomplete("overflow", "what", "")
    assert [type(e) for e in fake_discord.client_errors] == [discord.HTTPException]
    fake_discord.client_errors.clear()

    result = await fake_discord.run_command("overflow", {"what": "1"})
    assert result.content == "rejected 400 50035"
    assert result.rejected[0]["errors"]["embeds"]["0"]["title"]["_errors"][0]["code"] == "BASE_TYPE_MAX_LENGTH"
    assert [v.kind for v in fake_discord.violations] == ["invalid_choices", "invalid_message"]
    fake_discord.violations.clear()


async def test_late_first_response_is_refused(fake_discord: FakeDiscord, bot: SandboxBot) -> None:
    fake_discord.interaction_deadline = 0.2  # Discord's 3 s, shortened to keep the test fast
    with pytest.raises(SandboxError, match="rejected every response"):
        await fake_discord.run_command("nap")
    assert [v.kind for v in fake_discord.violations] == ["late_response"]
    assert [e.code for e in bot.late_errors] == [10062]
    fake_discord.violations.clear()


async def test_gateway_resume_after_a_dropped_socket(fake_discord: FakeDiscord, bot: SandboxBot) -> None:
    await fake_discord.disconnect(code=4000)
    await fake_discord.wait_until(lambda: fake_discord.resume_count == 1, within=10, what="a RESUME")
    result = await fake_discord.run_command("drama", {"title": "Stranger"})
    assert result.embed is not None and result.embed["title"] == "Stranger"
    assert fake_discord.identify_count == 1


async def test_a_second_client_run_against_the_same_fake(fake_discord: FakeDiscord, start_client: Any) -> None:
    for _ in range(2):
        async with start_client(SandboxBot(fake_discord.guild_id)):
            result = await fake_discord.run_command("drama", {"title": "Signal"})
            assert result.embed is not None
    assert fake_discord.identify_count == 2 and fake_discord.sync_counts[None] == 2
    assert not fake_discord.connected
    compress = discord.utils._ActiveDecompressionContext.COMPRESSION_TYPE  # what this discord.py asks for
    assert {q.get("compress") for q in fake_discord.gateway_queries} == {compress}


def test_gateway_frames_decode_with_discord_py_decompressor() -> None:
    encoder = gw.encoder_for(discord.utils._ActiveDecompressionContext.COMPRESSION_TYPE)
    decompressor = discord.utils._ActiveDecompressionContext()
    for text in ['{"op":10}', '{"op":0,"t":"READY","d":{"x":"' + "y" * 5000 + '"}}', '{"op":11}']:
        frame = encoder.encode(text)
        assert isinstance(frame, bytes), "zlib-stream frames are binary"
        assert decompressor.decompress(frame) == text


def test_zstd_frames_decode_with_a_streaming_decompressor() -> None:
    zstandard = pytest.importorskip("zstandard")
    encoder = gw.encoder_for("zstd-stream")
    decompressor = zstandard.ZstdDecompressor().decompressobj()  # what discord.py uses
    for text in ['{"op":10}', '{"op":11}']:
        assert decompressor.decompress(encoder.encode(text)).decode() == text


async def test_console_queue_sees_bot_posts(fake_discord: FakeDiscord, bot: SandboxBot) -> None:
    events = fake_discord.subscribe()
    await fake_discord.post_user_message("general", "ping", mentions_bot=True, user=fake_discord.admin)
    kinds = [(await asyncio.wait_for(events.get(), 2)) for _ in range(2)]
    assert [(e.kind, e.message.content) for e in kinds] == [
        ("create", f"<@{fake_discord.bot.id}> ping"),
        ("create", "pong"),
    ]
    fake_discord.unsubscribe(events)


@pytest.mark.parametrize("options", [{}, {"report_logged_errors": False, "hook_tree_errors": True}])
async def test_a_bot_exception_fails_the_wait_at_once(
    fake_discord: FakeDiscord, start_client: Any, options: dict[str, Any]
) -> None:
    async with start_client(SandboxBot(fake_discord.guild_id), **options):
        started = asyncio.get_running_loop().time()
        with pytest.raises(BotError, match="boom"):
            await fake_discord.run_command("boom")
        assert asyncio.get_running_loop().time() - started < 1
    fake_discord.client_errors.clear()
