"""Shared fixtures. The network guard keeps every test on loopback: nothing may reach discord.com or anywhere else."""

from __future__ import annotations

import asyncio
import ipaddress
import os
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

from bot.catalog import Catalog, open_catalog, open_database


class NetworkBlockedError(ConnectionRefusedError):
    """A test tried to reach a host other than this machine."""


class NetworkGuard:
    """Refuses non-loopback connects and name lookups process-wide, and remembers every attempt."""

    def __init__(self) -> None:
        self.attempts: list[str] = []

    @staticmethod
    def is_loopback(host: object) -> bool:
        if host is None:
            return True
        if isinstance(host, bytes):
            host = host.decode(errors="replace")
        if not isinstance(host, str):
            return True  # not an IP address family (AF_UNIX paths, netlink ids)
        host = host.strip("[]").split("%")[0]
        if host == "localhost" or host.endswith(".localhost"):
            return True
        try:
            return ipaddress.ip_address(host).is_loopback
        except ValueError:
            return False

    def audit(self, event: str, args: tuple[object, ...]) -> None:
        # An audit hook sees every socket call, including ones from C extensions and worker threads, and
        # cannot be bypassed by grabbing `_socket` directly, unlike patching socket.socket.connect.
        if not event.startswith("socket."):
            return
        if event in ("socket.connect", "socket.sendto", "socket.sendmsg"):
            address = args[1]
            host = address[0] if isinstance(address, tuple) and address else None
        elif event in ("socket.getaddrinfo", "socket.gethostbyname", "socket.gethostbyname_ex"):
            host = args[0]
        else:
            return
        if not self.is_loopback(host):
            self.attempts.append(f"{event} {host!r}")
            raise NetworkBlockedError(f"tests may only use 127.0.0.1; blocked {event} to {host!r}")


GUARD = NetworkGuard()
sys.addaudithook(GUARD.audit)


def _share_compiled_modules() -> None:
    """Let this process and every `dramabot` process the tests start keep compiled modules, outside the tree.

    A machine that sets PYTHONDONTWRITEBYTECODE has each of the suite's hundred bot processes compile the bot
    from source again (0.15 s each), and each in-process bot its cogs. The cache sits in the temporary folder,
    keyed by the source's path and time, and Python writes it atomically, so processes running at once share it.
    """
    prefix = str(Path(tempfile.gettempdir()) / f"dramabot-pycache-{os.getuid()}")
    os.environ.pop("PYTHONDONTWRITEBYTECODE", None)
    os.environ["PYTHONPYCACHEPREFIX"] = prefix
    sys.dont_write_bytecode = False
    sys.pycache_prefix = prefix


_share_compiled_modules()


@pytest.fixture(autouse=True)
def network_guard() -> Iterator[NetworkGuard]:
    """Fail any test that tried to leave loopback, even if the code under test swallowed the error."""
    GUARD.attempts.clear()
    yield GUARD
    attempts, GUARD.attempts[:] = list(GUARD.attempts), []
    if attempts:
        pytest.fail(f"the test tried to reach the network: {attempts}", pytrace=False)


class _ConftestFile(pytest.File):
    """Nothing to collect: a conftest named on the command line is a plugin, not a test module."""

    def collect(self) -> list[pytest.Item]:
        return []


def pytest_pycollect_makemodule(module_path: Path, parent: pytest.Collector) -> pytest.Collector | None:
    # Without this, `pytest tests/conftest.py` fails: tests/e2e/conftest.py is already imported as `conftest`.
    # The guard's own tests live in tests/e2e/test_sandbox.py.
    if module_path.name == "conftest.py":
        return _ConftestFile.from_parent(parent, path=module_path)
    return None


def pytest_xdist_auto_num_workers(config: pytest.Config) -> int:
    """`-n auto`: half as many workers again as there are cores, since a third of an end-to-end test's time is
    spent waiting (on sockets, on child processes, on Discord's clocks) and another worker's test can use it."""
    cores = len(os.sched_getaffinity(0)) if hasattr(os, "sched_getaffinity") else os.cpu_count() or 1
    return max(1, cores * 3 // 2)


@pytest.fixture(scope="session")
def seeded_database(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database file with the schema and the seed loaded, built once a run; tests copy it before writing.

    Under xdist the workers share it: the first to ask builds it (a second and a half of loading the seed), the others
    wait for it to appear.
    """
    shared = tmp_path_factory.getbasetemp()
    if os.environ.get("PYTEST_XDIST_WORKER"):
        shared = shared.parent  # this run's folder, above each worker's own
    path = shared / "seeded.sqlite3"
    try:
        os.close(os.open(shared / "seeded.claimed", os.O_CREAT | os.O_EXCL | os.O_WRONLY))
    except FileExistsError:
        deadline = time.monotonic() + 120
        while not path.exists():
            if time.monotonic() > deadline:
                pytest.fail("another worker claimed the seeded database and never finished it", pytrace=False)
            time.sleep(0.05)
        return path
    building = shared / f"seeded-{os.getpid()}.sqlite3"

    async def build() -> None:
        repository, _report = await open_database(building)
        await repository.close()

    asyncio.run(build())
    os.replace(building, path)  # whole, or not there: a waiting worker never copies half a file
    return path


@pytest.fixture(scope="session")
def seeded_catalog(seeded_database: Path, tmp_path_factory: pytest.TempPathFactory) -> Catalog:
    """The seed catalog in memory, read once from a copy of the seeded database; treat it as read-only."""
    path = Path(shutil.copyfile(seeded_database, tmp_path_factory.mktemp("catalog") / "catalog.sqlite3"))

    async def load() -> Catalog:
        repository, catalog, _report = await open_catalog(path)
        await repository.close()
        return catalog

    return asyncio.run(load())
