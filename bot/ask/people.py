"""Answers about people and characters: who plays whom, a person's dramas, first and latest, and co-stars."""

from __future__ import annotations

import datetime as dt
import re

from bot.ask.names import CastMatch, Context, NameMatch, edge_variants, splits
from bot.ask.shows import cast
from bot.ask.wording import (
    LIST_LIMIT,
    Answer,
    Handler,
    about_person,
    assumed_person,
    assumed_show,
    decline,
    iso_day,
    korea_today,
    label,
    listed,
    no_person,
)
from bot.models import Credit, CreditKind, Person


def character_of_actor(ctx: Context, groups: dict[str, str]) -> Answer:
    """Answer which character A plays (in S): the span is split where the show starts, each way scored."""
    intent = "character_of_actor"
    options: list[tuple[str, str]] = []
    if "show" in groups:
        options.append((groups.get("rest", ""), groups["show"]))
    options.extend(splits(groups.get("rest", "")))
    best: tuple[tuple[float, ...], NameMatch, NameMatch | None] | None = None
    for person_span, show_span in options:
        person_option = ctx.find_person(person_span)
        if person_option is None:
            continue
        show_option = ctx.find_show(show_span) if show_span else None
        if show_span and show_option is None:
            continue
        cast_there = show_option is not None and any(
            c.person_id == person_option.best for c in ctx.catalog.credits_of_show(show_option.best, CreditKind.CAST)
        )
        sure_show = show_option is not None and show_option.sure
        rank = (cast_there, person_option.score >= 100.0, person_option.sure, sure_show, person_option.score)
        if best is None or rank > best[0]:
            best = (rank, person_option, show_option)
    if best is None:
        return no_person(intent, groups.get("rest", ""))
    _, person_match, show_match = best
    person = ctx.person(person_match)
    lead, others = assumed_person(ctx, person_match)
    roles = [c for c in ctx.visible_credits(person.id) if c.kind is CreditKind.CAST]
    if show_match is not None:
        show = ctx.show(show_match)
        in_show = [c for c in roles if c.show_id == show.id]
        if not in_show:
            crew = [c for c in ctx.visible_credits(person.id) if c.show_id == show.id]
            if crew:
                return Answer(
                    f"{lead}{person.name} is credited as {crew[0].kind.value} of {label(show)}, not in its cast.",
                    intent,
                    True,
                    (show.id,),
                    (person.id,),
                    others,
                )
            return decline(
                intent,
                f"{lead}The catalog does not list {person.name} in the cast of {label(show)}; "
                f"/drama {show.title} shows who is.",
                shows=(show.id,),
                people=(person.id,),
            )
        credit = in_show[0]
        if not credit.character:
            return decline(
                intent,
                f"{lead}{person.name} is in the cast of {label(show)}, but the catalog does not name the character.",
                shows=(show.id,),
                people=(person.id,),
            )
        show_lead, show_others = assumed_show(ctx, show_match)
        return Answer(
            f"{lead}{show_lead}{person.name} plays {credit.character} in {label(show)}.",
            intent,
            True,
            (show.id,),
            (person.id,),
            others + show_others,
        )
    named = [c for c in roles if c.character]
    if not named:
        return decline(
            intent,
            f"{lead}The catalog has no named roles for {person.name}; try /person {person.name}.",
            people=(person.id,),
        )
    parts = [_role_in(c) for c in named]
    return Answer(
        f"{lead}{person.name} has played {listed(parts, 6)}.",
        intent,
        True,
        tuple(dict.fromkeys(c.show_id for c in named)),
        (person.id,),
        others,
    )


# "Who plays the main character in S" asks for the leads, which the catalog marks as main cast.
_LEAD_ROLE = re.compile(
    r"^(?:the\s+)?(?:main|lead|leading|male|female|second|2nd|title)?\s*(?:lead|leads|character|characters|role|roles|"
    r"protagonist|protagonists|hero|heroine|actor|actress|couple|ml|fl|star|stars)(?:\s+(?:role|character|actor))?$"
)


