"""The one text normaliser: every feature folds titles, names and questions the same way."""

from __future__ import annotations

import functools
import unicodedata

from bot.errors import InvalidInput

__all__ = ["QUERY_LIMIT", "checked_query", "key_of", "name_key", "normalize", "same_name", "search_key"]

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
