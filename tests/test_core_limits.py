"""Every limit of the pure core on both sides: the limit itself passes, one past it is refused with its sentence.

bot/curation/rules.py (lengths, counts, episodes, a server's dramas, who may curate), bot/announce/plan.py (the
grace window). The end-to-end side of the same bounds is tests/e2e/test_bounds.py.
"""

from __future__ import annotations

import datetime as dt

import pytest

from bot.announce.plan import Triage, triage
from bot.curation.rules import (
    ALIAS_LIMIT,
    MAX_ALIASES,
    MAX_EPISODES,
    MAX_NETWORKS,
    MAX_SERVER_SHOWS,
    NETWORK_LIMIT,
    SYNOPSIS_LIMIT,
    TITLE_LIMIT,
    Curator,
    check_server_room,
    checked_alias,
    checked_episode_number,
    checked_episodes,
    checked_synopsis,
    checked_text,
    draft_show,
    edit_changes,
    split_list,
)
from bot.errors import Forbidden, InvalidInput
from bot.models import Show

SHOW = Show(id=1, title="Limit Drama", episode_count=16, guild_id=7)


def refused(call: object, *args: object, **kwargs: object) -> str:
    with pytest.raises(InvalidInput) as caught:
        call(*args, **kwargs)  # type: ignore[operator]
    return caught.value.message


def test_text_lengths() -> None:
    assert checked_text("t" * TITLE_LIMIT, "title", TITLE_LIMIT) == "t" * TITLE_LIMIT
    assert refused(checked_text, "t" * (TITLE_LIMIT + 1), "title", TITLE_LIMIT) == (
        f"The title is {TITLE_LIMIT + 1} characters long; keep it to {TITLE_LIMIT}."
    )
    # Whitespace is collapsed before counting: a title padded past the limit with spaces is still fine.
    assert checked_text("  a   b  ", "title", 3) == "a b"
    assert checked_text("   ", "title", 3) is None
    assert refused(checked_text, " ", "title", 3, required=True) == "The title cannot be empty."
    assert refused(checked_text, "a\x07b", "title", 10) == "The title contains control characters; type plain text."
    assert checked_synopsis("s" * SYNOPSIS_LIMIT) == "s" * SYNOPSIS_LIMIT
    assert refused(checked_synopsis, "s" * (SYNOPSIS_LIMIT + 1)) == (
        f"The synopsis is {SYNOPSIS_LIMIT + 1} characters long; keep it to {SYNOPSIS_LIMIT}."
    )
    assert checked_synopsis(" first  line \n\n second ") == "first line\n\nsecond"
    assert checked_synopsis("  \n ") is None


def test_list_counts() -> None:
    five = [f"Net {n}" for n in range(MAX_NETWORKS)]
    assert split_list("|".join(five), "network", NETWORK_LIMIT, MAX_NETWORKS) == tuple(five)
    assert split_list(", ".join(five + five), "network", NETWORK_LIMIT, MAX_NETWORKS) == tuple(five), "repeats"
    assert refused(split_list, [*five, "Net 9"], "network", NETWORK_LIMIT, MAX_NETWORKS) == (
        f"Give at most {MAX_NETWORKS} values for networks."
    )
    aliases = [f"Alias {n}" for n in range(MAX_ALIASES + 1)]
    assert len(split_list(aliases[:-1], "alias", ALIAS_LIMIT, MAX_ALIASES)) == MAX_ALIASES
    assert refused(split_list, aliases, "alias", ALIAS_LIMIT, MAX_ALIASES) == (
        f"Give at most {MAX_ALIASES} values for aliases."
    )
    assert split_list(None, "alias", ALIAS_LIMIT, MAX_ALIASES) == ()
    assert split_list(" | ,", "alias", ALIAS_LIMIT, MAX_ALIASES) == ()