def actor_of_character(ctx: Context, groups: dict[str, str]) -> Answer:
    """Answer who plays C (in S): C is matched against S's characters, or every character when S is not named."""
    intent = "actor_of_character"
    rest = groups.get("rest", "")
    best: tuple[tuple[float, ...], NameMatch, list[CastMatch]] | None = None
    unmatched_show: NameMatch | None = None
    options = list(splits(rest))
    if "show" in groups:  # "in Business Proposal, who plays Kang Tae Moo"
        options.insert(0, (rest, groups["show"]))
    for char_span, show_span in options:
        if not show_span:
            continue
        show_option = ctx.find_show(show_span)
        if show_option is None:
            continue
        roles = ctx.roles_in_show(show_option.best, char_span)
        if not roles:
            if unmatched_show is None or (show_option.sure and not unmatched_show.sure):
                unmatched_show = show_option
            continue
        rank = (roles[0].score >= 95, show_option.sure, roles[0].score + show_option.score)
        if best is None or rank > best[0]:
            best = (rank, show_option, roles)
    if best is not None:
        _, show_match, roles = best
        show = ctx.show(show_match)
        top = [r for r in roles if r.score >= roles[0].score - 0.01]
        lead, others = assumed_show(ctx, show_match)
        characters = list(dict.fromkeys(r.credit.character for r in top))
        ids = tuple(dict.fromkeys(r.credit.person_id for r in top))
        if len(characters) > 1:
            # "Kim" in a show with a Kim Shin and a Kim Sun: name them all rather than pick one.
            parts = [f"{r.credit.character} is played by {r.credit.person_name}" for r in top]
            text = f"{lead}Several characters in {label(show)} match “{_words_of(rest)}”: {listed(parts, 5)}."
            return Answer(text, intent, True, (show.id,), ids, others)
        people = list(dict.fromkeys(r.credit.person_name for r in top))
        text = f"{lead}In {label(show)}, {characters[0]} is played by {listed(people)}."
        return Answer(text, intent, True, (show.id,), ids, others)
    # A known person instead of a character ("who is Han So Hee in Soundtrack 1"): say whom they play.
    for person_span, show_span in splits(rest):
        if show_span and (known := ctx.find_person(person_span)) is not None and known.score >= 100.0:
            return character_of_actor(ctx, {"rest": person_span, "show": show_span})
    # "who plays in S" / "who is the lead in S": the cast.
    if unmatched_show is not None and unmatched_show.sure:
        char_span, show_span = next(
            ((c, s) for c, s in splits(rest) if s and ctx.find_show(s) == unmatched_show), (rest, rest)
        )
        if not edge_variants(char_span) or _LEAD_ROLE.match(char_span):
            return cast(ctx, {"show": show_span})
        show = ctx.show(unmatched_show)
        return decline(
            intent,
            f"The catalog has no character called “{char_span.strip()}” in {label(show)}; "
            f"/drama {show.title} lists its cast.",
            shows=(show.id,),
        )
    roles = ctx.roles_anywhere(rest)
    if not roles:
        # "who plays goblin": a title, not a character.
        title = ctx.find_show(rest)
        if title is not None and title.sure and title.score >= 100.0:
            return cast(ctx, {"show": rest})
        return decline(
            intent,
            f"I could not find a character called “{rest.strip()}” in the catalog; "
            "name the drama too, or try /drama with its title.",
        )
    top = [r for r in roles if r.score >= roles[0].score - 0.01]
    pick = top[0].credit
    text = f"{_role_in(pick)} is played by {pick.person_name}."
    others = tuple(f"{r.credit.character} in {r.credit.show_title} ({r.credit.person_name})" for r in top[1:5])
    if others:
        text = (
            f"(I assumed the one in the best-known drama; name the drama to be sure.) {text} "
            f"Other characters by that name: {listed(list(others), 4)}."
        )
    return Answer(text, intent, True, (pick.show_id,), (pick.person_id,), others)


def _words_of(span: str) -> str:
    """Return a span as a name: its edge words trimmed."""
    return " ".join(edge_variants(span)[:1]) or span.strip()


def _year(credit: Credit) -> str:
    return f" ({credit.show_premiere.year})" if credit.show_premiere else ""


def _role_in(credit: Credit) -> str:
    """Return "Lee Eun Soo in Soundtrack #1 (2022)"."""
    return f"{credit.character} in {credit.show_title}{_year(credit)}"


def _credit_part(credit: Credit) -> str:
    """Return a credit as a filmography lists it: the show, its year, and the role or the job."""
    year = _year(credit)
    if credit.kind is CreditKind.CAST:
        return f"{credit.show_title}{year}" + (f" as {credit.character}" if credit.character else "")
    return f"{credit.show_title}{year} ({'director' if credit.kind is CreditKind.DIRECTOR else 'writer'})"


def _filmography_body(ctx: Context, person: Person) -> Answer:
    """Answer what a person has been in, roles and jobs, as far as the catalog lists."""
    credits = ctx.visible_credits(person.id)
    if not credits:
        return decline(
            "filmography",
            f"The catalog has no credits for {person.name}; try /person {person.name}.",
            people=(person.id,),
        )
    shows = list(dict.fromkeys(c.show_id for c in credits))
    parts = [_credit_part(c) for c in credits]
    count = len(shows)
    text = (
        f"{person.name} has {count} drama{'s' if count != 1 else ''} in the catalog: {listed(parts, LIST_LIMIT)}."
        + (f" /person {person.name} lists them all." if len(parts) > LIST_LIMIT else "")
    )
    return Answer(text, "filmography", True, tuple(shows), (person.id,))


