"""People: one per person across the sources, each show's credits in billing order, Hangul names from Daum.

In one show, a source's credit is the same person as another source's when the names are the same ignoring case,
spaces and hyphens, or the same once romanisations are folded (bot/romanize.py: "Doh Kyung-soo" is "Do Kyung
Soo"). A Daum (Hangul) credit is the same as a Latin one in that show when its name, romanised, folds to the
same key, or else when its character, romanised, does; each Latin credit takes at most one Daum credit, the best
first. Across shows, a Daum person id seen matched to one Latin name is that person everywhere (their Hangul name
is the one Daum gives); one matched to two names equally often is matched to neither. A Daum person matched
nowhere is a person of their own, named in romanised Hangul ("Bae Doo Na"), with the Hangul as `hangul_name`.

Billing: cast leads first (role main, support, guest, unknown), and within a role in the source's order: the
MyDramaList page's (top six), then TMDB's series cast order, kdramalist's actor list, Wikipedia's infobox, Daum's
credits, and last wiki_actors.csv's row order, which follows no billing.
"""

from __future__ import annotations

import functools
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from difflib import SequenceMatcher
from typing import Any

from rapidfuzz import fuzz

from bot.romanize import name_fold as fold_name
from bot.romanize import romanize_name
from seedbuild.common import Stats, clean_text, mdl_style, normalise_name, parse_int, slugify
from seedbuild.core import Core
from seedbuild.merge import Cluster
from seedbuild.model import CastEntry, CrewEntry

ROLE_ORDER = {"main": 0, "support": 1, "guest": 2, None: 3}
ORDER_SOURCES = ("mdl", "tmdb", "kdl", "wiki", "daum", "kd")
LATIN_CAST_SOURCES = ("kd", "mdl", "wiki", "tmdb", "kdl")  # the order a part's character and role are taken in
NEW_SLOT_SOURCES = {"kd", "mdl", "wiki"}  # TMDB's and kdramalist's lists only order the others
CAST_LIMIT = 25  # the longest Daum casts list 150 bit parts; the first 25 credits are kept
BARE_LIMIT = 12  # past this billing, a credit with neither character nor role says too little to keep
GENDERS = {"1": "female", "2": "male", "3": "non-binary"}
MISSING_INDEX = 1 << 20


@dataclass
class Slot:
    """One person's part in one show, as every source that lists it tells it."""

    kind: str
    latin: Counter[str] = field(default_factory=Counter)  # Latin spellings, by source kind ("mdl", "tmdb", "wiki")
    spelled_by: dict[str, str] = field(default_factory=dict)  # spelling -> the first source that gave it
    hangul: str | None = None
    daum_ref: str | None = None
    mdl_ref: str | None = None
    tmdb_ids: set[int] = field(default_factory=set)
    character: str | None = None
    note: str | None = None
    char_source: str | None = None
    role: str | None = None
    positions: dict[str, int] = field(default_factory=dict)
    identity: str | None = None  # set by the global pass

    @property
    def norm(self) -> str | None:
        names = [n for n in self.latin if self.spelled_by.get(n) in ("kd", "mdl")] or list(self.latin)
        return normalise_name(names[0]) if names else None

    def folds(self) -> set[str]:
        return {name_fold(n) for n in self.latin}

    def take_part(self, entry: CastEntry) -> None:
        if entry.character and self.character is None:
            self.character, self.note, self.char_source = entry.character, entry.note, entry.source
        if self.role is None and entry.role is not None:
            self.role = entry.role


@dataclass
class ShowPeople:
    """A show's cast and crew slots while the people are resolved."""

    key: str
    cast: list[Slot] = field(default_factory=list)
    crew: list[Slot] = field(default_factory=list)


def _find_latin(slots: list[Slot], name: str, source: str) -> Slot | None:
    """The slot already holding this name, or (from another source) a spelling of it: "Doh Kyung-soo"."""
    norm, fold = normalise_name(name), name_fold(name)
    for slot in slots:
        if any(normalise_name(n) == norm for n in slot.latin):
            return slot
    for slot in slots:
        if source not in slot.positions and fold in slot.folds():
            return slot
    return None


