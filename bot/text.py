"""The one text normaliser: every feature folds titles, names and questions the same way."""

from __future__ import annotations

import functools
import unicodedata
from collections.abc import Sequence

import numpy as np
import numpy.typing as npt

from bot.errors import InvalidInput

__all__ = [
    "QUERY_LIMIT",
    "checked_query",
    "fold_lines",
    "key_of",
    "keys_of_all",
    "keys_of_lines",
    "name_key",
    "normalize",
    "normalize_all",
    "same_name",
    "search_key",
]

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


# -- many at once: the search index folds a million titles at start-up ------------------------------------

_LINES = "\n"  # joins many texts into one, so each pass over them is one call into C
_ASCII_FOLD_LINES = {**_ASCII_FOLD, ord(_LINES): _LINES}


FOLD_CHUNK = 4096  # texts `normalize_all` folds per call into C


def fold_lines(texts: Sequence[str]) -> str | None:
    """Fold many texts at once, as `normalize` folds each but for spacing; None if a text holds a line break.

    The result is one string, a line a text: each line has the words of `normalize(text)`, so the same key,
    but may keep runs of spaces and spaces at its ends. Each step is one call into C for all the texts, and
    ASCII-only texts take a faster path than the rest: the search index folds a million titles with it.
    """
    texts = list(texts)
    joined = _LINES.join(texts)
    if joined.count(_LINES) != max(0, len(texts) - 1):
        return None
    if joined.isascii():
        return joined.lower().translate(_ASCII_FOLD_LINES)
    return _normalize_lines(joined)


def keys_of_lines(folded: str) -> str:
    """Apply `key_of` to every line of `folded` (from `fold_lines`) at once."""
    if folded.isascii():
        return folded.replace(" ", "")
    return folded.translate(_KEYSTROKES)  # ASCII text gets a fast path; this table is slower


def normalize_all(texts: Sequence[str]) -> list[str]:
    """Return `[normalize(text) for text in texts]`, folding them a few thousand at once (see `fold_lines`).

    A pass is one call into C, which holds the GIL throughout: in a worker thread, a pass over 100,000 titles
    would keep the event loop waiting for a tenth of a second, one of a few thousand for a millisecond or two.
    """
    if len(texts) > FOLD_CHUNK:
        return [text for at in range(0, len(texts), FOLD_CHUNK) for text in normalize_all(texts[at : at + FOLD_CHUNK])]
    folded = fold_lines(texts)
    if folded is None or not texts:
        return [normalize(text) for text in texts]
    return [" ".join(line.split()) for line in folded.split(_LINES)]


def keys_of_all(texts: Sequence[str]) -> list[str]:
    """Return `[search_key(text) for text in texts]`, folding them all at once (see `fold_lines`)."""
    folded = fold_lines(texts)
    if folded is None or not texts:
        return [search_key(text) for text in texts]
    return keys_of_lines(folded).split(_LINES)


def _normalize_lines(joined: str) -> str:
    """`normalize` each line of `joined`: the same steps on the whole string, none of which joins across lines."""
    joined = unicodedata.normalize("NFKC", joined).casefold()
    for apostrophe in _APOSTROPHES:
        joined = joined.replace(chr(apostrophe), "")
    # Drop the accents that NFD splits off, then turn whatever is not a letter or digit into a space: per
    # code point, with numpy, asking unicodedata and str.isalnum only about the few distinct characters present.
    points = _code_points(unicodedata.normalize("NFD", joined))
    distinct = np.unique(points)
    marks = distinct[[unicodedata.combining(chr(point)) != 0 for point in distinct.tolist()]]
    points = points[~np.isin(points, marks)]
    points = _code_points(unicodedata.normalize("NFC", _text(points)))
    distinct = np.unique(points)
    blank = distinct[[not chr(point).isalnum() and point != ord(_LINES) for point in distinct.tolist()]]
    points[np.isin(points, blank)] = ord(" ")
    # One space between words: keep a space only after a word on its line and right before the next word.
    space, line_break = points == ord(" "), points == ord(_LINES)
    word = ~(space | line_break)
    at = np.arange(len(points), dtype=np.int64)
    last_word = np.maximum.accumulate(np.where(word, at, -1))
    last_break = np.maximum.accumulate(np.where(line_break, at, -1))
    word_next = np.zeros(len(points), dtype=bool)
    word_next[:-1] = word[1:]
    return _text(points[~space | ((last_word > last_break) & word_next)])


