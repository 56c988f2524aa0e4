"""Answer a question: try the rules in order, run the matched intent's handler, fall back honestly."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable

from bot.ask.budget import Budget, OverBudget
from bot.ask.dates import airing_today, airing_week, episode_date, finale, finished, next_episode, premiere
from bot.ask.names import Context, prepare
from bot.ask.people import actor_of_character, character_of_actor, filmography, first, latest, together
from bot.ask.personal import Asker, my_list, what_to_watch
from bot.ask.question import HOW_TO_ASK, QUESTION_LIMIT, checked_question, fold
from bot.ask.rules import RULES
from bot.ask.shows import cast, director, episodes, genre, network, seasons, shared_cast, writer
from bot.ask.wording import Answer, Handler, decline, label
from bot.catalog import Catalog
from bot.errors import InvalidInput

HANDLERS: dict[str, Handler] = {
    "together": together,
    "shared_cast": shared_cast,
    "seasons": seasons,
    "character_of_actor": character_of_actor,
    "actor_of_character": actor_of_character,
    "cast": cast,
    "director": director,
    "writer": writer,
    "episodes": episodes,
    "network": network,
    "genre": genre,
    "finished": finished,
    "next_episode": next_episode,
    "episode_date": episode_date,
    "finale": finale,
    "premiere": premiere,
    "latest": latest,
    "first": first,
    "filmography": filmography,
    "airing_today": airing_today,
    "airing_week": airing_week,
}


# The questions about the asker: their handlers also receive who asks (None: nobody known, the command line).
PERSONAL: dict[str, Callable[[Context, dict[str, str], Asker | None], Answer]] = {
    "recommend": what_to_watch,
    "my_list": my_list,
}


def answer(
    question: str,
    catalog: Catalog,
    *,
    guild_id: int | None,
    now: dt.datetime,
    budget: Budget | None = None,
    asker: Asker | None = None,
) -> Answer:
    """Answer a drama question from the catalog, or say plainly that the catalog does not know.

    The work is bounded by `budget` (a fresh `Budget` by default): a question that needs more lookups or time
    than it allows is declined in one sentence. `asker` is who asks, for the questions about their own list.
    """
    folded = fold(question.strip()[:QUESTION_LIMIT])
    if not folded:
        return decline("unknown", "Ask me something about a drama, for example “who directed Signal?”.")
    # Lookups built for the first question, or rebuilt after a catalog edit, are not this question's cost.
    prepare(catalog)
    ctx = Context(catalog, guild_id, now, folded, budget)
    try:
        return _answer(ctx, folded, asker)
    except OverBudget as tangled:
        return decline("unknown", tangled.message)


def _answer(ctx: Context, folded: str, asker: Asker | None) -> Answer:
    failed: Answer | None = None
    for rule in RULES:
        matched = rule.pattern.match(folded)
        if matched is None:
            continue
        groups = {k: v for k, v in matched.groupdict().items() if v}
        if rule.intent in PERSONAL:
            result = PERSONAL[rule.intent](ctx, groups, asker)
        else:
            result = HANDLERS[rule.intent](ctx, groups)
        if result.found:
            return result
        # Of the readings that failed, report one that at least found the drama or person asked about.
        if failed is None or (not (failed.show_ids or failed.person_ids) and (result.show_ids or result.person_ids)):
            failed = result
    if failed is not None:
        return failed
    return _fallback(ctx, folded)


def reply_to_mention(
    text: str, catalog: Catalog, *, guild_id: int | None, now: dt.datetime, asker: Asker | None = None
) -> str:
    """Return the reply to a question asked by @mention: the answer, or a hint when there is no question."""
    if not text.strip():
        return HOW_TO_ASK
    try:
        question = checked_question(text)
    except InvalidInput as error:
        return error.message
    result = answer(question, catalog, guild_id=guild_id, now=now, asker=asker)
    if result.intent == "my_list" and result.show_ids:  # a reply everyone in the channel reads: the list is private
        return "Your list is private: ask me with /ask, and only you will see the answer."
    return result.text


def _fallback(ctx: Context, folded: str) -> Answer:
    """No phrasing matched: if the question is only a show's or a person's name, say what we have on it."""
    title = ctx.find_show(folded)
    if title is not None and title.sure:
        show = ctx.show(title)
        return Answer(
            f"I am not sure what you want to know about {label(show)}; /drama {show.title} shows its card, "
            "or ask me who is in it, who directed it, or when it aired.",
            "unknown",
            False,
            (show.id,),
        )
    return decline(
        "unknown",
        "I did not understand that question. I can answer things like “who plays Lee Eun Soo in Soundtrack #1?”, "
        "“who directed Signal?”, “when does Vincenzo end?” or “what else has Han So Hee been in?”; "
        "/drama and /person show full cards.",
    )