def _add_latin(slots: list[Slot], kind: str, name: str, source: str, order: int, ref: str | None,
               create: bool) -> Slot | None:  # fmt: skip
    slot = _find_latin(slots, name, source)
    if slot is None:
        if not create:
            return None
        slot = Slot(kind)
        slots.append(slot)
    slot.latin[name] += 1
    slot.spelled_by.setdefault(name, source)
    slot.positions.setdefault(source, order)
    if ref and ref.startswith("tmdb:"):
        slot.tmdb_ids.add(int(ref[5:]))
    elif ref and ref.startswith("mdl:"):
        slot.mdl_ref = slot.mdl_ref or ref
    return slot


name_fold = functools.cache(fold_name)  # a person's names are folded at each of their credits: once is enough


def _alike(a: str, b: str) -> bool:
    """difflib's ratio of two folded names is at least 0.88. rapidfuzz's ratio (the longest common subsequence)
    is never below difflib's, so it rules most pairs out first, a hundred times faster, with the same result."""
    return fuzz.ratio(a, b) >= 87.5 and SequenceMatcher(None, a, b).ratio() >= 0.88


def _match_hangul(slots: list[Slot], entries: list[Any], stats: Stats, label: str) -> list[tuple[Any, Slot | None]]:
    """Pair Daum's Hangul entries with the Latin slots of the same show, best evidence first, one to one."""
    scored: list[tuple[float, int, int]] = []
    for e_number, entry in enumerate(entries):
        fold = name_fold(entry.name)
        char_fold = name_fold(entry.character) if getattr(entry, "character", None) else None
        for s_number, slot in enumerate(slots):
            if slot.hangul is not None:
                continue
            score = 0.0
            if fold in slot.folds():
                score = 3.0
            elif slot.character and char_fold and char_fold == name_fold(slot.character):
                score = 2.0
            elif any(_alike(fold, f) for f in slot.folds()):
                score = 1.0
            if score:
                scored.append((score, e_number, s_number))
    scored.sort(key=lambda t: (-t[0], t[1], t[2]))
    paired: dict[int, Slot] = {}
    used: set[int] = set()
    for score, e_number, s_number in scored:
        if e_number in paired or s_number in used:
            continue
        paired[e_number] = slots[s_number]
        used.add(s_number)
        how = {3.0: "name", 2.0: "character"}.get(score, "near name")
        stats.add(f"people: {label} Daum credits matched by {how}")
    return [(entry, paired.get(number)) for number, entry in enumerate(entries)]


def show_people(cluster: Cluster, key: str, stats: Stats) -> ShowPeople:
    """Merge the cast and crew every source gives for one show into slots, one per person and part."""
    people = ShowPeople(key)
    cast_entries: dict[str, list[CastEntry]] = defaultdict(list)
    for record in cluster.records.values():
        for entry in record.cast:
            cast_entries[entry.source].append(entry)
    for source in LATIN_CAST_SOURCES:
        for entry in sorted(cast_entries.get(source, []), key=lambda e: e.order):
            slot = _add_latin(people.cast, "cast", entry.name, source, entry.order, entry.ref,
                              create=source in NEW_SLOT_SOURCES)  # fmt: skip
            if slot is not None:
                slot.take_part(entry)
    daum = sorted(cast_entries.get("daum", []), key=lambda e: e.order)
    for entry, slot in _match_hangul(people.cast, daum, stats, "cast"):
        if slot is None:
            slot = Slot("cast")
            people.cast.append(slot)
        elif slot.hangul is not None:  # the same person twice in Daum's list (주연 and a role)
            pass
        slot.hangul = slot.hangul or entry.name
        slot.daum_ref = slot.daum_ref or entry.ref
        slot.positions.setdefault("daum", entry.order)
        slot.take_part(entry)

    crew_entries: dict[tuple[str, str], list[CrewEntry]] = defaultdict(list)
    for record in cluster.records.values():
        for entry in record.crew:
            crew_entries[entry.kind, entry.source].append(entry)
    for kind in ("director", "writer"):
        slots: list[Slot] = []
        for source in ("kd", "mdl", "tmdb", "wiki"):
            for entry in sorted(crew_entries.get((kind, source), []), key=lambda e: e.order):
                _add_latin(slots, kind, entry.name, source, entry.order, entry.ref, create=True)
        hangul_entries = sorted(crew_entries.get((kind, "daum"), []), key=lambda e: e.order)
        for entry, slot in _match_hangul(slots, hangul_entries, stats, kind):
            if slot is None:
                slot = Slot(kind)
                slots.append(slot)
            slot.hangul = slot.hangul or entry.name
            slot.daum_ref = slot.daum_ref or entry.ref
            slot.positions.setdefault("daum", entry.order)
        people.crew.extend(slots)
    return people


