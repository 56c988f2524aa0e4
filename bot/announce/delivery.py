"""What delivering one announcement involves, for bot/announce/outbox.py and the cog that talks to Discord.

The cog's `send` posts an `Announcement`; its `find` looks for one by the `Lookup` reference in its footer. Both
say how they failed with the three exceptions below. The reference and the back-off are defined here too.
"""

from __future__ import annotations

import datetime as dt
import random
from collections.abc import Awaitable, Callable
from dataclasses import dataclass

from bot.cards import Card
from bot.models import OutboxItem

FIRST_BACKOFF = 5.0  # seconds before the first retry; doubling up to MAX_BACKOFF, each jittered
MAX_BACKOFF = 600.0


class PermanentFailure(Exception):
    """Discord will refuse every announcement in this server until an admin acts (403, 404)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class TemporaryFailure(Exception):
    """This attempt failed but a later one may work (429, 5xx, a dropped connection).

    `maybe_sent`: Discord may have posted the message anyway (a 5xx, a connection lost after the request went
    out), so the row is looked up before the next attempt. False when Discord surely did not (a 429).
    """

    def __init__(self, reason: str, retry_after: float | None = None, *, maybe_sent: bool = True) -> None:
        super().__init__(reason)
        self.reason = reason
        self.retry_after = retry_after
        self.maybe_sent = maybe_sent


class Undeliverable(Exception):
    """This one announcement can never be sent (Discord rejected it); the server is fine."""


@dataclass(frozen=True, slots=True)
class Announcement:
    """A claimed outbox row ready to post: the channel, the role to ping (None: nobody) and what it says."""

    item: OutboxItem
    channel_id: int
    role_id: int | None
    card: Card


@dataclass(frozen=True, slots=True)
class Lookup:
    """Where to look for an announcement that may be posted: the channel, the footer reference, and when (bot's
    clock) the attempt that may have posted it began: nothing older can be it, and it is near that moment."""

    channel_id: int
    reference: str
    since: dt.datetime
    user_id: int = 0  # a reminder: look in this user's DM channel (`channel_id` then holds the user's id)


Send = Callable[[Announcement], Awaitable[int]]
Find = Callable[[Lookup], Awaitable[int | None]]


def announcement_reference(nonce: str) -> str:
    """The short, stable reference an announcement carries in its footer (48 bits of its nonce)."""
    return f"ref {nonce[1:13]}"


def backoff(attempts: int, rng: random.Random | None = None) -> float:
    """Seconds before retry number `attempts` + 1: about 5, 10, 20, ... up to 10 minutes, with jitter.

    "Equal jitter": between half and all of the doubled delay, so servers that failed together (a Discord outage)
    do not all come back in the same second, and none retries much sooner than planned.
    """
    ceiling = min(MAX_BACKOFF, FIRST_BACKOFF * 2.0 ** max(attempts - 1, 0))
    return ceiling / 2 + (rng or random).random() * ceiling / 2