def test_episode_counts_and_numbers() -> None:
    assert checked_episodes(1) == 1 and checked_episodes(MAX_EPISODES) == MAX_EPISODES
    for outside in (0, MAX_EPISODES + 1, -1):
        assert refused(checked_episodes, outside) == f"An episode count must be between 1 and {MAX_EPISODES}."
    assert draft_show("Long Runner", episodes=str(MAX_EPISODES)).episode_count == MAX_EPISODES
    assert draft_show("Long Runner", episodes=" 12 ").episode_count == 12
    assert draft_show("Long Runner", episodes="").episode_count is None
    assert refused(draft_show, "Long Runner", episodes="twelve") == "“twelve” is not a number of episodes."
    assert edit_changes(SHOW, {"episodes": MAX_EPISODES}) == {"episode_count": MAX_EPISODES}
    assert edit_changes(SHOW, {"episodes": "-"}) == {"episode_count": None}
    assert "between 1 and" in refused(edit_changes, SHOW, {"episodes": MAX_EPISODES + 1})
    assert checked_episode_number(SHOW, 16) == 16
    assert refused(checked_episode_number, SHOW, 17) == (
        "“Limit Drama” has 16 episodes; set a higher count with /show edit first."
    )
    assert checked_episode_number(Show(id=2, title="Open Ended"), MAX_EPISODES) == MAX_EPISODES


def test_aliases_of_one_drama() -> None:
    full = Show(id=3, title="Many Names", aliases=tuple(f"Name {n}" for n in range(MAX_ALIASES - 1)))
    assert checked_alias(full, "One More") == "One More"
    fuller = Show(id=3, title="Many Names", aliases=(*full.aliases, "One More"))
    assert refused(checked_alias, fuller, "Too Many") == (
        f"“Many Names” already has {MAX_ALIASES} aliases, the most a drama may have."
    )
    assert refused(checked_alias, full, "many  names") == "“many names” is already a name of “Many Names”."
    assert refused(checked_alias, full, "a" * (ALIAS_LIMIT + 1)).startswith(f"The alias is {ALIAS_LIMIT + 1}")


def test_a_servers_own_dramas() -> None:
    check_server_room(MAX_SERVER_SHOWS - 1)
    check_server_room(MAX_SERVER_SHOWS - 2, 2)
    check_server_room(0, MAX_SERVER_SHOWS)
    assert refused(check_server_room, MAX_SERVER_SHOWS) == (
        "This server already has 2,000 dramas of its own, the most a server may add; "
        "remove one with /show remove first."
    )
    assert refused(check_server_room, MAX_SERVER_SHOWS - 1, 2) == (
        "This server has 1,999 dramas of its own and the file adds 2, more than the 2,000 a server may add; "
        "import fewer or remove some with /show remove first."
    )


def test_who_may_curate() -> None:
    owners = frozenset({99})
    assert Curator(1, 7, True, owners).require() == 7
    assert Curator(99, 7, False, owners).require() == 7, "an owner needs no Manage Server"
    with pytest.raises(Forbidden) as lacking:
        Curator(1, 7, False, owners).require()
    assert lacking.value.message == "You need the Manage Server permission to change this server's catalog."
    with pytest.raises(Forbidden) as outside:
        Curator(99, None, True, owners).require()
    assert outside.value.message == "Catalog curation works only inside a server."
    Curator(1, 7, True, owners).require_can_edit(SHOW)
    with pytest.raises(Forbidden, match="Only the admins of the server that added"):
        Curator(1, 8, True, owners).require_can_edit(SHOW)
    with pytest.raises(Forbidden, match="Only the admins of the server that added"):
        Curator(1, 7, False, owners).require_can_edit(SHOW)
    shared = Show(id=4, title="Shared Drama")
    with pytest.raises(Forbidden, match="shared catalog, which only the bot's owners change"):
        Curator(1, 7, True, owners).require_can_edit(shared)
    Curator(99, 7, False, owners).require_can_edit(shared)
    Curator(99, 8, False, owners).require_can_edit(SHOW)
    with pytest.raises(Forbidden, match="Only the bot's owners can promote"):
        Curator(1, 7, True, owners).require_owner("promote")
    Curator(99, 7, False, owners).require_owner("promote")


def test_the_grace_window_of_a_missed_announcement() -> None:
    grace = dt.timedelta(hours=6)
    due = dt.datetime(2026, 3, 4, 12, 0, tzinfo=dt.UTC)
    assert triage(due, due, grace) is Triage.DELIVER
    assert triage(due, due + grace, grace) is Triage.DELIVER, "exactly the grace late: still posted"
    assert triage(due, due + grace + dt.timedelta(seconds=1), grace) is Triage.SKIP
    assert triage(due, due - dt.timedelta(minutes=1), grace) is Triage.DELIVER
    with pytest.raises(ValueError):
        triage(due.replace(tzinfo=None), due, grace)