def billing_key(slot: Slot) -> tuple[int, ...]:
    return (ROLE_ORDER[slot.role], *(slot.positions.get(s, MISSING_INDEX) for s in ORDER_SOURCES))


@dataclass
class Identity:
    spellings: Counter[str] = field(default_factory=Counter)  # Latin spellings seen, weighted MDL first
    other_spellings: set[str] = field(default_factory=set)
    hangul: Counter[str] = field(default_factory=Counter)
    tmdb_ids: Counter[int] = field(default_factory=Counter)
    show_keys: set[str] = field(default_factory=set)


def resolve_people(shows: list[ShowPeople], core: Core, stats: Stats) -> tuple[list[dict[str, Any]], dict[int, str]]:
    """Give every slot its person; return the people records and, by slot id, the person key."""
    slots = [slot for show in shows for slot in [*show.cast, *show.crew]]
    # Identities named by MyDramaList spellings (korean_drama, wiki_actors, the pages): the people the seed
    # always had, one per normalised name.
    mdl_norms: dict[str, set[str]] = defaultdict(set)
    for slot in slots:
        for name in slot.latin:
            if slot.spelled_by[name] in ("kd", "mdl"):
                mdl_norms[name_fold(name)].add(normalise_name(name))
    token_of: dict[int, str] = {}
    for slot in slots:
        if slot.latin:
            token_of[id(slot)] = _latin_identity(slot, core, mdl_norms)
    # MyDramaList renames people between listings ("Lee Do Hyun" in 2023, "Lee Do Hyeon" in 2025): its person
    # id, seen in a show beside the spelling the seed had, carries that person to the pages only it lists.
    mdl_votes: dict[str, Counter[str]] = defaultdict(Counter)
    for slot in slots:
        if slot.mdl_ref and any(slot.spelled_by[n] == "kd" for n in slot.latin):
            mdl_votes[slot.mdl_ref][token_of[id(slot)]] += 1
    for slot in slots:
        if slot.mdl_ref in mdl_votes and not any(slot.spelled_by[n] == "kd" for n in slot.latin):
            ranked = mdl_votes[slot.mdl_ref].most_common(2)
            if len(ranked) == 1 or ranked[0][1] > ranked[1][1]:
                if token_of[id(slot)] != ranked[0][0]:
                    stats.add("people: MyDramaList credits given the seed's spelling through their id")
                token_of[id(slot)] = ranked[0][0]
    # Daum person ids seen beside a Latin identity, and how often.
    votes: dict[str, Counter[str]] = defaultdict(Counter)
    for slot in slots:
        if slot.daum_ref and id(slot) in token_of:
            votes[slot.daum_ref][token_of[id(slot)]] += 1
    daum_identity: dict[str, str] = {}
    for ref, counter in sorted(votes.items()):
        ranked = counter.most_common(2)
        if len(ranked) > 1 and ranked[0][1] == ranked[1][1]:
            stats.add("people: Daum ids matched to two names equally, left apart")
            continue
        daum_identity[ref] = ranked[0][0]
    stats.add("people: Daum ids linked to a Latin name", len(daum_identity))
    # The Hangul name each Latin identity was matched to most often, and the identities by folded name.
    hangul_votes: dict[str, Counter[str]] = defaultdict(Counter)
    for slot in slots:
        if slot.hangul and id(slot) in token_of:
            hangul_votes[token_of[id(slot)]][slot.hangul] += 1
    by_hangul: dict[str, set[str]] = defaultdict(set)
    for identity, counter in hangul_votes.items():
        by_hangul[counter.most_common(1)[0][0]].add(identity)
    by_fold: dict[str, set[str]] = defaultdict(set)
    for slot in slots:
        identity = token_of.get(id(slot))
        if identity is not None and identity not in hangul_votes:
            by_fold[name_fold(next(iter(slot.latin)))].add(identity)
    latin_identities = set(token_of.values())
    for slot in slots:
        if id(slot) in token_of:
            continue
        assert slot.hangul is not None
        same_hangul = by_hangul.get(slot.hangul, set())
        same_fold = by_fold.get(name_fold(slot.hangul), set())
        if slot.daum_ref and slot.daum_ref in daum_identity:
            token_of[id(slot)] = daum_identity[slot.daum_ref]
            stats.add("people: Daum-only credits given a Latin name through their id")
        elif len(same_hangul) == 1 or normalise_name(romanize_name(slot.hangul)) in same_hangul:
            token_of[id(slot)] = (
                next(iter(same_hangul)) if len(same_hangul) == 1 else normalise_name(romanize_name(slot.hangul))
            )
            stats.add("people: Daum-only credits given a Latin name through their Hangul name")
        elif (exact := normalise_name(romanize_name(slot.hangul))) in latin_identities and (
            hangul_votes[exact].most_common(1)[0][0] == slot.hangul if hangul_votes.get(exact) else True
        ):
            token_of[id(slot)] = exact
            stats.add("people: Daum-only credits given a Latin name through its romanisation")
        elif not same_hangul and len(same_fold) == 1:
            token_of[id(slot)] = next(iter(same_fold))
            stats.add("people: Daum-only credits given a Latin name through its romanisation")
        else:
            token_of[id(slot)] = f"h:{slot.hangul}"  # one person per Hangul name, as one per Latin name above

    identities: dict[str, Identity] = defaultdict(Identity)
    for show in shows:
        for slot in [*show.cast, *show.crew]:
            identity = token_of[id(slot)]
            person = identities[identity]
            for name in slot.latin:
                if slot.spelled_by[name] in ("kd", "mdl") and normalise_name(name) == identity:
                    person.spellings[name] += slot.latin[name]
                elif slot.spelled_by[name] not in ("kd", "mdl") or slot.mdl_ref in mdl_votes:
                    person.other_spellings.add(name)  # Wikipedia's, TMDB's, or MyDramaList's newer spelling
            if slot.hangul:
                person.hangul[slot.hangul] += 1
            for tmdb_id in slot.tmdb_ids:
                person.tmdb_ids[tmdb_id] += 1
            person.show_keys.add(show.key)

    records: list[dict[str, Any]] = []
    key_of: dict[str, str] = {}
    used = set(core.legacy_keys.values())
    for identity in sorted(identities, key=lambda i: (i not in core.legacy_keys, i)):
        person = identities[identity]
        name, alt_names = _names(identity, person, core)
        if identity in core.legacy_keys:
            key = core.legacy_keys[identity]
        else:
            slug = slugify(name)
            candidate, n = slug, 1
            while f"p:{candidate}" in used:
                n += 1
                candidate = f"{slug}-{n}"
            key = f"p:{candidate}"
            used.add(key)
        key_of[identity] = key
        tmdb_id = _tmdb_id(identity, person, core)
        tmdb_row = core.tmdb_by_id.get(tmdb_id) if tmdb_id is not None else None
        hangul = person.hangul.most_common(1)[0][0] if person.hangul else None
        records.append({
            "key": key,
            "name": name,
            "hangul_name": hangul,
            "alt_names": alt_names,
            "tmdb_id": tmdb_id,
            "gender": GENDERS.get(clean_text(tmdb_row["gender"]).split(".")[0]) if tmdb_row else None,
            "birthday": _iso(tmdb_row["birthday"]) if tmdb_row else None,
        })  # fmt: skip
    records = _one_record_per_tmdb_id(records, identities, key_of, set(core.legacy_keys.values()), stats)
    # A spelling that is another person's name is no way to find this one ("Lee Do-hyun" is Lee Do Hyun's).
    primary: Counter[str] = Counter(normalise_name(r["name"]) for r in records)
    for record in records:
        own = normalise_name(record["name"])
        kept = [n for n in record["alt_names"] if normalise_name(n) == own or not primary[normalise_name(n)]]
        dropped = len(record["alt_names"]) - len(kept)
        stats.add("people: other spellings that are another person's name, dropped", dropped)
        record["alt_names"] = kept
    slot_keys = {slot_id: key_of[identity] for slot_id, identity in token_of.items()}
    return records, slot_keys


