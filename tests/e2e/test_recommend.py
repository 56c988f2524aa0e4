"""/recommend over the sandbox Discord: five picks, each explained; never what the user finished or dropped, nor
another season of the liked show; the same answer twice; buttons that plan a pick or recommend more like it."""

from __future__ import annotations

from typing import Any

from bot.sandbox import FakeDiscord


def picks(result: Any) -> list[tuple[str, str]]:
    assert result.embed is not None, result.content
    return [(str(f["name"]), str(f["value"])) for f in result.embed.get("fields", [])]


async def test_recommend_explains_each_pick_and_leaves_out_what_was_seen(
    fake_discord: FakeDiscord, start_dramabot: Any
) -> None:
    fake = fake_discord
    async with start_dramabot():
        first = await fake.run_command("recommend", {"like": "Goblin"}, user=fake.admin)
        assert not first.ephemeral and first.message is not None
        assert first.message.allowed_mentions == {"parse": []}
        assert first.embed is not None and first.embed["description"] == "Based on **Goblin**."
        shown = picks(first)
        assert len(shown) == 5
        assert all(reason.strip() for _name, reason in shown)
        assert any("Same writer as Goblin: Kim Eun Sook" in reason for _name, reason in shown), shown
        assert not any("Goblin" in name for name, _reason in shown)
        again = await fake.run_command("recommend", {"like": "Goblin"}, user=fake.admin)
        assert picks(again) == shown, "the same input gives the same picks"

        # The member completed one of those picks and dropped another: neither is offered to them.
        seen = [name.split(". ", 1)[1].rsplit(" (", 1)[0] for name, _reason in shown[:2]]
        await fake.run_command("list add", {"title": seen[0], "status": "completed", "score": 9})
        await fake.run_command("list add", {"title": seen[1], "status": "dropped"})
        mine = await fake.run_command("recommend", {"like": "Goblin"})
        assert mine.ephemeral, "picks that leave out your own list are yours alone"
        names = [name for name, _ in picks(mine)]
        assert len(names) == 5 and not any(title in name for title in seen for name in names), names

        # Another season of the liked show only when asked.
        playlist = await fake.run_command("recommend", {"like": "Hospital Playlist"}, user=fake.admin)
        assert not any("Hospital Playlist" in name for name, _ in picks(playlist)), picks(playlist)
        seasons = await fake.run_command("recommend", {"like": "Hospital Playlist", "seasons": True}, user=fake.admin)
        assert any("Hospital Playlist Season 2" in name for name, _ in picks(seasons)), picks(seasons)

        # Buttons: plan a pick (to the clicker's own list), or more like it (only to the clicker).
        plan_id = next(c.custom_id for c in first.components if c.custom_id and c.custom_id.startswith("rec:plan:"))
        planned = await fake.click(first, plan_id, user=fake.owner)
        assert planned.ephemeral and planned.content.endswith("to your list: plan to watch."), planned.content
        listed = await fake.run_command("list show", user=fake.owner)
        assert "plan to watch" in str(listed.embed)
        more_id = next(c.custom_id for c in first.components if c.custom_id and c.custom_id.startswith("rec:more:"))
        more = await fake.click(first, more_id, user=fake.owner)
        assert more.ephemeral and more.embed is not None and len(picks(more)) == 5
        first_title = shown[0][0].split(". ", 1)[1].rsplit(" (", 1)[0]
        assert more.embed["description"] == f"Based on **{first_title}**."

        # Without `like`: from the user's own favourites; or the filters alone.
        favourites = await fake.run_command("recommend")
        assert favourites.embed is not None and "your favourites" in favourites.embed["description"]
        medical = await fake.run_command("recommend", {"genre": "Medical", "years": "2015-2022"}, user=fake.owner)
        assert len(picks(medical)) == 5 and all("Medical" in reason for _, reason in picks(medical)), picks(medical)
        bad = await fake.run_command("recommend", {"years": "someday"}, user=fake.owner)
        assert bad.ephemeral and bad.content == "Give years as 2019, 2015-2020 or 2010s."
