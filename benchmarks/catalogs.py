"""Catalogs for the search benchmarks: the seed, and two kinds of made-up shows to reach any size.

- `synthetic`: titles drawn from the seed titles' own words weighted by frequency, romanised Korean words
  and "Kim Ji Won"-style names, subtitles, seasons and sequels; a third also get a Hangul title.
- `common`: titles of 1-6 words from a *small* vocabulary (about 460 words: common English words, the seed's
  most frequent title words and romanised Korean words), a third with a Hangul title from 60 Hangul words.
  At a million titles most words and trigrams are shared by tens of thousands of titles, one-word titles
  repeat hundreds of times, and near-twins ("Love of the Sea" / "Love of the Sun") are everywhere.

Both are seeded: the same `random.Random` gives the same catalog.
"""

from __future__ import annotations

import dataclasses
import itertools
import json
import random
import sys
from collections import Counter
from collections.abc import Callable, Sequence
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from bot.search import popularity_from_rank  # noqa: E402
from bot.text import search_key  # noqa: E402

SEED_CATALOG = ROOT / "data" / "seed" / "catalog.json"
KINDS = ("synthetic", "common")


@dataclasses.dataclass(frozen=True, slots=True)
class Entry:
    """A show or person as the benchmark sees it: stable key, names (display first), popularity."""

    key: str
    names: tuple[str, ...]
    popularity: float
    hangul: str | None = None


def load_seed(path: Path = SEED_CATALOG) -> tuple[list[Entry], list[Entry]]:
    """Read the seed catalog's shows and people."""
    catalog = json.loads(path.read_text(encoding="utf-8"))
    shows = []
    for show in catalog["shows"]:
        names = [show["title"]]
        if show.get("hangul_title"):
            names.append(show["hangul_title"])
        names += show.get("alt_titles") or []
        names += show.get("aliases") or []
        shows.append(
            Entry(
                show["key"],
                tuple(dict.fromkeys(names)),
                popularity_from_rank(show.get("popularity_rank")),
                show.get("hangul_title"),
            )
        )
    people = []
    for person in catalog["people"]:
        names = [person["name"]]
        if person.get("hangul_name"):
            names.append(person["hangul_name"])
        names += person.get("alt_names") or []
        people.append(Entry(person["key"], tuple(dict.fromkeys(names)), 0.0, person.get("hangul_name")))
    return shows, people


def make_catalog(kind: str, seed_shows: Sequence[Entry], size: int, rng: random.Random) -> list[Entry]:
    """Return the seed's shows plus made-up shows of `kind` up to `size` in all."""
    extra = max(0, size - len(seed_shows))
    if kind == "synthetic":
        return [*seed_shows, *synthetic_shows(seed_shows, extra, rng)]
    if kind == "common":
        return [*seed_shows, *common_word_shows(seed_shows, extra, rng)]
    raise ValueError(f"unknown catalog kind {kind!r}; choose from {', '.join(KINDS)}")


# -- the synthetic kind ---------------------------------------------------------------------------

_ONSETS = ("g", "k", "kk", "n", "d", "t", "r", "m", "b", "p", "s", "ss", "j", "jj", "ch", "h", "", "")
_VOWELS = ("a", "ae", "ya", "eo", "e", "yeo", "o", "wa", "oe", "yo", "u", "wo", "wi", "yu", "eu", "ui", "i")
_CODAS = ("", "", "", "n", "ng", "l", "m", "k", "p")
_SURNAMES = ("Kim", "Lee", "Park", "Choi", "Jung", "Kang", "Cho", "Yoon", "Jang", "Lim", "Han", "Oh", "Seo")
_HANGUL = "사랑의불시착호텔델루나빈센조운드트랙나의아저씨도깨비이상한변호사우영우별에서온그대태양후예응답하라"


def _roman_word(rng: random.Random, syllables: int) -> str:
    return "".join(rng.choice(_ONSETS) + rng.choice(_VOWELS) + rng.choice(_CODAS) for _ in range(syllables))


def synthetic_shows(seed_shows: Sequence[Entry], count: int, rng: random.Random) -> list[Entry]:
    """Return `count` plausible made-up shows, built from the seed titles' own words."""
    words = Counter(word for show in seed_shows for word in show.names[0].split())
    vocabulary, cumulative = list(words), list(itertools.accumulate(words.values()))
    seed_titles = [show.names[0] for show in seed_shows]

    def english(low: int, high: int) -> str:
        # cum_weights: the same draws as weights=, without summing 2,000 weights at every call
        return " ".join(rng.choices(vocabulary, cum_weights=cumulative, k=rng.randint(low, high)))

    def korean() -> str:
        return _roman_word(rng, rng.randint(1, 3)).capitalize()

    def person() -> str:
        return f"{rng.choice(_SURNAMES)} {_roman_word(rng, 1).capitalize()} {_roman_word(rng, 1).capitalize()}"

    makers: list[Callable[[], str]] = [
        lambda: english(1, 5),
        lambda: english(2, 4),
        lambda: korean(),
        lambda: f"{korean()} {english(1, 2)}",
        lambda: f"{english(1, 2)} {korean()}",
        lambda: f"{person()}'s {english(1, 2)}",
        lambda: f"{english(1, 3)}: {english(1, 3)}",
        lambda: f"{english(1, 4)} Season {rng.randint(2, 4)}",
        lambda: f"{rng.choice(seed_titles)} {rng.choice(('2', 'Returns', 'The Movie', 'Begins', '1988'))}",
    ]
    shows = []
    for number in range(count):
        title = rng.choice(makers)()
        while not search_key(title):
            title = rng.choice(makers)()
        names: tuple[str, ...] = (title,)
        hangul = None
        if rng.random() < 0.33:
            hangul = "".join(rng.choices(_HANGUL, k=rng.randint(2, 7)))
            names = (title, hangul)
        popularity = popularity_from_rank(rng.randint(300, 200_000))
        shows.append(Entry(f"syn:{number}", names, popularity, hangul))
    return shows


