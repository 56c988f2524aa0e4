"""Korean names in Latin letters, the way drama listings spell them ("한소희" -> "Han So Hee").

MyDramaList and the fan sites write Korean names syllable by syllable with a few house habits on top of the
Revised Romanization: the surname as its bearers spell it (이 Lee, 박 Park, 최 Choi), ㅜ as "oo" (수 Soo, 준
Joon), ㅓ before ㅇ as "u" (성 Sung, 정 Jung), 희 as "Hee". `romanize_name` writes that spelling; `name_fold`
reduces any spelling of a name to a key that the others share (Kang/Gang, Joon/Jun, Seo/Suh, Lee/Yi), so a
name typed in Hangul finds the person the catalog spells in Latin letters, and the seed builder can tell which
Daum (Hangul) credit is which MyDramaList (Latin) one.

Pure, no I/O.
"""

from __future__ import annotations

import functools
import re
import unicodedata

__all__ = ["fold_spelling", "has_hangul", "name_fold", "romanize_name", "romanize_syllables"]

_FIRST, _LAST = 0xAC00, 0xD7A3
_INITIALS = ("g", "kk", "n", "d", "tt", "r", "m", "b", "pp", "s", "ss", "", "j", "jj", "ch", "k", "t", "p", "h")
_VOWELS = (
    "a", "ae", "ya", "yae", "eo", "e", "yeo", "ye", "o", "wa", "wae", "oe", "yo", "u", "wo", "we", "wi", "yu", "eu",
    "ui", "i",
)  # fmt: skip
_FINALS = (
    "", "k", "k", "k", "n", "n", "n", "t", "l", "k", "m", "l", "l", "l", "p", "l", "m", "p", "p", "t", "t", "ng",
    "t", "t", "k", "t", "p", "t",
)  # fmt: skip

# Surnames as their bearers write them in drama credits (the listings' most common spelling).
SURNAMES = {
    "김": "Kim", "이": "Lee", "박": "Park", "최": "Choi", "정": "Jung", "강": "Kang", "조": "Jo", "윤": "Yoon",
    "장": "Jang", "임": "Lim", "한": "Han", "오": "Oh", "서": "Seo", "신": "Shin", "권": "Kwon", "황": "Hwang",
    "안": "Ahn", "송": "Song", "류": "Ryu", "유": "Yoo", "홍": "Hong", "전": "Jeon", "고": "Go", "문": "Moon",
    "양": "Yang", "손": "Son", "배": "Bae", "백": "Baek", "허": "Heo", "노": "Noh", "남": "Nam", "심": "Shim",
    "하": "Ha", "곽": "Kwak", "성": "Sung", "차": "Cha", "주": "Joo", "우": "Woo", "구": "Koo", "민": "Min",
    "진": "Jin", "나": "Na", "지": "Ji", "엄": "Uhm", "채": "Chae", "원": "Won", "천": "Chun", "방": "Bang",
    "공": "Gong", "현": "Hyun", "함": "Ham", "변": "Byun", "염": "Yeom", "여": "Yeo", "추": "Choo", "도": "Do",
    "소": "So", "석": "Seok", "선": "Sun", "설": "Seol", "마": "Ma", "길": "Gil", "연": "Yeon", "위": "Wi",
    "표": "Pyo", "명": "Myung", "기": "Ki", "반": "Ban", "왕": "Wang", "금": "Geum", "옥": "Ok", "육": "Yook",
    "인": "In", "맹": "Maeng", "제": "Je", "모": "Mo", "탁": "Tak", "국": "Kook", "어": "Eo", "은": "Eun",
    "편": "Pyeon", "용": "Yong", "경": "Kyung", "봉": "Bong", "사": "Sa", "예": "Ye", "태": "Tae", "목": "Mok",
    "계": "Gye", "피": "Pi", "두": "Doo", "감": "Kam", "음": "Eum", "빈": "Bin", "동": "Dong", "온": "On",
    "호": "Ho", "범": "Beom", "형": "Hyung", "가": "Ga", "라": "Ra", "여운": "Yeo Un",
    "남궁": "Namgoong", "선우": "Sunwoo", "제갈": "Jegal", "황보": "Hwangbo", "독고": "Dokgo", "사공": "Sagong",
    "서문": "Seomun",
}  # fmt: skip
_DOUBLE_SURNAMES = frozenset(k for k in SURNAMES if len(k) == 2)

# Syllables the listings spell their own way, whatever the rules below would give.
_SYLLABLES = {
    "희": "hee", "의": "eui", "이": "yi", "시": "si", "신": "shin", "식": "sik", "실": "sil", "심": "shim",
    "영": "young", "여": "yeo", "연": "yeon", "열": "yeol", "엽": "yeop", "용": "yong", "우": "woo", "욱": "wook",
    "운": "woon", "웅": "woong", "원": "won", "월": "wol", "유": "yoo", "윤": "yoon", "율": "yul", "은": "eun",
    "을": "eul", "음": "eum", "인": "in", "일": "il", "임": "im", "아": "ah", "애": "ae", "어": "eo", "오": "oh",
    "혁": "hyuk", "현": "hyun", "형": "hyung", "혜": "hye", "효": "hyo", "휘": "hwi", "흥": "heung",
}  # fmt: skip


def has_hangul(text: str) -> bool:
    """Whether `text` holds at least one Hangul syllable."""
    return any(_FIRST <= ord(ch) <= _LAST for ch in text)


