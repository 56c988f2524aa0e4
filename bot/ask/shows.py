"""Answers about one show, or two: its makers, cast, length, network, genre and seasons, and shared cast."""

from __future__ import annotations

import datetime as dt
import re

from bot.ask.names import Context, NameMatch
from bot.ask.wording import (
    Answer,
    Handler,
    ShowBody,
    about_show,
    assumed_show,
    decline,
    label,
    listed,
    no_show,
)
from bot.models import Credit, CreditKind, Role, Show, Status
from bot.text import normalize


def _crew(kind: CreditKind, verb: str, intent: str) -> ShowBody:
    """Answer who directed or wrote a show, from its credits of that kind."""

    def body(ctx: Context, show: Show, _match: NameMatch) -> Answer:
        credits = ctx.catalog.credits_of_show(show.id, kind)
        if not credits:
            return decline(
                intent,
                f"The catalog does not say who {verb} {show.title}; /drama {show.title} shows what it has.",
                shows=(show.id,),
            )
        names = list(dict.fromkeys(c.person_name for c in credits))
        ids = tuple(dict.fromkeys(c.person_id for c in credits))
        text = f"{label(show)} was {verb} by {listed(names)}."
        # "Who made it?" asks for the makers, not one credit: name the writers beside the directors.
        if kind is CreditKind.DIRECTOR and re.search(
            r"\b(?:made|created|creator|makers?|behind|produc\w+)\b", ctx.question
        ):
            writers = list(
                dict.fromkeys(c.person_name for c in ctx.catalog.credits_of_show(show.id, CreditKind.WRITER))
            )
            if writers:
                text = text[:-1] + f" and written by {listed(writers)}."
        return Answer(text, intent, True, (show.id,), ids)

    return body


def _cast_body(ctx: Context, show: Show, _match: NameMatch) -> Answer:
    """Answer who is in a show: the main cast with their characters, then the rest by name."""
    cast = ctx.catalog.credits_of_show(show.id, CreditKind.CAST)
    if not cast:
        return decline(
            "cast",
            f"The catalog has no cast for {show.title}; /drama {show.title} shows what it has.",
            shows=(show.id,),
        )
    main = [c for c in cast if c.role is Role.MAIN] or cast[:4]
    lines = [_cast_part(c) for c in main]
    support = [c for c in cast if c not in main]
    text = f"The main cast of {label(show)}: {listed(lines, 6)}."
    if support:
        text += f" Also starring {listed([c.person_name for c in support], 4)}."
    ids = tuple(dict.fromkeys(c.person_id for c in cast))
    return Answer(text, "cast", True, (show.id,), ids)


def _cast_part(credit: Credit) -> str:
    return f"{credit.person_name} as {credit.character}" if credit.character else credit.person_name


def _episodes_body(ctx: Context, show: Show, _match: NameMatch) -> Answer:
    """Answer how many episodes a show has, and how long each runs when the catalog knows."""
    if not show.episode_count:
        return decline(
            "episodes",
            f"The catalog does not know how many episodes {show.title} has; try /drama {show.title}.",
            shows=(show.id,),
        )
    count = show.episode_count
    status = ctx.schedule(show).status_at(ctx.now)
    verb = "has" if status is not Status.UPCOMING else "will have"
    length = f" of about {show.episode_minutes} minutes each" if show.episode_minutes else ""
    return Answer(
        f"{label(show)} {verb} {count} episode{'s' if count != 1 else ''}{length}.", "episodes", True, (show.id,)
    )


def _network_body(ctx: Context, show: Show, asked: list[str]) -> Answer:
    """Answer where the show airs; with networks `asked` (as the catalog spells them), whether it is on one."""
    if not show.networks:
        return decline(
            "network",
            f"The catalog does not say which network or platform {show.title} is on; try /drama {show.title}.",
            shows=(show.id,),
        )
    networks = listed(list(show.networks))
    status = ctx.schedule(show).status_at(ctx.now)
    verb = {Status.FINISHED: "aired on", Status.UPCOMING: "will air on"}.get(status, "airs on")
    text = f"{label(show)} {verb} {networks}."
    if asked:
        on_it = any(name in show.networks for name in asked)
        text = ("Yes: " if on_it else "Not as far as the catalog knows: ") + text
    return Answer(text, "network", True, (show.id,))


# How fans name a genre the catalog spells another way.
_GENRE_NAMES = {
    "romantic": "romance",
    "romcom": "romance",
    "rom com": "romance",
    "sageuk": "historical",
    "legal": "law",
    "scifi": "sci fi",
    "science fiction": "sci fi",
    "slice of life": "life",
}


