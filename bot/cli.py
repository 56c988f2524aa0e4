"""The `dramabot` command: run the bot, or query and maintain the catalog from a terminal."""

from __future__ import annotations

import argparse
import asyncio
import json
import logging
import os
import re
import sys
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, TextIO

from bot.clock import SYSTEM_CLOCK
from bot.errors import DramabotError, InvalidInput, NotFound
from bot.settings import Settings

if TYPE_CHECKING:
    from bot.catalog import Catalog

# The catalog, its search and its cards (and NumPy under them) are imported by the commands that read it, so
# that `--help`, a mistyped option or a bad setting answers at once rather than after half a second of imports.

EXIT_NOT_FOUND = 1
EXIT_FAILED = 1  # sync: a source could not be reached, or the run passed its time bound
EXIT_USAGE = 2
MAX_SYNC_DAYS = 60  # TVmaze publishes schedules about this far ahead; each day costs two requests
MAX_TRIVIA_SAMPLE = 500
# A whole run's time bound: the daily sync takes a few minutes; the catalog sync (thousands of shows at TVmaze's
# rate limit) is resumable, so a run cut short goes on from where it stopped next time.
SYNC_TIME_LIMIT = 30 * 60
CATALOG_SYNC_TIME_LIMIT = 6 * 60 * 60


# What only reads the catalog: with no database yet it reads the packaged seed rather than create one here.
READ_ONLY = frozenset({"search", "show", "ask", "trivia-sample"})
DATABASE_HELP = "the SQLite catalog (default: DATABASE_PATH, else data/dramabot.sqlite3 under this folder)"


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="dramabot", description="A Discord bot for drama fans.")
    parser.add_argument("--database", metavar="PATH", help=DATABASE_HELP)
    # `--database` may come after the subcommand too; SUPPRESS keeps a subcommand without it from erasing the
    # value given before it.
    database_option = argparse.ArgumentParser(add_help=False)
    database_option.add_argument("--database", metavar="PATH", default=argparse.SUPPRESS, help=DATABASE_HELP)
    commands = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")

    commands.add_parser("run", parents=[database_option], help="connect to Discord and serve (needs DISCORD_TOKEN)")

    console = commands.add_parser("console", help="try the bot in this terminal: a fake Discord, no account or token")
    console.add_argument(
        "--script",
        type=Path,
        metavar="FILE",
        help="run the lines of FILE, show the bot's answers, and exit (status 1 if any line failed)",
    )
    console.add_argument(
        "--database",
        default=argparse.SUPPRESS,
        metavar="PATH",
        help="keep the bot's data, and its fake server, in PATH (default: a throwaway copy of the seed catalog)",
    )
    console.add_argument(
        "--clock-speed",
        type=_positive_number,
        default=1.0,
        metavar="N",
        help="run the bot's clock N times faster, for features that honour it (scheduled announcements)",
    )

    search = commands.add_parser(
        "search", parents=[database_option], help="search the catalog for shows (or people)",
        epilog="Exit status 0 when every query found something, 1 when any found nothing (blank lines do not count).",
    )  # fmt: skip
    search.add_argument("query", help="what to look for; '-' reads one query a line from standard input")
    search.add_argument("--people", action="store_true", help="search people instead of shows")
    search.add_argument(
        "--limit", type=_positive, default=10, metavar="N",
        help="at most N results (default 10); fewer when fewer names are close to the query",
    )  # fmt: skip
    search.add_argument("--json", action="store_true", help="print a JSON array, best first")

    show = commands.add_parser("show", parents=[database_option], help="print a show's facts")
    show.add_argument("title", help="the show's title, as you would type it")

    sync = commands.add_parser(
        "sync", parents=[database_option], help="add upcoming dramas and their episodes from public schedules"
    )
    sync.add_argument("--source", choices=("tvmaze", "tmdb"), help="one source only (default: every configured one)")
    sync.add_argument(
        "--days", type=_at_most(MAX_SYNC_DAYS), default=14,
        help=f"how many days ahead to look (default 14, at most {MAX_SYNC_DAYS})",
    )  # fmt: skip
    sync.add_argument("--catalog", action="store_true", help="every Korean drama TVmaze lists, with cast (resumable)")

    ask = commands.add_parser("ask", parents=[database_option], help="answer a question about dramas in plain words")
    ask.add_argument(
        "question",
        help="e.g. \"who plays Lee Eun Soo in Soundtrack #1?\"; '-' reads one question a line from standard input",
    )

    trivia = commands.add_parser(
        "trivia-sample", parents=[database_option], help="print trivia questions with their answers, to judge them"
    )
    trivia.add_argument("--seed", type=int, default=1, help="the random seed; the same seed, the same questions")
    trivia.add_argument(
        "--count", type=_at_most(MAX_TRIVIA_SAMPLE), default=10,
        help=f"how many questions (default 10, at most {MAX_TRIVIA_SAMPLE})",
    )  # fmt: skip

    database = commands.add_parser("db", help="maintain the database")
    database_commands = database.add_subparsers(dest="db_command", required=True, metavar="ACTION")
    database_commands.add_parser(
        "upgrade", parents=[database_option], help="apply migrations and load or upgrade the seed catalog"
    )
    return parser