def _code_points(text: str) -> npt.NDArray[np.uint32]:
    return np.frombuffer(text.encode("utf-32-le", "surrogatepass"), dtype=np.uint32).copy()


def _text(points: npt.NDArray[np.uint32]) -> str:
    return points.astype(np.uint32).tobytes().decode("utf-32-le", "surrogatepass")


@functools.lru_cache(maxsize=1 << 16)
def name_key(text: str) -> str:
    """Fold a title or name to a key: `normalize`d with the spaces gone, so "Han So-hee" == "HAN SOHEE"."""
    return normalize(text).replace(" ", "")


def same_name(a: str, b: str) -> bool:
    """Whether two names are the same once folded, spaces kept: "Han Sohee" is only *like* "Han So Hee"."""
    return normalize(a) == normalize(b)


# Hangul: spell each syllable as the keys typed on a 2-beolsik keyboard, compound vowels and final
# consonant clusters as their two keys, so that partly typed syllables and jamo typos stay close.
_CHOSEONG = "ㄱㄲㄴㄷㄸㄹㅁㅂㅃㅅㅆㅇㅈㅉㅊㅋㅌㅍㅎ"
# fmt: off
_JUNGSEONG = (
    "ㅏ", "ㅐ", "ㅑ", "ㅒ", "ㅓ", "ㅔ", "ㅕ", "ㅖ", "ㅗ", "ㅗㅏ", "ㅗㅐ", "ㅗㅣ", "ㅛ", "ㅜ", "ㅜㅓ", "ㅜㅔ",
    "ㅜㅣ", "ㅠ", "ㅡ", "ㅡㅣ", "ㅣ",
)
_JONGSEONG = (
    "", "ㄱ", "ㄲ", "ㄱㅅ", "ㄴ", "ㄴㅈ", "ㄴㅎ", "ㄷ", "ㄹ", "ㄹㄱ", "ㄹㅁ", "ㄹㅂ", "ㄹㅅ", "ㄹㅌ", "ㄹㅍ",
    "ㄹㅎ", "ㅁ", "ㅂ", "ㅂㅅ", "ㅅ", "ㅆ", "ㅇ", "ㅈ", "ㅊ", "ㅋ", "ㅌ", "ㅍ", "ㅎ",
)
# fmt: on


def _keystroke_table() -> dict[int, str]:
    table: dict[int, str] = {ord(" "): ""}
    for index in range(11172):
        lead, rest = divmod(index, 588)
        vowel, tail = divmod(rest, 28)
        table[0xAC00 + index] = _CHOSEONG[lead] + _JUNGSEONG[vowel] + _JONGSEONG[tail]
    # Conjoining jamo: what NFKC makes of a lone typed letter (ㄱ -> U+1100) and what NFD makes of syllables.
    for index, letter in enumerate(_CHOSEONG):
        table[0x1100 + index] = letter
    for index, letters in enumerate(_JUNGSEONG):
        table[0x1161 + index] = letters
    for index, letters in enumerate(_JONGSEONG[1:]):
        table[0x11A8 + index] = letters
    return table


_KEYSTROKES = _keystroke_table()


def search_key(text: str) -> str:
    """Return the key the index compares: `normalize`d, without spaces, Hangul spelled as typed jamo."""
    return key_of(normalize(text))


def key_of(normalized: str) -> str:
    """Return the search key of text already `normalize`d."""
    if normalized.isascii():
        return normalized.replace(" ", "")
    return normalized.translate(_KEYSTROKES)


QUERY_LIMIT = 100  # Discord caps option strings at 100 characters; so do we, for free-text callers too.


def checked_query(text: str) -> str:
    """Return what the user typed with its spaces tidied, or raise InvalidInput when it is empty or too long."""
    query = " ".join(text.split())
    if not query:
        raise InvalidInput("Type at least one letter of a title or name.")
    if len(query) > QUERY_LIMIT:
        raise InvalidInput(f"That is longer than {QUERY_LIMIT} characters; type a shorter title or name.")
    return query
