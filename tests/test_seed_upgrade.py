"""Upgrading a database from the 2023 seed to the wider one keeps what admins and the sync added (issue 13).

tests/data/seed_2023_sample.json is twelve shows and their people exactly as the seed had them before issue 13
(1,752 shows, 2015-2023). A real SQLite file is loaded with it, edited as an admin and the sync would edit it,
and then upgraded with the shipped seed.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from bot import db
from bot.catalog import Catalog
from bot.models import CreditKind, Role
from bot.seed import read_seed
from bot.store import Repository

SAMPLE = Path(__file__).parent / "data" / "seed_2023_sample.json"


@pytest.fixture
async def repository(tmp_path: Path) -> AsyncIterator[Repository]:
    connection = await db.connect(tmp_path / "upgrade.sqlite3")
    await db.migrate(connection)
    repository = Repository(connection)
    yield repository
    await repository.close()


def old_seed() -> dict[str, Any]:
    data: dict[str, Any] = json.loads(SAMPLE.read_text(encoding="utf-8"))
    return data


async def show_by_key(repository: Repository, key: str) -> Any:
    return next(show for show in await repository.all_shows() if show.seed_key == key)


async def test_upgrade_from_the_2023_seed_keeps_admin_edits_and_what_the_sync_found(repository: Repository) -> None:
    await repository.load_seed(old_seed())
    vincenzo = await show_by_key(repository, "kd:7dc2a52cdf954d8e9c24178ee0d00cbd")
    garbled = await show_by_key(repository, "kd:0888b4ac9255479f83537789ab54921c")
    goblin = await show_by_key(repository, "kd:137d70ddd7c24a97968d70abd8812545")
    reply = await show_by_key(repository, "kd:f37f659336624834ad98e1ebf8866d1f")
    people_before = {p.seed_key: p for p in await repository.all_people()}
    han_so_hee = people_before["p:han-so-hee"]
    gong_yoo = people_before["p:gong-yoo"]
    async with repository.transaction():
        # An admin's edits: a field, an alias, a credit.
        await repository.update_show_fields(vincenzo.id, {"episode_count": 21}, by_admin=True)
        await repository.add_show_titles(goblin.id, ["Dokkaebi Oppa"], kind="alias")
        await repository.add_credit(goblin.id, gong_yoo.id, CreditKind.CAST, character="Narrator", role=Role.GUEST,
                                    billing=99, source="admin")  # fmt: skip
        # What the sync found and the seed lacks: a Hangul title, TMDB ids, a Hangul name, an alternative title.
        await repository.update_show_fields(garbled.id, {"hangul_title": "더 아이돌마스터.KR", "tmdb_id": 71234},
                                            by_admin=False)  # fmt: skip
        await repository.update_show_fields(reply.id, {"tmdb_id": 64010}, by_admin=False)
        await repository.fill_person_ids(han_so_hee.id, hangul_name="한소희", tmdb_id=None)
        await repository.add_show_titles(vincenzo.id, ["빈센조 까사노"])

    new_seed = read_seed()
    report = await repository.load_seed(new_seed)
    assert report.shows_added >= 3000 - 12 and report.shows_updated >= 1

    after = {show.seed_key: show for show in await repository.all_shows()}
    assert len(after) == len(new_seed["shows"])
    # Admin edits stay as the admin left them.
    assert after[vincenzo.seed_key].episode_count == 21
    assert "Dokkaebi Oppa" in after[goblin.seed_key].aliases
    credits = await repository.credits_of_show(goblin.id)
    assert ("Gong Yoo", "Narrator") in {(c.person_name, c.character) for c in credits}
    # The seed's null never replaces what the sync found; the seed's values replace the old seed's.
    assert after[garbled.seed_key].hangul_title == "더 아이돌마스터.KR"
    assert after[garbled.seed_key].tmdb_id == 71234
    assert after[garbled.seed_key].title == "The Idolmaster KR"  # repaired: no admin had touched it
    assert after[reply.seed_key].tmdb_id == 64010
    assert "빈센조 까사노" in after[vincenzo.seed_key].alt_titles
    people_after = {p.seed_key: p for p in await repository.all_people()}
    assert people_after["p:han-so-hee"].hangul_name == "한소희"
    assert people_after["p:han-so-hee"].id == han_so_hee.id  # the same row: keys of earlier people never change
    assert set(people_before) <= set(people_after)
    assert people_after["p:gong-yoo"].hangul_name == "공유"  # filled from the new seed

    # The seed's credits are replaced: Goblin's leads now come first, in the source's order.
    catalog = await Catalog.load(repository)
    cast = [c.person_name for c in catalog.credits_of_show(goblin.id, CreditKind.CAST) if c.role is Role.MAIN]
    assert cast[:2] == ["Gong Yoo", "Kim Go Eun"]
    assert catalog.find_show("queen of tears").best.year == 2024


async def test_an_admin_edited_title_survives_the_repair(repository: Repository) -> None:
    await repository.load_seed(old_seed())
    garbled = await show_by_key(repository, "kd:0888b4ac9255479f83537789ab54921c")
    await repository.update_show_fields(garbled.id, {"title": "THE iDOLM@STER.KR"}, by_admin=True)
    await repository.load_seed(read_seed())
    assert (await show_by_key(repository, garbled.seed_key)).title == "THE iDOLM@STER.KR"


async def test_a_seed_value_still_replaces_an_older_seed_value(repository: Repository) -> None:
    seed = old_seed()
    await repository.load_seed(seed)
    newer = json.loads(json.dumps(seed))
    newer["version"] = "newer"
    newer["shows"][0]["hangul_title"] = "새 제목"
    newer["people"][0]["hangul_name"] = "새 이름"
    await repository.load_seed(newer)
    assert (await show_by_key(repository, newer["shows"][0]["key"])).hangul_title == "새 제목"
    person = next(p for p in await repository.all_people() if p.seed_key == newer["people"][0]["key"])
    assert person.hangul_name == "새 이름"