UPCOMING_NAMED = 3  # announced dramas a "latest" answer names after the latest aired one


def _dated_credits(ctx: Context, person: Person) -> list[tuple[dt.date, Credit]]:
    """Return the person's credits with a premiere date, newest first, one per show."""
    dated: dict[int, tuple[dt.date, Credit]] = {}
    for credit in ctx.visible_credits(person.id):
        if credit.show_premiere is not None and credit.show_id not in dated:
            dated[credit.show_id] = (credit.show_premiere, credit)
    return list(dated.values())


def _no_dated_credits(intent: str, person: Person) -> Answer:
    return decline(
        intent, f"The catalog has no dated credits for {person.name}; try /person {person.name}.", people=(person.id,)
    )


def _latest_body(ctx: Context, person: Person) -> Answer:
    """Answer a person's newest drama in the catalog, and the one before it."""
    credits = _dated_credits(ctx, person)
    if not credits:
        return _no_dated_credits("latest", person)
    # The latest is the newest that has begun by now; those announced for later are named as coming next.
    today = korea_today(ctx.now)
    aired = [item for item in credits if item[0] <= today]
    upcoming = [item for item in reversed(credits) if item[0] > today][:UPCOMING_NAMED]
    if not aired:
        premiere, newest = upcoming[0]
        text = f"{person.name}'s next drama in the catalog is {_credit_part(newest)}; it premieres on "
        return Answer(text + f"{iso_day(premiere)}.", "latest", True, (newest.show_id,), (person.id,))
    premiere, newest = aired[0]
    text = f"{person.name}'s latest drama in the catalog is {_credit_part(newest)}"
    text += f"; it premiered on {iso_day(premiere)}."
    if len(aired) > 1:
        text += f" Before that: {_credit_part(aired[1][1])}."
    if upcoming:
        text += " Coming next: " + listed([f"{_credit_part(c)} from {iso_day(day)}" for day, c in upcoming]) + "."
    return Answer(text, "latest", True, (newest.show_id,), (person.id,))


def _first_body(ctx: Context, person: Person) -> Answer:
    """Answer a person's earliest drama in the catalog."""
    credits = _dated_credits(ctx, person)
    if not credits:
        return _no_dated_credits("first", person)
    premiere, oldest = credits[-1]
    text = (
        f"{person.name}'s earliest drama in the catalog is {_credit_part(oldest)}, which premiered on "
        f"{iso_day(premiere)}; earlier work may be missing from the catalog."
    )
    return Answer(text, "first", True, (oldest.show_id,), (person.id,))


def together(ctx: Context, groups: dict[str, str]) -> Answer:
    """Answer which dramas two people are both credited in."""
    intent = "together"
    match_a = ctx.find_person(groups.get("person", ""))
    match_b = ctx.find_person(groups.get("person2", ""))
    if match_a is None:
        return no_person(intent, groups.get("person", ""))
    if match_b is None:
        return no_person(intent, groups.get("person2", ""))
    a, b = ctx.person(match_a), ctx.person(match_b)
    if a.id == b.id:
        return decline(intent, f"Both names look like {a.name} to me; name two different people.", people=(a.id,))
    shows_a = {c.show_id: c for c in ctx.visible_credits(a.id)}
    both = list({c.show_id: c for c in ctx.visible_credits(b.id) if c.show_id in shows_a}.values())
    lead_a, others_a = assumed_person(ctx, match_a)
    lead_b, others_b = assumed_person(ctx, match_b)
    lead, alternatives = lead_a + lead_b, others_a + others_b
    if not both:
        return decline(
            intent,
            f"{lead}The catalog has no drama with both {a.name} and {b.name}; /person shows each one's credits.",
            people=(a.id, b.id),
        )
    titles = [label(ctx.catalog.shows[c.show_id]) for c in both]
    verb = "are both in" if len(both) == 1 else "are both in these dramas:"
    return Answer(
        f"{lead}{a.name} and {b.name} {verb} {listed(titles)}.",
        intent,
        True,
        tuple(c.show_id for c in both),
        (a.id, b.id),
        alternatives,
    )


filmography: Handler = about_person("filmography", _filmography_body)
latest: Handler = about_person("latest", _latest_body)
first: Handler = about_person("first", _first_body)
