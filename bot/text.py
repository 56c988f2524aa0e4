"""The one text normaliser: every feature folds titles, names and questions the same way."""

from __future__ import annotations

import functools
import unicodedata

from bot.errors import InvalidInput

__all__ = ["QUERY_LIMIT", "checked_query", "name_key", "normalize", "same_name"]

_APOSTROPHES = dict.fromkeys(map(ord, "'’‘`´ʼ"), None)  # "it's" -> "its", not "it s"
_ASCII_FOLD = {i: None if chr(i) in "'`" else " " for i in range(128) if not chr(i).isalnum()}


def normalize(text: str) -> str:
    """Fold `text` for comparison: NFKC, casefold, no accents or punctuation, single spaces; Hangul kept."""
    if text.isascii():
        return " ".join(text.lower().translate(_ASCII_FOLD).split())
    text = unicodedata.normalize("NFKC", text).casefold().translate(_APOSTROPHES)
    # Accents go (é -> e); NFC then recomposes Hangul, which NFD split into jamo that are letters.
    decomposed = unicodedata.normalize("NFD", text)
    text = unicodedata.normalize("NFC", "".join(c for c in decomposed if not unicodedata.combining(c)))
    return " ".join("".join(c if c.isalnum() else " " for c in text).split())


@functools.lru_cache(maxsize=1 << 16)
def name_key(text: str) -> str:
    """Fold a title or name to a key: `normalize`d with the spaces gone, so "Han So-hee" == "HAN SOHEE"."""
    return normalize(text).replace(" ", "")


def same_name(a: str, b: str) -> bool:
    """Whether two names are the same once folded, spaces kept: "Han Sohee" is only *like* "Han So Hee"."""
    return normalize(a) == normalize(b)


QUERY_LIMIT = 100  # Discord caps option strings at 100 characters; so do we, for free-text callers too.


def checked_query(text: str) -> str:
    """Return what the user typed with its spaces tidied, or raise InvalidInput when it is empty or too long."""
    query = " ".join(text.split())
    if not query:
        raise InvalidInput("Type at least one letter of a title or name.")
    if len(query) > QUERY_LIMIT:
        raise InvalidInput(f"That is longer than {QUERY_LIMIT} characters; type a shorter title or name.")
    return query