def main(argv: Sequence[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    if args.command == "console":
        # Builds its own settings (pointed at the fake Discord) and sends the bot's log to a file.
        from bot.console import run_console

        database = Path(args.database) if args.database else None
        return run_console(os.environ, script=args.script, database=database, clock_speed=args.clock_speed)
    try:
        settings = Settings.from_env()
    except DramabotError as error:
        print(f"dramabot: {error.message}", file=sys.stderr)
        return EXIT_USAGE
    # The terminal commands print their answers; their logs stay quiet unless LOG_LEVEL asks otherwise.
    level = settings.log_level if args.command == "run" or os.environ.get("LOG_LEVEL") else "WARNING"
    logging.basicConfig(level=level, format="%(asctime)s %(levelname)s %(name)s: %(message)s")
    if args.database:
        settings = _with_database(settings, args.database)
    if args.command == "run":
        from bot.app import run_bot

        return run_bot(settings)
    try:
        return asyncio.run(_offline(args, settings))
    except DramabotError as error:
        print(f"dramabot: {error.message}", file=sys.stderr)
        return EXIT_USAGE


def _with_database(settings: Settings, path: str) -> Settings:
    from dataclasses import replace

    return replace(settings, database_path=Path(path))


async def _offline(args: argparse.Namespace, settings: Settings) -> int:
    from bot.catalog import open_catalog, open_database

    if args.command == "sync":
        return await _sync(args, settings)
    path: Path | str = settings.database_path
    if args.command in READ_ONLY and not settings.database_path.exists():
        # Reading must not leave a database behind in whatever folder this runs from.
        print(
            f"dramabot: no database at {settings.database_path.resolve()} (DATABASE_PATH or --database); "
            "reading the packaged seed catalog. `dramabot db upgrade` creates the database.",
            file=sys.stderr,
        )
        path = ":memory:"
    if args.command == "db":
        repository, report = await open_database(path)  # the catalog is not read: nothing here shows it
        await repository.close()
        state = "already current" if report.skipped else (
            f"{report.shows_added} shows added, {report.shows_updated} updated, "
            f"{report.shows_unchanged} unchanged, {report.people_added} people added"
        )  # fmt: skip
        print(f"{settings.database_path.resolve()}: schema current; seed {report.version[:12]} {state}.")
        return 0
    repository, catalog, _report = await open_catalog(path)
    try:
        if args.command == "search":
            return _search(catalog, args, sys.stdin, sys.stdout)
        if args.command == "show":
            return _show(catalog, args.title, sys.stdout)
        if args.command == "ask":
            return _ask(catalog, args.question, sys.stdin, sys.stdout)
        if args.command == "trivia-sample":
            return _trivia_sample(catalog, args.seed, args.count, sys.stdout)
    finally:
        await repository.close()
    raise AssertionError(f"unhandled command {args.command}")


async def _sync(args: argparse.Namespace, settings: Settings) -> int:
    from bot.sources.http import SourceUnreachable

    limit = CATALOG_SYNC_TIME_LIMIT if args.catalog else SYNC_TIME_LIMIT
    try:
        async with asyncio.timeout(limit):
            return await _sync_sources(args, settings)
    except SourceUnreachable as error:
        print(f"\ndramabot: {error}; check the network, or the source's address in the settings.", file=sys.stderr)
    except TimeoutError:
        print(
            f"\ndramabot: the sync did not finish within {limit // 60} minutes; what it merged is kept, run it again.",
            file=sys.stderr,
        )
    return EXIT_FAILED


async def _sync_sources(args: argparse.Namespace, settings: Settings) -> int:
    from bot.sync import sync_command

    bar = ProgressBar(sys.stderr)
    if args.catalog:
        from bot.catalog_sync import catalog_sync_command

        if args.source == "tmdb":
            print("dramabot: sync --catalog reads TVmaze's index; leave out --source tmdb.", file=sys.stderr)
            return EXIT_USAGE
        summary = await catalog_sync_command(settings, progress=bar.update)
        bar.finish()
        print("\n".join(summary.lines()))
        return 0
    summary = await sync_command(settings, source=args.source, days=args.days, progress=bar.update)
    bar.finish()
    print("\n".join(summary.lines()))
    return 0


class ProgressBar:
    """Draw "tvmaze shows 3/7: 1002" progress messages as one redrawn line on a terminal."""

    WIDTH = 24

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self.interactive = stream.isatty()
        self.drawn = False

    def update(self, message: str) -> None:
        match = re.search(r"(\d+)/(\d+)", message)
        bar = ""
        if match and int(match[2]):
            filled = self.WIDTH * int(match[1]) // int(match[2])
            bar = "[" + "#" * filled + "." * (self.WIDTH - filled) + "] "
        if self.interactive:
            self.stream.write("\r\033[K" + bar + message[:80])
            self.drawn = True
        else:
            self.stream.write(bar + message + "\n")
        self.stream.flush()

    def finish(self) -> None:
        if self.drawn:
            self.stream.write("\n")
            self.stream.flush()


def _search(catalog: Catalog, args: argparse.Namespace, stdin: TextIO, stdout: TextIO) -> int:
    """Print each query's results; return 0 when every query found something, 1 when any found nothing.

    With '-' a blank line prints an empty result and counts for nothing; a query too long is told on standard
    error, prints an empty result and counts as not found, and the batch goes on.
    """
    from bot.text import checked_query

    batch = args.query == "-"

    def write(results: list[dict[str, object]], query: str = "") -> bool:
        if args.json:
            stdout.write(json.dumps(results, ensure_ascii=False) + "\n")
        elif batch:
            stdout.write(" | ".join(_result_line(item) for item in results) + "\n")
        else:
            for item in results:
                stdout.write(_result_line(item) + "\n")
            if not results:
                print(f"Nothing in the catalog matches “{query}”.", file=sys.stderr)
        return bool(results)

    def search(query: str) -> bool:
        return write(_search_results(catalog, checked_query(query), people=args.people, limit=args.limit), query)

    return _each_line(args.query, stdin, stdout, search, lambda: write([]), missed="queries found nothing")


def _search_results(catalog: Catalog, query: str, *, people: bool, limit: int) -> list[dict[str, object]]:
    if people:
        return [
            {"name": hit.name, "id": hit.id, "score": round(hit.score, 1), "sure": hit.sure}
            for hit in catalog.search_people(query, limit=limit)
        ]
    results: list[dict[str, object]] = []
    for hit in catalog.search_shows(query, limit=limit):
        show = catalog.shows[hit.id]
        results.append(
            {"title": show.title, "id": show.id, "score": round(hit.score, 1), "sure": hit.sure,
             "hangul_title": show.hangul_title, "year": show.year}
        )  # fmt: skip
    return results


def _result_line(item: dict[str, object]) -> str:
    name = item.get("title") or item.get("name")
    year = f" ({item['year']})" if item.get("year") else ""
    return f"{name}{year}  [id {item['id']}, score {item['score']}]"


def _show(catalog: Catalog, title: str, stdout: TextIO) -> int:
    from bot.cards import render_text, show_card

    try:
        lookup = catalog.find_show(title)
    except NotFound as error:
        nearest = f" Nearest: {', '.join(error.suggestions)}." if error.suggestions else ""
        print(f"dramabot: {error.message}{nearest}", file=sys.stderr)
        return EXIT_NOT_FOUND
    now = SYSTEM_CLOCK.now()
    card = show_card(catalog, lookup.best, now=now)
    if not lookup.sure:
        stdout.write(f"(best guess for “{title}”; also: {', '.join(s.title for s in lookup.others)})\n")
    stdout.write(render_text(card) + "\n")
    return 0


def _ask(catalog: Catalog, question: str, stdin: TextIO, stdout: TextIO) -> int:
    """Print the answer to a plain-words question, Discord timestamps shown in this machine's time zone; return 0
    when every question was answered, 1 when any was not.

    With '-' each line of standard input is a question and each answer is one line (the catalog loads once); a
    blank line prints a blank answer and counts for nothing; a question too long is told on standard error,
    prints a blank answer, counts as not answered, and the batch goes on.
    """
    from bot.ask import answer, checked_question
    from bot.cards import render_timestamps

    batch = question == "-"

    def ask(text: str) -> bool:
        result = answer(checked_question(text), catalog, guild_id=None, now=SYSTEM_CLOCK.now())
        said = render_timestamps(result.text)
        stdout.write((" ".join(said.split()) if batch else said) + "\n")
        return result.found

    return _each_line(question, stdin, stdout, ask, lambda: stdout.write("\n"), missed="questions got no answer")


def _each_line(
    argument: str,
    stdin: TextIO,
    stdout: TextIO,
    run: Callable[[str], bool],
    blank: Callable[[], object],
    *,
    missed: str,
) -> int:
    """Run `argument`, or with '-' each line of standard input, through `run` (it writes its answer and says
    whether it found one); return 0 when every one found something, 1 when any did not.

    In a batch a blank line writes `blank()` and counts for nothing, and a line `run` refuses (InvalidInput) is
    told on standard error, writes `blank()`, counts as not found, and the batch goes on. A lone argument it
    refuses is the command's error (status 2).
    """
    batch = argument == "-"
    lines = (line.rstrip("\n") for line in stdin) if batch else iter([argument])
    not_found = asked = 0
    for number, line in enumerate(lines, 1):
        if batch and not line.strip():
            blank()
        else:
            asked += 1
            try:
                not_found += not run(line)
            except InvalidInput as error:
                if not batch:
                    raise
                print(f"dramabot: line {number}: {error.message}", file=sys.stderr)
                blank()
                not_found += 1
        stdout.flush()
    if batch and not_found:
        print(f"dramabot: {not_found} of {asked} {missed}.", file=sys.stderr)
    return EXIT_NOT_FOUND if not_found else 0


def _trivia_sample(catalog: Catalog, seed: int, count: int, stdout: TextIO) -> int:
    from bot.trivia import TriviaPool, sample_text

    stdout.write(sample_text(TriviaPool.from_catalog(catalog), seed, count))
    return 0


def _positive(text: str) -> int:
    value = int(text)
    if value < 1:
        raise argparse.ArgumentTypeError("must be at least 1")
    return value


def _at_most(highest: int) -> Callable[[str], int]:
    def whole_number(text: str) -> int:
        value = _positive(text)
        if value > highest:
            raise argparse.ArgumentTypeError(f"must be at most {highest}")
        return value

    return whole_number


def _positive_number(text: str) -> float:
    try:
        value = float(text)
    except ValueError:
        raise argparse.ArgumentTypeError(f"{text!r} is not a number") from None
    if value <= 0:
        raise argparse.ArgumentTypeError("must be more than 0")
    return value
