"""What every shard shares: the score bands, a hit, the best match per entry so far, and how names break up."""

from __future__ import annotations

from dataclasses import dataclass

from rapidfuzz.distance import OSA

EXACT_SCORE = 100.0
ACRONYM_SCORE = 95.0  # up to 99 with popularity, only reached when no name matches exactly
PREFIX_SCORE = 80.0  # up to 95 with popularity and how much of the name was typed
ACRONYM_EDGE = 3.0  # an acronym that is also a name's start beats names about ten times less popular
FUZZY_CEILING = 79.99  # a guess never outranks a name the query spells exactly or begins ...
# ... unless, in `search`, it spells all of a name but a letter or two: a name with a ratio of at least
# NEAR_SIMILARITY to the whole query (a typo, or a prefix missing its last letter) ranks from NEAR_SCORE up,
# above the names the query merely begins unless they are a few hundred times more popular.
NEAR_SIMILARITY = 85.0
NEAR_SCORE = 87.0

FUZZY_POPULARITY_BONUS = 1.0  # ratio points a most-popular show gets over an unknown one: about a tie-break
TYPO_PENALTY = 0.5  # ratio points off per typo (a swap is one, as fans make them): breaks ties between guesses
FUZZY_MIN_RATIO = 50.0  # below this a candidate is noise, not a guess
SURE_MIN_SCORE = 0.8 * 80.0  # a guess is sure only with a fuzzy ratio of at least 80 ...
SURE_MARGIN = 8.0  # ... and this many score points ahead of the next entry

POSTING_BUDGET = 16_000  # posting entries merged per fuzzy query; bounds its latency at any catalog size
CANDIDATES = 256  # best-sharing candidates rescored with rapidfuzz (in C, so cheap)
COMPLETE_BUDGET, COMPLETE_CANDIDATES = 8_000, 128  # the same for autocomplete, answered as each letter is typed
SAME_NAME_CAP = 50  # entries offered for one name; twice the longest list a caller sees
FILL_BUDGET, FILL_CANDIDATES = 4_000, 64  # and when autocomplete only fills a list that prefixes began
GRAM_WEIGHT = 2  # candidate pre-rank: one more shared trigram is worth this many letters of length gap
ACRONYM_LONGEST = 10  # longer queries are not looked up as acronyms

SMALL_WORDS = frozenset("a an and at by for from in is of on or the to with".split())  # not in short acronyms


def acronyms(normalized: str) -> tuple[str, ...]:
    """Return the acronyms fans use for a long title: every word's initial, and without the small words."""
    words = [w for w in normalized.split() if not w.isdigit()]
    if len(words) < 3 or not all(w[0].isascii() for w in words):
        return ()
    full = "".join(w[0] for w in words)
    short = "".join(w[0] for w in words if w not in SMALL_WORDS)
    return (full, short) if len(short) >= 2 and short != full else (full,)


def trigrams(key: str) -> set[str]:
    if len(key) < 3:
        return {key} if key else set()
    return {key[i : i + 3] for i in range(len(key) - 2)}


def prefix_score(typed: int, length: int, popularity: float, *, near: bool) -> float:
    """A name that begins with what was typed: by popularity, then by how much of it was typed.

    `near` (search, not autocomplete): a name typed all but its last letter or so ranks as a near match.
    """
    if near and (similarity := 200.0 * typed / (typed + length)) >= NEAR_SIMILARITY:
        return near_score(similarity, popularity)
    return PREFIX_SCORE + 14.0 * popularity + 0.1 * typed / length


def guess_score(ratio: float, popularity: float, *, near: bool, query: str = "", matched: str = "") -> float:
    """A guess's score: its rapidfuzz ratio, a little more for a popular entry, below every sure tier.

    Given the `query` key and the `matched` key (a full-name comparison, not a prefix one), a little less for
    every typo between them (Damerau: a swap is one). Two names can be equally close by ratio, which counts
    a swapped pair as two edits ("ourmna" is as close to "ourmap" as to "ourman"); fans' typos are single
    keys or swaps, so the one fewer typo away wins.

    `near`: a guess that spells all of a name but a letter or two ranks as a near match instead, unless the
    query merely runs on past the name's end ("my lawyer mr jo 2" is not a typo of "My Lawyer, Mr. Jo" when
    another name begins with it: the query spells that one exactly so far).
    """
    similarity = ratio - TYPO_PENALTY * OSA.distance(query, matched) if matched else ratio
    if near and ratio >= NEAR_SIMILARITY and not (matched and query.startswith(matched)):
        return near_score(similarity, popularity)
    return min(FUZZY_CEILING, 0.8 * (similarity + FUZZY_POPULARITY_BONUS * popularity))


def near_score(similarity: float, popularity: float) -> float:
    """A near match's score, in [NEAR_SCORE, 95): its similarity with the same popularity bonus as a guess's."""
    points = max(0.0, similarity - NEAR_SIMILARITY + FUZZY_POPULARITY_BONUS * popularity)
    span = 100.0 - NEAR_SIMILARITY + FUZZY_POPULARITY_BONUS
    return min(ACRONYM_SCORE - 0.01, NEAR_SCORE + (ACRONYM_SCORE - 0.01 - NEAR_SCORE) * points / span)


@dataclass(frozen=True, slots=True)
class Hit:
    """One search result: which entry, under which of its names, and how sure the index is."""

    id: int
    name: str  # the entry's display name (the first name given to upsert)
    matched: str  # the name variant that matched
    score: float  # 0..100; exact 100, acronym 95-99, prefix 80-95, fuzzy below 80
    sure: bool  # an exact, alias or unique acronym match, or a guess with a clear lead over the next
