"""Failing fast, in one sentence: bad settings, a damaged database, no network. Real processes, real files."""

from __future__ import annotations

import asyncio
import os
import shutil
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest

from bot.sandbox import FakeDiscord

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def environment(seeded_database: Path, tmp_path: Path) -> dict[str, str]:
    database = tmp_path / "catalog.sqlite3"
    shutil.copyfile(seeded_database, database)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD", "DATABASE", "LOG_LEVEL", "ANNOUNCE"))}
    env["DATABASE_PATH"] = str(database)
    env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))
    return env


@pytest.fixture
def closed_port() -> int:
    """A loopback port nothing listens on (bound, then released)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


def dramabot(*args: str, env: dict[str, str], timeout: float = 60) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], env=env, capture_output=True, text=True, timeout=timeout, cwd=ROOT
    )


def one_sentence(stderr: str) -> str:
    """The error line of a failed run: it starts with "dramabot:", and no traceback came before it."""
    assert "Traceback" not in stderr, stderr
    [line] = [line for line in stderr.splitlines() if line.startswith("dramabot:")]
    assert line.endswith(".") and line.count(". ") == 0, line
    return line


@pytest.mark.parametrize(
    ("name", "value", "says"),
    [
        ("LOG_LEVEL", "LOUD", "LOG_LEVEL must be one of DEBUG, INFO, WARNING, ERROR, CRITICAL, not 'LOUD'."),
        ("ANNOUNCE_GRACE_HOURS", "nan", "ANNOUNCE_GRACE_HOURS must be a finite number, not 'nan'."),
        ("ANNOUNCE_GRACE_HOURS", "-1", "ANNOUNCE_GRACE_HOURS cannot be negative."),
        ("ANNOUNCE_SEND_TIMEOUT", "inf", "ANNOUNCE_SEND_TIMEOUT must be a finite number, not 'inf'."),
    ],
)
def test_a_bad_setting_is_one_sentence_and_exit_2(
    environment: dict[str, str], name: str, value: str, says: str
) -> None:
    for command in (["search", "signal"], ["run"]):
        result = dramabot(*command, env=environment | {name: value, "DISCORD_TOKEN": "x"})
        assert result.returncode == 2, result.stderr
        assert one_sentence(result.stderr) == f"dramabot: {says}"


def test_a_damaged_database_is_one_sentence_and_exit_2(environment: dict[str, str], tmp_path: Path) -> None:
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"not a database " * 1000)
    for command in (["search", "signal"], ["db", "upgrade"], ["sync"]):
        result = dramabot(*command, env=environment | {"DATABASE_PATH": str(damaged)})
        assert result.returncode == 2, (command, result.stderr)
        line = one_sentence(result.stderr)
        assert line.startswith(f"dramabot: {damaged} is not a readable Dramabot database"), line
    assert damaged.read_bytes() == b"not a database " * 1000  # nothing written over it


def test_run_with_discord_unreachable_is_one_sentence_and_exit_2(environment: dict[str, str], closed_port: int) -> None:
    api = f"http://127.0.0.1:{closed_port}/api/v10"
    started = time.monotonic()
    result = dramabot("run", env=environment | {"DISCORD_TOKEN": "x", "DISCORD_API_BASE": api})
    assert result.returncode == 2, result.stderr
    assert one_sentence(result.stderr) == (
        f"dramabot: cannot reach Discord at {api} (the connection was refused); check the network."
    )
    assert time.monotonic() - started < 30


async def test_run_with_a_damaged_database_is_one_sentence_and_exit_2(
    environment: dict[str, str], tmp_path: Path
) -> None:
    damaged = tmp_path / "damaged.sqlite3"
    damaged.write_bytes(b"\x00" * 4096 * 4)
    fake = FakeDiscord()
    await fake.start()
    try:
        env = environment | {
            "DISCORD_TOKEN": fake.token, "DISCORD_API_BASE": fake.api_base, "DATABASE_PATH": str(damaged)
        }  # fmt: skip
        process = await asyncio.create_subprocess_exec(
            sys.executable, "-m", "bot", "run", env=env, cwd=ROOT,
            stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
        )  # fmt: skip
        _out, err = await asyncio.wait_for(process.communicate(), 60)
    finally:
        await fake.stop()
    assert process.returncode == 2, err.decode()
    assert one_sentence(err.decode()).startswith(f"dramabot: {damaged} is not a readable Dramabot database")


def test_sync_with_the_source_unreachable_stops_within_seconds(environment: dict[str, str], closed_port: int) -> None:
    started = time.monotonic()
    result = dramabot(
        "sync", "--source", "tvmaze", env=environment | {"TVMAZE_API_BASE": f"http://127.0.0.1:{closed_port}"}
    )
    took = time.monotonic() - started
    assert result.returncode == 1, result.stderr
    assert took < 10, f"took {took:.1f} s"
    assert one_sentence(result.stderr) == (
        f"dramabot: tvmaze cannot be reached at http://127.0.0.1:{closed_port} (the connection was refused); "
        "check the network, or the source's address in the settings."
    )


@pytest.mark.parametrize(
    ("command", "refused"),
    [
        (["sync", "--days", "61"], "must be at most 60"),
        (["sync", "--days", "9999"], "must be at most 60"),
        (["trivia-sample", "--count", "100000"], "must be at most 500"),
        (["sync", "--days", "0"], "must be at least 1"),
    ],
)
def test_days_and_count_have_upper_limits(environment: dict[str, str], command: list[str], refused: str) -> None:
    result = dramabot(*command, env=environment)
    assert result.returncode == 2
    assert refused in result.stderr and "Traceback" not in result.stderr