@functools.lru_cache(maxsize=4096)
def _syllable(ch: str) -> str:
    code = ord(ch) - _FIRST
    if not 0 <= code <= _LAST - _FIRST:
        return ch
    if ch in _SYLLABLES:
        return _SYLLABLES[ch]
    lead, rest = divmod(code, 588)
    vowel, tail = divmod(rest, 28)
    initial, middle, final = _INITIALS[lead], _VOWELS[vowel], _FINALS[tail]
    if middle == "u":
        middle = "oo"  # 수 Soo, 준 Joon, 문 Moon
    elif middle == "yu":
        middle = "yoo"
    elif middle == "eo" and final in ("ng", "n", "k", "l", "m", "p") and initial:
        middle = "u"  # 성 Sung, 정 Jung, 건 Gun, 철 Chul, 범 Bum
    elif middle == "yeo" and final in ("ng", "n", "k") and initial:
        middle = "yu"  # 경 Kyung, 명 Myung, 현 Hyun
    elif middle == "ui" and initial:
        middle = "ui" if initial != "h" else "ee"
    if initial == "g" and middle[:1] in ("y", "w"):
        initial = "k"  # 경 Kyung, 광 Kwang, 규 Kyu
    if initial == "s" and middle[:1] in ("i", "w") and middle != "i":
        initial = "s"
    elif initial == "s" and middle == "i" and final:
        initial = "sh"  # 신 Shin, 실 Sil is kept above
    if final == "k" and middle in ("eo", "u") and initial == "s":
        middle = "eo"  # 석 Seok
    return initial + middle + final


def romanize_syllables(text: str) -> list[str]:
    """Each Hangul syllable of `text` in Latin letters, lower case; other characters are dropped."""
    text = unicodedata.normalize("NFC", text)
    return [_syllable(ch) for ch in text if _FIRST <= ord(ch) <= _LAST]


@functools.lru_cache(maxsize=1 << 14)
def romanize_name(name: str) -> str:
    """Write a Korean person's name as drama listings do: surname first, then each syllable ("Han So Hee").

    A name that is not all Hangul syllables (a stage name in Latin letters, "아이유 (IU)") is returned with only
    its Hangul words romanised, each as one capitalised word.
    """
    text = " ".join(unicodedata.normalize("NFC", name).split())
    if not text:
        return ""
    words = text.split()
    if len(words) == 1 and all(_FIRST <= ord(ch) <= _LAST for ch in text) and 2 <= len(text) <= 4:
        surname = text[:2] if text[:2] in _DOUBLE_SURNAMES and len(text) >= 3 else text[:1]
        given = text[len(surname) :]
        latin = SURNAMES.get(surname) or "".join(romanize_syllables(surname)).title()
        return " ".join([latin, *(s.title() for s in romanize_syllables(given))])
    out = []
    for word in words:
        if has_hangul(word):
            out.append("".join(romanize_syllables(word)).title())
        else:
            out.append(word)
    return " ".join(out)


# -- folding spellings to one key ---------------------------------------------------------------------------

# Romanisations of one Korean sound, in the order they are applied: "Gyeong", "Kyung" and "Kyeong" all fold to
# "gyung"; "Joon", "Jun" and "Chun" to "jun".
_FOLDS = (
    ("yeo", "yu"), ("eo", "u"), ("ou", "u"), ("oo", "u"), ("ee", "i"), ("eu", "u"), ("ui", "i"), ("ch", "j"),
    ("sh", "s"), ("wo", "o"), ("ae", "e"), ("k", "g"), ("p", "b"), ("t", "d"), ("r", "l"),
)  # fmt: skip
# Surnames written several ways: each spelling's fold, mapped to one key.
_SURNAME_SPELLINGS = {
    "lee": "i", "yi": "i", "rhee": "i", "ri": "i", "i": "i", "rhie": "i", "ryu": "yu", "yoo": "yu", "yu": "yu",
    "park": "bag", "pak": "bag", "bak": "bag", "bahk": "bag", "noh": "no", "roh": "no", "no": "no", "ro": "no",
    "na": "na", "ra": "na", "rim": "im", "lim": "im", "im": "im", "yim": "im", "ahn": "an", "an": "an",
    "oh": "o", "o": "o", "woo": "u", "u": "u", "uhm": "um", "eom": "um", "um": "um", "yeom": "yum", "yum": "yum",
    "choi": "joi", "choe": "joi", "chae": "je", "chai": "je",
}  # fmt: skip


def fold_spelling(word: str) -> str:
    """Fold one lower-case word's romanisation variants: "kyung", "gyeong" and "kyeong" all give "gyung"."""
    for spelling, folded in _FOLDS:
        word = word.replace(spelling, folded)
    return word


@functools.lru_cache(maxsize=1 << 16)
def name_fold(name: str) -> str:
    """Reduce a Korean person's name in any common spelling (or in Hangul) to one comparable key.

    "Gong Yoo", "Gong Yu" and "공유" share a key; so do "Lee Ji Eun", "Yi Jieun" and "이지은". Names of other
    shapes fold letter by letter; the key is only for comparing names, never shown.
    """
    text = unicodedata.normalize("NFC", name).strip()
    if has_hangul(text):
        text = romanize_name(text)
    words = [w for w in re.split(r"[\s\-]+", text.casefold()) if w]
    words = ["".join(c for c in w if c.isalnum()) for w in words]
    words = [w for w in words if w]
    if not words:
        return ""
    surname, given = words[0], "".join(words[1:])
    surname_key = _SURNAME_SPELLINGS.get(surname, fold_spelling(surname))
    return surname_key + "|" + fold_spelling(given)
