"""Find shows and people by what fans type: any case, no punctuation, typos, prefixes, Hangul, acronyms.

Pure and in memory, with no I/O: the bot builds one index of shows and one of people at startup and keeps
them current with `upsert` and `remove` as admins edit the catalog.

How a query is answered, cheapest first (see `SearchIndex.search`):

1. Every name is reduced to a *key*: `normalize`d, spaces dropped, Hangul syllables spelled out as the
   jamo a 2-beolsik keyboard types (사운드 -> ㅅㅏㅇㅜㄴㄷㅡ).  So "Han So-hee", "han sohee" and "hansohee"
   share a key, a Hangul name typed half-way through a syllable is a prefix of its key, and a Hangul typo
   costs one letter, not one syllable.
2. The key is looked up exactly: an exact hit is sure, and ends the search.
3. Keys that start with it are a range of the sorted keys (two bisects); beside them a numpy array holds
   each key's popularity, so one argpartition picks the range's most popular keys at any size.
4. It is looked up among acronyms ("cloy", "hdl"): above the prefixes when no name begins with the query,
   else among them by popularity.
5. Unless an exact or unique acronym hit settled it, a fuzzy pass. Every key within two typos of the query is
   found exactly, whatever the catalog (Pass-Join segments, `segments.py`); beside them, trigram posting
   lists give the keys that share most of the query's trigrams (numpy counts them), among keys of about the
   query's length and within a budget of posting entries, so that latency is bounded at any catalog size.
   Those are rescored in C by rapidfuzz's `fuzz.ratio`; ties go to the key fewer typos away (a swap is
   one), then to the more popular entry.

Scores tell the tiers apart: exact 100, acronym 95-99, prefix 80-95, fuzzy below 80. In `search` (not
autocomplete) a guess that spells all of a name but a letter or two is a *near* match, 87-95: it competes
with the names the query merely begins (fans type whole titles there, typos and all).

Where entries live (`bot/search/index.py`): the shared catalog, as built at start-up, is one *frozen* shard
(`frozen.py`, built by `columns.py`): flat numpy arrays, about 190 MB for a million titles, built with numpy
(0.6 s for 100,000 titles), whose postings are split by key length so that a typo reads only names of about
its own length. What changes later goes to a small *dynamic* shard (`dynamic.py`; the frozen one keeps a
tombstone) until the next start, and a server's own entries live in a dynamic shard that only that server's
searches read, so they cannot leak.
"""

from bot.search.index import SearchIndex, build_person_index, build_show_index, popularity_from_rank
from bot.search.scoring import Hit

__all__ = [
    "Hit",
    "SearchIndex",
    "build_person_index",
    "build_show_index",
    "popularity_from_rank",
]
