"""Every SQL statement Dramabot runs, one module per aggregate, behind one Repository of the domain models.

Each module adds its aggregate's methods to the shared connection (`base.StoreBase`); `Repository` combines
them, so a feature holds one object and calls e.g. `repository.claim_due(now)`.
"""

from __future__ import annotations

from bot.models import SeedReport
from bot.store.announce import AnnounceStore
from bot.store.audit import AuditStore
from bot.store.base import Clock, utc_now
from bot.store.catalog import SHOW_FIELDS, CatalogStore, CreditRow, ShowRows, credits_named, shows_from_rows
from bot.store.lists import ListStore
from bot.store.seed import SeedStore
from bot.store.sources import SourcesStore
from bot.store.trivia import TriviaStore

__all__ = [
    "SHOW_FIELDS",
    "Clock",
    "CreditRow",
    "Repository",
    "SeedReport",
    "ShowRows",
    "credits_named",
    "shows_from_rows",
    "utc_now",
]


class Repository(CatalogStore, SeedStore, AuditStore, SourcesStore, TriviaStore, AnnounceStore, ListStore):
    """The one place that speaks SQL: a single aiosqlite connection, which tasks use one turn at a time."""