def _one_record_per_tmdb_id(
    records: list[dict[str, Any]],
    identities: dict[str, Identity],
    key_of: dict[str, str],
    legacy: set[str],
    stats: Stats,
) -> list[dict[str, Any]]:
    """Make one person of records that TMDB calls the same person: MyDramaList spells some people two ways across
    its listings ("Cho Yeo Jeong", "Cho Yeo Jung"), and names alone keep them apart. The record the earlier seed
    had, else the one with more dramas, keeps its key and name; the other's names become its alternative names,
    and the other's credits point to it.
    Records whose Hangul names differ are two people a name lookup gave one TMDB id: neither keeps it, nor the
    gender and birthday that came with it."""
    identity_of = {key: identity for identity, key in key_of.items()}
    by_tmdb: dict[int, list[dict[str, Any]]] = defaultdict(list)
    for record in records:
        if record["tmdb_id"] is not None:
            by_tmdb[record["tmdb_id"]].append(record)
    merged: set[str] = set()
    for group in by_tmdb.values():
        if len(group) < 2:
            continue
        if len({r["hangul_name"] for r in group if r["hangul_name"]}) > 1:
            for record in group:
                record.update(tmdb_id=None, gender=None, birthday=None)
            stats.add("people: a TMDB id given to people of different Hangul names, dropped", len(group))
            continue
        group.sort(key=lambda r: (r["key"] not in legacy, -len(identities[identity_of[r["key"]]].show_keys), r["key"]))
        keep = group[0]
        for other in group[1:]:
            names = [other["name"], *other["alt_names"]]
            keep["alt_names"] += [n for n in names if n != keep["name"] and n not in keep["alt_names"]]
            keep["hangul_name"] = keep["hangul_name"] or other["hangul_name"]
            for field_name in ("gender", "birthday"):
                keep[field_name] = keep[field_name] or other[field_name]
            key_of[identity_of[other["key"]]] = keep["key"]
            merged.add(other["key"])
            stats.add("people: spellings of one person merged through their TMDB id")
    return [record for record in records if record["key"] not in merged]


