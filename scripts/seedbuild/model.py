"""What every source reader produces: one `Record` per show as that source tells it, with its credits."""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass
class CastEntry:
    """One cast line of one source: the name as spelled there (Latin, or Hangul for Daum) and the part."""

    name: str
    source: str  # "mdl", "kd" (wiki_actors), "daum", "wiki", "tmdb" (series cast order), "kdl" (actors order)
    order: int  # position in that source's list for the show
    character: str | None = None
    note: str | None = None
    role: str | None = None  # "main", "support", "guest" or None
    hangul: bool = False  # the name is in Hangul (Daum)
    ref: str | None = None  # the source's own person id: "daum:17633", "tmdb:1234", "mdl:250"


@dataclass
class CrewEntry:
    kind: str  # "director" or "writer"
    name: str
    source: str
    order: int
    hangul: bool = False
    ref: str | None = None


@dataclass
class Record:
    """One source's account of one show. Empty fields are None (or empty lists)."""

    source: str  # "kd", "mdl", "daum", "wiki"
    id: str
    title: str | None = None  # English title (None for Daum)
    hangul: str | None = None  # Hangul title
    akas: list[str] = field(default_factory=list)  # other names, any script
    year: int | None = None
    years: tuple[int, ...] = ()  # every year the listing names (Wikipedia: all seasons)
    premiere: str | None = None
    finale: str | None = None
    episodes: int | None = None
    minutes: int | None = None
    air_days: list[str] = field(default_factory=list)
    air_time: str | None = None
    networks: list[str] = field(default_factory=list)
    genres: list[str] = field(default_factory=list)
    rating: float | None = None
    content_rating: str | None = None
    popularity_rank: int | None = None
    poster_url: str | None = None
    tmdb_id: int | None = None
    cast: list[CastEntry] = field(default_factory=list)
    crew: list[CrewEntry] = field(default_factory=list)
    garbled: bool = False  # the title was mangled in the source ("The [email protected]")

    @property
    def label(self) -> str:
        return f"{self.source}:{self.id} {self.title or self.hangul} ({self.year})"
