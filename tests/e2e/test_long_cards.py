"""Cards built from long names stay within Discord's limits: /person with credits past a field's 1,024."""

from __future__ import annotations

import hashlib
from typing import Any

from bot.sandbox import FakeDiscord


async def test_person_with_long_credits_pages_within_the_field_limit(
    fake_discord: FakeDiscord, start_dramabot: Any
) -> None:
    fake = fake_discord
    # 95 characters each (a curator's limit is 100), unlike each other so that none is taken for a duplicate
    titles = [" ".join(hashlib.sha512(bytes([n])).hexdigest()[i : i + 7] for i in range(0, 96, 8)) for n in range(6)]
    async with start_dramabot():
        for title in titles:
            added = await fake.run_command("show add", {"title": title, "premiere": "2024-01-01"}, user=fake.admin)
            assert added.content.startswith("Added"), added.content
            cast = await fake.run_command(
                "show cast", {"title": title, "person": "Kim Longcredit", "character": "c" * 100}, user=fake.admin
            )
            assert not cast.ephemeral, cast.content
        result = await fake.run_command("person", {"name": "Kim Longcredit"})
        seen = result.embed["fields"][0]["value"]
        assert len(seen) <= 1024 and result.embed["fields"][0]["name"] == "Credits (6)"
        pages = int(result.embed["footer"]["text"].rsplit(" of ", 1)[1])
        assert pages >= 2
        for page in range(2, pages + 1):
            older = next(c for c in result.components if c.label == "Older")
            await fake.click(result, older.custom_id)
            await result.wait_for(lambda r, page=page: f"page {page} of" in r.embed["footer"]["text"])
            value = result.embed["fields"][0]["value"]
            assert len(value) <= 1024
            seen += "\n" + value
    assert all(title in seen for title in titles), seen
