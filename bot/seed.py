"""Find and read the seed catalog that ships with Dramabot (format: data/README.md)."""

from __future__ import annotations

import json
import re
from importlib import resources
from pathlib import Path
from typing import Any

_CHECKOUT_SEED = Path(__file__).resolve().parent.parent / "data" / "seed" / "catalog.json"


def seed_path() -> Path:
    """Return the seed file: the checkout's data/seed in development, the wheel's copy once installed."""
    if _CHECKOUT_SEED.is_file():
        return _CHECKOUT_SEED
    packaged = resources.files("bot") / "_seed" / "catalog.json"
    return Path(str(packaged))


def read_seed(path: Path | None = None) -> dict[str, Any]:
    """Read the seed catalog, the shipped one unless `path` is given (it blocks: call it off the event loop)."""
    with (path or seed_path()).open(encoding="utf-8") as file:
        seed: dict[str, Any] = json.load(file)
    return seed


_VERSION = re.compile(rb'"version"\s*:\s*"([^"\\]+)"')


def read_seed_bytes(path: Path | None = None) -> bytes:
    """Read the seed file's bytes, the shipped one unless `path` is given (it blocks: call it off the event loop)."""
    with (path or seed_path()).open("rb") as file:
        return file.read()


def peek_seed_version(data: bytes) -> str | None:
    """Return a seed's version from the start of its bytes, without parsing the rest, or None.

    data/seed/catalog.json writes its version first, so a start whose database holds that version already need
    not parse 9 MB of JSON to find out.
    """
    match = _VERSION.search(data[:4096])
    return match.group(1).decode("utf-8") if match else None


def parse_seed(data: bytes) -> dict[str, Any]:
    """Parse a seed file's bytes (it takes a while for the shipped one: call it off the event loop)."""
    seed: dict[str, Any] = json.loads(data)
    return seed