# -- the common-words kind ------------------------------------------------------------------------

COMMON_ENGLISH = """
    a about after again all always an and angel another any are at away baby back bad be beautiful because
    before best better between big bird black blue boy boys bride brother but by call can city cold come
    could crazy cry dance dark date day days dead dear devil do doctor dog don't door down dream dreams each
    end every eye eyes face fall family far father fight find fire first flower for forever free friend
    friends from game get girl girls give go god gold good great green hand happy has have he heart hello
    her here hero high his home hot house how i if in is it just kill king kiss know lady last late left
    let life light like little live long lost love lovers lucky made make man many me mind miss moon more
    morning mother mr mrs much music my name never new next night no not nothing now of oh old on once one
    only or other our out over people perfect prince princess queen rain red return rich right river road
    romance run sad say school sea secret see she shine show sky small snow so some song soul spring star
    stars stay still stop story strange street summer sun sweet take tell than that the their them then
    there they thing this time to today tomorrow tonight too true two under up us very war was watch water
    way we what when where white who why wild will wind winter wish with without woman world years yes you
    young your
"""
ROMANISED_KOREAN = """
    sarang haneul byeol bada nara maeum kkot bom yeoreum gaeul gyeoul achim bam nal saram chingu gajok eomma
    appa oppa unni noona hyung dongsaeng sinbu wangja gongju wang jeonha mama yeoja namja aein haengbok
    seulpeum gippeum kkum simjang nunmul useum bit eodum bul mul baram gureum bi nun san gang gil jip hakgyo
    byeongwon sigan naeil oneul cheonsa akma gwisin dokkaebi gumiho hwarang seonbi gisaeng mudang yangban
    jeong han nunchi aegyo daebak hwaiting soju ramyeon tteok banchan pyeonji yaksok bimil uri
"""
HANGUL_WORDS = """
    사랑 하늘 별 바다 나라 마음 꽃 봄 여름 가을 겨울 아침 밤 날 사람 친구 가족 엄마 아빠 오빠 언니 왕자 공주 왕
    여자 남자 행복 꿈 심장 눈물 웃음 빛 어둠 불 물 바람 구름 비 눈 산 강 길 집 학교 병원 시간 오늘 내일 천사 악마
    귀신 도깨비 구미호 비밀 우리 그대 당신 너의 나의
"""
_WORD_COUNTS = (1, 2, 3, 4, 5, 6)
_WORD_COUNT_WEIGHTS = (10, 30, 30, 18, 8, 4)


def common_vocabulary(seed_shows: Sequence[Entry], seed_words: int = 150) -> list[str]:
    """The small vocabulary: common English words, the seed's most frequent title words, romanised Korean."""
    seed = Counter(word.strip(":,!?.") for show in seed_shows for word in show.names[0].split())
    frequent = [word for word, _ in seed.most_common(seed_words) if word]
    words = [*COMMON_ENGLISH.split(), *frequent, *ROMANISED_KOREAN.split()]
    return list(dict.fromkeys(word.lower() for word in words))


def common_word_shows(seed_shows: Sequence[Entry], count: int, rng: random.Random) -> list[Entry]:
    """Return `count` shows titled from a small vocabulary, so that titles share words and trigrams."""
    vocabulary = common_vocabulary(seed_shows)
    rng.shuffle(vocabulary)
    # Some words are much more common than others, as in real titles (Love, The, My ...), none is rare.
    cumulative = list(itertools.accumulate(1.0 / (rank + 8) ** 0.7 for rank in range(len(vocabulary))))
    hangul = HANGUL_WORDS.split()
    shows = []
    for number in range(count):
        size = rng.choices(_WORD_COUNTS, _WORD_COUNT_WEIGHTS)[0]
        title = " ".join(word.capitalize() for word in rng.choices(vocabulary, cum_weights=cumulative, k=size))
        names: tuple[str, ...] = (title,)
        hangul_title = None
        if rng.random() < 0.33:
            hangul_title = " ".join(rng.choices(hangul, k=rng.choice((1, 2, 2, 3, 3, 4))))
            names = (title, hangul_title)
        popularity = popularity_from_rank(rng.randint(300, 200_000))
        shows.append(Entry(f"com:{number}", names, popularity, hangul_title))
    return shows
