"""The `dramabot` command as a newcomer runs it: real processes on a real SQLite file."""

from __future__ import annotations

import json
import os
import re
import shutil
import sqlite3
import subprocess
import sys
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import pytest


@pytest.fixture
def environment(seeded_database: Path, tmp_path: Path) -> dict[str, str]:
    database = tmp_path / "catalog.sqlite3"
    shutil.copyfile(seeded_database, database)
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD", "DATABASE", "LOG_LEVEL"))}
    env["DATABASE_PATH"] = str(database)
    return env


ROOT = Path(__file__).resolve().parent.parent


def dramabot(
    *args: str, env: dict[str, str], stdin: str | None = None, cwd: Path | None = None
) -> subprocess.CompletedProcess[str]:
    if cwd is not None:  # run from another folder: this checkout's bot, whatever is installed
        env = env | {"PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), env.get("PYTHONPATH")]))}
    return subprocess.run(
        [sys.executable, "-m", "bot", *args], env=env, input=stdin, capture_output=True, text=True, timeout=120,
        cwd=cwd,
    )  # fmt: skip


def test_search_json_puts_the_misspelt_show_first(environment: dict[str, str]) -> None:
    result = dramabot("search", "soundtrak 1", "--json", env=environment)
    assert result.returncode == 0, result.stderr
    results = json.loads(result.stdout)
    assert results[0]["title"] == "Soundtrack #1"
    assert {"title", "id", "score"} <= set(results[0])
    assert [r["score"] for r in results] == sorted((r["score"] for r in results), reverse=True)
    assert result.stderr == ""  # no log noise in a terminal command


def test_search_people_and_limit(environment: dict[str, str]) -> None:
    result = dramabot("search", "han so-hee", "--people", "--json", "--limit", "3", env=environment)
    people = json.loads(result.stdout)
    assert people[0]["name"] == "Han So Hee" and len(people) <= 3
    assert "id" in people[0] and "score" in people[0]


def test_search_reads_one_query_a_line_from_stdin(environment: dict[str, str]) -> None:
    result = dramabot("search", "-", "--json", env=environment, stdin="vincenso\ncloy\n사운드트랙\n")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line[0]["title"] for line in lines] == ["Vincenzo", "Crash Landing on You", "Soundtrack #1"]


def test_show_prints_the_facts(environment: dict[str, str]) -> None:
    result = dramabot("show", "soundtrack 1", env=environment)
    assert result.returncode == 0, result.stderr
    text = result.stdout
    assert text.startswith("Soundtrack #1 (사운드트랙 #1)")
    assert "Han So Hee as Lee Eun Soo" in text and "Park Hyung Sik as Han Sun Woo" in text
    assert "4 episodes" in text and "Disney+" in text and "2022-03-23" in text
    assert "Director: Kim Hee Won" in text


def test_an_unknown_title_is_one_line_and_status_1(environment: dict[str, str]) -> None:
    result = dramabot("show", "qqqq zzzz xxxx", env=environment)
    assert result.returncode == 1
    assert result.stdout == ""
    assert result.stderr.count("\n") == 1 and "No drama in the catalog matches" in result.stderr


def test_db_upgrade_creates_and_then_keeps_the_catalog(tmp_path: Path) -> None:
    env = {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD", "DATABASE"))}
    env["DATABASE_PATH"] = str(tmp_path / "fresh" / "bot.sqlite3")
    first = dramabot("db", "upgrade", env=env)
    assert first.returncode == 0, first.stderr
    added = re.search(r"(\d+) shows added", first.stdout)
    assert added and int(added[1]) >= 3000, first.stdout
    with sqlite3.connect(env["DATABASE_PATH"]) as raw:
        raw.execute(
            "UPDATE shows SET episode_count = 99, edited_fields = '[\"episode_count\"]' WHERE title = 'Vincenzo'"
        )
    again = dramabot("db", "upgrade", env=env)
    assert "already current" in again.stdout
    with sqlite3.connect(env["DATABASE_PATH"]) as raw:
        assert raw.execute("SELECT episode_count FROM shows WHERE title = 'Vincenzo'").fetchone() == (99,)
        assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)


def test_ask_in_the_terminal(environment: dict[str, str]) -> None:
    answered = dramabot("ask", "who plays Lee Eun Soo in Soundtrack #1?", env=environment)
    assert answered.returncode == 0 and "Han So Hee" in answered.stdout
    declined = dramabot("ask", "what is the airspeed of an unladen swallow", env=environment)
    assert declined.returncode == 1
    refused = dramabot("ask", "who " * 100, env=environment)
    assert refused.returncode == 2 and refused.stdout == ""
    assert refused.stderr == "dramabot: That question is longer than 300 characters; ask a shorter one.\n"


def test_a_bad_setting_is_one_sentence_and_status_2(environment: dict[str, str]) -> None:
    environment["SYNC_HOUR_UTC"] = "25"
    result = dramabot("search", "vincenzo", env=environment)
    assert result.returncode == 2
    assert "SYNC_HOUR_UTC must be an hour from 0 to 23" in result.stderr and "Traceback" not in result.stderr