def _genre_body(ctx: Context, show: Show, asked: str) -> Answer:
    """Answer the show's genres; with a genre `asked`, whether it is one of them."""
    if not show.genres:
        return decline(
            "genre", f"The catalog has no genres for {show.title}; try /drama {show.title}.", shows=(show.id,)
        )
    genres = list(show.genres)
    text = f"{label(show)} is listed as {listed(genres)}."
    if asked:
        wanted = _GENRE_NAMES.get(asked, asked)
        names = [normalize(g) for g in genres]
        hit = any(wanted == n or wanted in n.split() for n in names) or (
            asked in ("romcom", "rom com") and {"romance", "comedy"} <= set(names)
        )
        text = ("Yes: " if hit else "Not by the catalog's genres: ") + text
    return Answer(text, "genre", True, (show.id,))


def _split_networks(ctx: Context, show_span: str, asked: str) -> tuple[str, list[str]] | None:
    """Cut "crash landing on you on tvn or netflix" into the show and the networks the catalog knows.

    The pattern cut at the first "on"; titles hold "on" too, so every later "on" is tried, the last first.
    """
    words = f"{show_span} on {asked}".split()
    for cut in range(len(words) - 1, 0, -1):
        if words[cut] not in ("on", "in"):
            continue
        names = [n for n in re.split(r"\s+(?:or|and|n)\s+|\s*&\s*", " ".join(words[cut + 1 :])) if n.strip()]
        known = [ctx.find_network(name) for name in names]
        if names and all(known):
            return " ".join(words[:cut]), [k for k in known if k]
    return None


def network(ctx: Context, groups: dict[str, str]) -> Answer:
    """Answer where a show airs, or whether it airs on the networks asked about ("is S on Netflix")."""
    named = groups.get("network", "")
    asked: list[str] = []
    if named:
        split = _split_networks(ctx, groups.get("show", ""), named)
        if split is None:
            # "did Crash Landing on You end already": not a network after all; let the other rules try.
            return decline("network", f"I do not know a network or platform called “{named}”.")
        groups = {**groups, "show": split[0]}
        asked = split[1]
    return about_show("network", lambda c, show, _match: _network_body(c, show, asked))(ctx, groups)


def genre(ctx: Context, groups: dict[str, str]) -> Answer:
    """Answer a show's genres, or whether it is of the genre asked about ("is S a romance")."""
    asked = groups.get("genre", "")
    return about_show("genre", lambda c, show, _match: _genre_body(c, show, asked))(ctx, groups)


def shared_cast(ctx: Context, groups: dict[str, str]) -> Answer:
    """Answer who is credited in both of two shows (cast or crew)."""
    intent = "shared_cast"
    first, second = ctx.find_show(groups.get("show", "")), ctx.find_show(groups.get("show2", ""))
    if first is None:
        return no_show(intent, groups.get("show", ""))
    if second is None:
        return no_show(intent, groups.get("show2", ""))
    a, b = ctx.show(first), ctx.show(second)
    if a.id == b.id:
        return decline(intent, f"Both titles look like {label(a)} to me; name two different dramas.", shows=(a.id,))
    in_b = {c.person_id for c in ctx.catalog.credits_of_show(b.id)}
    shared = [c for c in ctx.catalog.credits_of_show(a.id) if c.person_id in in_b]
    both = list(
        dict.fromkeys(c.person_name + ("" if c.kind is CreditKind.CAST else f" ({c.kind.value})") for c in shared)
    )
    ids = tuple(dict.fromkeys(c.person_id for c in shared))
    lead = assumed_show(ctx, first)[0] + assumed_show(ctx, second)[0]
    if not both:
        return decline(
            intent,
            f"{lead}The catalog has no one credited in both {label(a)} and {label(b)}; /drama shows each cast.",
            shows=(a.id, b.id),
        )
    return Answer(f"{lead}In both {label(a)} and {label(b)}: {listed(both, 10)}.", intent, True, (a.id, b.id), ids)


def _seasons_body(ctx: Context, show: Show, _match: NameMatch) -> Answer:
    """Answer which seasons of a show the catalog holds: the shows of its series (bot/seasons.py)."""
    seasons = ctx.catalog.series_of(show.id, guild_id=ctx.guild_id)
    seasons.sort(key=lambda s: (s.premiere or dt.date.max, s.title))
    titles = [label(s) for s in seasons]
    if len(seasons) <= 1:
        text = f"The catalog has only one season of {label(show)}; a later season may not be in it yet."
    else:
        text = f"The catalog has {len(seasons)} seasons of {seasons[0].title}: {listed(titles)}."
    return Answer(text, "seasons", True, tuple(s.id for s in seasons))


director: Handler = about_show("director", _crew(CreditKind.DIRECTOR, "directed", "director"))
writer: Handler = about_show("writer", _crew(CreditKind.WRITER, "written", "writer"))
cast: Handler = about_show("cast", _cast_body)
episodes: Handler = about_show("episodes", _episodes_body)
seasons: Handler = about_show("seasons", _seasons_body)