def _latin_identity(slot: Slot, core: Core, mdl_norms: dict[str, set[str]]) -> str:
    """The identity (normalised name) of a slot with Latin spellings.

    The spelling the seed knew the person by wins (korean_drama's), then MyDramaList's; a part only Wikipedia or
    TMDB spells ("Doh Kyung-soo") is the MyDramaList person whose name folds the same, when only one does.
    """
    mdl = [n for n in slot.latin if slot.spelled_by[n] in ("kd", "mdl")]
    for name in mdl:
        if normalise_name(name) in core.legacy_keys:
            return normalise_name(name)
    kd = [n for n in mdl if slot.spelled_by[n] == "kd"]
    if kd or mdl:
        return normalise_name((kd or mdl)[0])
    first = next(iter(slot.latin))
    norm = normalise_name(first)
    if norm in core.legacy_keys:
        return norm
    same = mdl_norms.get(name_fold(first), set())
    return next(iter(same)) if len(same) == 1 else norm


def _names(identity: str, person: Identity, core: Core) -> tuple[str, list[str]]:
    """The display name (the one the seed had, else MyDramaList's most frequent spelling, else a TMDB or Wikipedia
    one in MyDramaList style, else the Hangul romanised) and the other spellings."""
    tmdb_spellings = {clean_text(r["name"]) for r in core.tmdb_by_name.get(identity, [])}
    if identity in core.legacy_names:
        name = core.legacy_names[identity]
    elif person.spellings:
        name = sorted(person.spellings.items(), key=lambda kv: (-kv[1], kv[0]))[0][0]
    elif person.other_spellings or tmdb_spellings:
        name = mdl_style(sorted(person.other_spellings | tmdb_spellings)[0])
    else:
        hangul = person.hangul.most_common(1)[0][0]
        return romanize_name(hangul), []
    alt = {*person.spellings, *person.other_spellings, *tmdb_spellings} - {name}
    return name, sorted(alt)


def _tmdb_id(identity: str, person: Identity, core: Core) -> int | None:
    """The TMDB id a show's TMDB cast or crew list links the person to, else the only TMDB person of that name."""
    if person.tmdb_ids:
        ranked = person.tmdb_ids.most_common(2)
        if len(ranked) == 1 or ranked[0][1] > ranked[1][1]:
            return ranked[0][0]
        return min(i for i, n in ranked if n == ranked[0][1])
    rows = core.tmdb_by_name.get(identity, [])
    if len(rows) == 1:
        return parse_int(rows[0]["tmdb_id"])
    return None


def _iso(value: str) -> str | None:
    text = clean_text(value)
    return text if len(text) == 10 and text[4] == "-" and text[7] == "-" else None