# -- the edges a newcomer found (issue 18) -------------------------------------------------------------------


def test_database_may_come_before_or_after_the_command(environment: dict[str, str], tmp_path: Path) -> None:
    database = environment.pop("DATABASE_PATH")
    # An empty DATABASE_PATH folder: were --database ignored, the command would read the packaged seed and say so.
    environment["DATABASE_PATH"] = str(tmp_path / "elsewhere" / "none.sqlite3")
    with sqlite3.connect(database) as raw:
        raw.execute("UPDATE shows SET title = 'Vincenzo Renamed' WHERE title = 'Vincenzo'")
    for args in (("--database", database, "search", "vincenzo renamed", "--json"),
                 ("search", "vincenzo renamed", "--json", "--database", database),
                 ("search", "--database", database, "vincenzo renamed", "--json")):  # fmt: skip
        result = dramabot(*args, env=environment)
        assert result.returncode == 0 and result.stderr == "", (args, result.stderr)
        assert json.loads(result.stdout)[0]["title"] == "Vincenzo Renamed", args
    shown = dramabot("show", "vincenzo renamed", "--database", database, env=environment)
    assert shown.returncode == 0 and shown.stdout.startswith("Vincenzo Renamed")


def test_a_blank_line_in_a_batch_is_an_empty_result_not_a_failure(environment: dict[str, str]) -> None:
    result = dramabot("search", "-", "--json", env=environment, stdin="vincenzo\n\n   \ngoblin\n")
    assert result.returncode == 0, result.stderr
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert len(lines) == 4 and lines[1] == lines[2] == []
    assert lines[0][0]["title"] == "Vincenzo" and lines[3][0]["title"] == "Goblin"
    text = dramabot("search", "-", env=environment, stdin="vincenzo\n\ngoblin\n")
    assert text.returncode == 0 and text.stdout.splitlines()[1] == ""


def test_the_exit_status_reflects_the_whole_batch(environment: dict[str, str]) -> None:
    too_long = "x" * 101
    result = dramabot("search", "-", "--json", env=environment, stdin=f"zzqqxxzzqq\n{too_long}\nvincenzo\n")
    assert result.returncode == 1
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert lines[0] == [] and lines[1] == [] and lines[2][0]["title"] == "Vincenzo"  # the batch went on
    assert "line 2: That is longer than 100 characters" in result.stderr
    assert "2 of 3 queries found nothing." in result.stderr
    alone = dramabot("search", "  ", env=environment)  # one blank query is a mistake, not an empty batch line
    assert alone.returncode == 2 and alone.stderr == "dramabot: Type at least one letter of a title or name.\n"


def test_limit_gives_that_many_when_that_many_are_close(environment: dict[str, str]) -> None:
    searches = [("love", limit) for limit in (1, 3, 10)] + [("goblin", 10)]
    with ThreadPoolExecutor(len(searches)) as pool:  # a process each, at once
        found = list(pool.map(lambda s: dramabot("search", s[0], "--json", "--limit", str(s[1]), env=environment),
                              searches))  # fmt: skip
    assert [len(json.loads(result.stdout)) for result in found[:3]] == [1, 3, 10]
    # Fewer are close to "goblin": the limit is a ceiling, and the help says so.
    assert len(json.loads(found[3].stdout)) < 10
    assert "at most N results (default 10)" in " ".join(dramabot("search", "--help", env=environment).stdout.split())


def _no_database_set() -> dict[str, str]:
    return {k: v for k, v in os.environ.items() if not k.startswith(("DISCORD", "DATABASE", "LOG_LEVEL"))}


def test_reading_creates_no_database_and_says_what_it_read(tmp_path: Path) -> None:
    env = _no_database_set()
    reads = (
        ("search", "soundtrak 1", "--json"), ("show", "goblin"), ("ask", "who directed vincenzo?"),
        ("trivia-sample", "--count", "2"),
    )  # fmt: skip
    with ThreadPoolExecutor(len(reads)) as pool:  # at once: each reads the packaged seed, seconds of work
        found, *others = pool.map(lambda args: dramabot(*args, env=env, cwd=tmp_path), reads)
    assert found.returncode == 0, found.stderr
    assert json.loads(found.stdout)[0]["title"] == "Soundtrack #1"
    expected = tmp_path.resolve() / "data" / "dramabot.sqlite3"
    assert f"no database at {expected}" in found.stderr and "reading the packaged seed catalog" in found.stderr
    for args, result in zip(reads[1:], others, strict=True):
        assert result.returncode == 0, (args, result.stderr)
    assert list(tmp_path.iterdir()) == []  # nothing left behind in the folder it ran from


def test_db_upgrade_makes_the_database_reads_then_use_without_a_word(tmp_path: Path) -> None:
    env = _no_database_set()
    expected = tmp_path.resolve() / "data" / "dramabot.sqlite3"
    made = dramabot("db", "upgrade", env=env, cwd=tmp_path)
    assert made.returncode == 0 and made.stdout.startswith(f"{expected}: schema current")
    assert expected.is_file()
    again = dramabot("search", "goblin", env=env, cwd=tmp_path)
    assert again.returncode == 0 and again.stderr == ""
