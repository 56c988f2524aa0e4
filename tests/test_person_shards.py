"""A server's own people live in that server's shard of the person index, as its shows do.

Before, every person shared one index: 60 private "Kim Ji NN" people added by server B took most of server A's
25 /person suggestions for "kim ji" and were then filtered out, leaving A with 5.
"""

from __future__ import annotations

import shutil
from pathlib import Path

from bot.catalog import Catalog, open_catalog
from bot.curation.editor import CatalogEditor
from bot.curation.rules import Curator, draft_show
from bot.models import Role
from bot.search import Hit

SERVER_A, SERVER_B = 111, 222


def kim_ji(hits: list[Hit]) -> list[str]:
    return [hit.name for hit in hits]


async def test_one_servers_people_do_not_crowd_out_anothers(seeded_database: Path, tmp_path: Path) -> None:
    path = Path(shutil.copyfile(seeded_database, tmp_path / "catalog.sqlite3"))
    repository, catalog, _report = await open_catalog(path)
    try:
        before = catalog.complete_people("kim ji", guild_id=SERVER_A)
        assert len(before) == 25

        editor = CatalogEditor(repository, catalog)
        admin = Curator(user_id=1, guild_id=SERVER_B, manages_guild=True, owner_ids=frozenset())
        show = await editor.add_show(admin, draft_show("Server B's Own Drama"))
        for n in range(60):
            show = await editor.add_cast(admin, show, f"Kim Ji {n:02d}", None, "a role", Role.SUPPORT)

        def check(catalog: Catalog) -> None:
            seen_by_a = catalog.complete_people("kim ji", guild_id=SERVER_A)
            assert kim_ji(seen_by_a) == kim_ji(before), "A's suggestions must not change"
            seen_by_b = catalog.complete_people("kim ji 0", guild_id=SERVER_B)
            assert [n for n in kim_ji(seen_by_b) if n.startswith("Kim Ji 0")] == [f"Kim Ji 0{n}" for n in range(10)]
            assert not any(h.name.startswith("Kim Ji 0") for h in catalog.search_people("kim ji 07", guild_id=SERVER_A))
            assert catalog.search_people("kim ji 07", guild_id=SERVER_B)[0].name == "Kim Ji 07"

        check(catalog)  # kept current as the admin added them
    finally:
        await repository.close()
    repository, reopened, _report = await open_catalog(path)
    try:
        check(reopened)  # and built so at the next start
        # Promoted into the shared catalog, the drama takes its people with it: every server finds them now.
        owner = Curator(user_id=1, guild_id=SERVER_B, manages_guild=True, owner_ids=frozenset({1}))
        await CatalogEditor(repository, reopened).promote(owner, reopened.shows[show.id])
        assert reopened.search_people("kim ji 07", guild_id=SERVER_A)[0].name == "Kim Ji 07"
    finally:
        await repository.close()
