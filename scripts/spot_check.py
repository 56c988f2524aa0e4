"""Break a promise on purpose, in a scratch copy of the tree, and check that the tests named for it fail.

    python scripts/spot_check.py              # every mutation below; prints caught or MISSED for each
    python scripts/spot_check.py nonce undo   # only those whose name contains one of the words

Each mutation replaces one snippet of the code (it must occur exactly once) and runs the tests a developer
would run for that feature; the mutation is caught when they fail. The first five are the changes issue 19
found the suite blind to; the rest are a second, independent round of glue mutations. Not run by CI (about
five minutes); the results are kept in tests/README.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import os
import shutil
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


@dataclasses.dataclass(frozen=True)
class Mutation:
    name: str
    path: str
    old: str
    new: str
    tests: tuple[str, ...]
    why: str
    also: tuple[tuple[str, str, str], ...] = ()  # more (path, old, new) edits made together with the first


PERMISSIONS = "tests/e2e/test_permissions.py"
DELIVERY = "tests/e2e/test_announce_delivery.py"
REPLIES = "tests/e2e/test_replies.py"
BOUNDS = ("tests/e2e/test_bounds.py", "tests/test_core_limits.py")
CLICK_CHECK = "        curator(interaction).require()\n        return True\n"  # Prompt.interaction_check
MUTATIONS = (
    # -- the five changes of issue 19 ------------------------------------------------------------------------
    Mutation(
        "button-recheck",
        "cogs/curation.py",
        CLICK_CHECK,
        "        return True\n",
        (PERMISSIONS + "::test_an_admin_who_lost_manage_server_cannot_press_their_own_buttons",),
        "a confirm button no longer re-checks the clicker's rights",
    ),
    Mutation(
        "button-recheck-stale-rights",
        "cogs/curation.py",
        "                outcome = await action(curator(interaction))\n",
        "                outcome = await action(\n"
        "                    Curator(\n"
        "                        interaction.user.id, interaction.guild_id, True,\n"
        "                        dramabot(interaction).settings.owner_ids,\n"
        "                    )\n"
        "                )\n",
        (PERMISSIONS + "::test_an_admin_who_lost_manage_server_cannot_press_their_own_buttons",),
        "no check on the click, and its action runs with the rights the admin had when the prompt was made",
        also=(("cogs/curation.py", CLICK_CHECK, "        return True\n"),),
    ),
    Mutation(
        "announce-manage-server",
        "cogs/announce.py",
        "    if not interaction.permissions.manage_guild:\n",
        "    if False:\n",
        (PERMISSIONS + "::test_every_admin_command_refuses_a_member_the_server_opened_it_to",),
        "/announce no longer checks Manage Server",
    ),
    Mutation(
        "announce-nonce",
        "cogs/announce.py",
        "                nonce=item.nonce,",
        "",
        (DELIVERY,),
        "the real cog sends announcements without a nonce",
    ),
    Mutation(
        "episodes-bound",
        "bot/curation/rules.py",
        "    if not 1 <= count <= MAX_EPISODES:\n",
        "    if not 1 <= count < MAX_EPISODES:\n",
        BOUNDS,
        "the 500-episode bound becomes < 500",
    ),
    Mutation(
        "trivia-sample-renamed",
        "bot/cli.py",
        'commands.add_parser("trivia-sample",',
        'commands.add_parser("trivia-samples",',
        ("tests/e2e/test_trivia_games.py::test_trivia_sample_prints_questions_with_answers",),
        "`dramabot trivia-sample` is renamed",
    ),
    # -- a second, independent round ---------------------------------------------------------------------------
    Mutation(
        "zlib-frames",
        "bot/sandbox/gateway.py",
        "        return self._compressor.compress(text.encode()) + self._compressor.flush(zlib.Z_SYNC_FLUSH)\n",
        "        return self._compressor.compress(text[:-1].encode()) + self._compressor.flush(zlib.Z_SYNC_FLUSH)\n",
        ("tests/e2e/test_sandbox.py::test_gateway_frames_decode_with_discord_py_decompressor",),
        "the fake's gateway frames lose a character (the assertion that could not fail)",
    ),
    Mutation(
        "prompt-author",
        "cogs/curation.py",
        "        if interaction.user.id != self.author_id:\n",
        "        if False:\n",
        ("tests/e2e/test_curation.py::test_members_are_refused_by_discord_and_by_the_bot",),
        "anyone may press an admin's confirmation",
    ),
    Mutation(
        "double-click",
        "cogs/curation.py",
        "            self.busy = True\n",
        "            self.busy = False\n",
        ("tests/e2e/test_curation.py", REPLIES),
        "a double click on Add anyway adds the drama twice",
    ),
    Mutation(
        "import-size",
        "cogs/curation.py",
        "        check_import_size(file.size)\n",
        "",
        BOUNDS,
        "/catalog import no longer checks the file's size before reading it",
    ),
    Mutation(
        "undo-window",
        "bot/curation/editor.py",
        "UNDO_WINDOW = dt.timedelta(days=1)",
        "UNDO_WINDOW = dt.timedelta(days=2)",
        BOUNDS,
        "/catalog undo reaches back two days",
    ),
    Mutation(
        "grace-boundary",
        "bot/announce/plan.py",
        "    return Triage.SKIP if require_aware(now) - require_aware(due_at) > grace else Triage.DELIVER\n",
        "    return Triage.SKIP if require_aware(now) - require_aware(due_at) >= grace else Triage.DELIVER\n",
        ("tests/test_core_limits.py", "tests/test_announcer.py"),
        "an announcement exactly the grace late is skipped",
    ),
    Mutation(
        "everyone-role",
        "cogs/announce.py",
        "        if role.is_default():\n",
        "        if False:\n",
        ("tests/e2e/test_announce.py", DELIVERY),
        "/announce role accepts @everyone",
    ),
    Mutation(
        "announce-own-channel-check",
        "cogs/announce.py",
        "            if not (yours.view_channel and yours.send_messages):\n",
        "            if False:\n",
        ("tests/e2e/test_announce.py",),
        "an admin may send announcements to a channel they cannot post in",
    ),
    Mutation(
        "announce-pings",
        "cogs/announce.py",
        "            discord.AllowedMentions(everyone=False, users=False, replied_user=False, "
        "roles=[discord.Object(role_id)])\n",
        "            discord.AllowedMentions.all()\n",
        ("tests/e2e/test_announce.py", DELIVERY),
        "announcements may ping anyone they mention",
    ),
    Mutation(
        "trivia-stop",
        "cogs/trivia.py",
        "        if interaction.user.id != game.session.starter_id and not interaction.permissions.manage_messages:\n",
        "        if False:\n",
        ("tests/e2e/test_trivia_games.py",),
        "anyone may stop someone else's trivia game",
    ),
    Mutation(
        "reply-pings",
        "bot/app.py",
        "            allowed_mentions=discord.AllowedMentions.none(),\n",
        "            allowed_mentions=discord.AllowedMentions.all(),\n",
        ("tests/e2e/test_ask.py", REPLIES),
        "the bot's replies may ping whoever they mention",
    ),
    Mutation(
        "alias-plural",
        "bot/curation/rules.py",
        '        plural = what + ("es" if what.endswith("s") else "s")  # aliases, networks\n',
        '        plural = what + "s"\n',
        BOUNDS,
        "the refusal of a 21st alias says “aliass” again",
    ),
)


def copy_tree(target: Path) -> None:
    listed = subprocess.run(
        ["git", "ls-files", "--cached", "--others", "--exclude-standard", "-z"],
        cwd=ROOT, check=True, capture_output=True,
    ).stdout.decode().split("\0")  # fmt: skip
    for name in filter(None, listed):
        source = ROOT / name
        if source.is_file():
            destination = target / name
            destination.parent.mkdir(parents=True, exist_ok=True)
            shutil.copy2(source, destination)


def run_tests(tree: Path, tests: tuple[str, ...]) -> tuple[bool, str, float]:
    env = {**os.environ, "PYTHONPATH": str(tree)}
    started = time.monotonic()
    done = subprocess.run(
        [sys.executable, "-m", "pytest", "-x", "-q", "-p", "no:cacheprovider", *tests],
        cwd=tree, env=env, capture_output=True, text=True,
    )  # fmt: skip
    lines = [line for line in done.stdout.splitlines() if line.startswith(("FAILED", "ERROR"))]
    summary = lines[0] if lines else done.stdout.strip().splitlines()[-1]
    return done.returncode == 0, summary, time.monotonic() - started


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("only", nargs="*", help="run only mutations whose name contains one of these words")
    parser.add_argument("--baseline", action="store_true", help="first check the tests pass on the unchanged tree")
    args = parser.parse_args()
    chosen = [m for m in MUTATIONS if not args.only or any(word in m.name for word in args.only)]
    missed = 0
    with tempfile.TemporaryDirectory(prefix="dramabot-spot-") as folder:
        clean = Path(folder) / "clean"
        copy_tree(clean)
        if args.baseline:
            union = tuple(dict.fromkeys(t for m in chosen for t in m.tests))
            passed, summary, seconds = run_tests(clean, union)
            print(f"baseline: {'passed' if passed else 'FAILED'} in {seconds:.0f} s: {summary}")
            if not passed:
                return 1
        for mutation in chosen:
            tree = Path(folder) / mutation.name
            shutil.copytree(clean, tree)
            applied = True
            for path, old, new in ((mutation.path, mutation.old, mutation.new), *mutation.also):
                target = tree / path
                text = target.read_text(encoding="utf-8")
                if text.count(old) != 1:
                    print(f"{mutation.name}: a snippet is not in {path} exactly once; update this script")
                    applied = False
                    break
                target.write_text(text.replace(old, new), encoding="utf-8")
            if not applied:
                missed += 1
                continue
            passed, summary, seconds = run_tests(tree, mutation.tests)
            verdict = "MISSED" if passed else "caught"
            missed += passed
            print(f"{mutation.name}: {verdict} in {seconds:.0f} s ({mutation.why}); {summary}")
            shutil.rmtree(tree)
    return 1 if missed else 0


if __name__ == "__main__":
    sys.exit(main())
