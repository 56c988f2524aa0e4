"""The intent table: which phrasings ask what, as ordered patterns over the folded question.

A rule's pattern must match the whole question as `bot.ask.question.fold` leaves it, after an optional
"tell me" (`_TELL`). Its named groups are the spans a handler resolves: `show`/`show2` name dramas,
`person`/`person2` people, `rest` "someone or something in a drama" to be split where the drama begins, and
`network`, `network_after`, `genre`, `number`, `weekday` and `tomorrow` fill slots. Rules are tried in order
and the first whose handler finds an answer wins, so a narrow phrasing comes before a broad one.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

__all__ = ["INTENTS", "RULES", "Rule"]

INTENTS = (
    "recommend",
    "my_list",
    "together",
    "shared_cast",
    "seasons",
    "character_of_actor",
    "actor_of_character",
    "cast",
    "director",
    "writer",
    "episodes",
    "network",
    "genre",
    "finished",
    "next_episode",
    "episode_date",
    "finale",
    "premiere",
    "latest",
    "first",
    "filmography",
    "airing_today",
    "airing_week",
    "unknown",
)


@dataclass(frozen=True)
class Rule:
    """One phrasing of an intent: the pattern a whole folded question must match, compiled when first matched
    (the table has over a hundred; a process that asks nothing, or asks later, does not wait for them)."""

    intent: str
    source: str

    @functools.cached_property
    def pattern(self) -> re.Pattern[str]:
        return re.compile(self.source)


# The slots: a show, a person, and "something in a show" to be split where the show begins.
_SHOW = r"(?P<show>.+?)"
_PERSON = r"(?P<person>.+?)"
_REST = r"(?P<rest>.+?)"
# "can you tell me", "do you know", "could you list": a lead-in that changes nothing about what is asked.
_TELL = (
    r"(?:(?:(?:can|could|would|will) (?:you|u) (?:please |pls )?|please |pls |quick )?"
    r"(?:tell me|remind me|do you know|does anyone know|do u know|i wonder|i want to know|i wanna know|"
    r"i d like to know|id like to know|any idea|i need to know|help me find out)\s+|"
    r"(?:can|could|would|will) (?:you|u) (?:please |pls )?(?=list |show |give |name |find ))?"
)
_DRAMA = r"(?:k ?dramas?|dramas?|shows?|series|tv shows?|korean dramas?)"
_ON = r"(?:in|on|from|for|of)"
_GENRES = (
    "romance|romantic|comedy|romcom|rom com|thriller|mystery|melodrama|fantasy|action|horror|historical|sageuk|"
    "medical|legal|law|crime|family|youth|school|sci fi|scifi|science fiction|political|business|music|sports|"
    "food|psychological|supernatural|military|sitcom|slice of life|life|adventure|friendship|drama"
)
# "what new dramas are airing (on Netflix) today (on tvN) in korea": the words around an airing window.
_AIRING_LEAD = (
    r"(?:what|which|whats|any|are there any|is there any|anything|list|show me)?\s*(?:new\s+)?"
    r"(?:dramas?|shows?|kdramas?|episodes?|series)?\s*(?:is|are|s)?\s*"
    r"(?:airing|on|out|showing|releasing|coming out|dropping|premiering|broadcasting|airs|air|new|on air|on tv|playing|"
    r"streaming|running)?"
)
_AIRING_ON = r"(?:\s*(?:on|from)\s+(?P<network>[a-z0-9+][a-z0-9+ ]*?))?"
_AIRING_ON_AFTER = _AIRING_ON.replace("network", "network_after")
_AIRING_TAIL = r"(?:\s+(?:in korea|on tv|kst))?"


def rules(intent: str, *patterns: str) -> list[Rule]:
    """Return one rule per pattern for `intent`, each anchored to the whole question after an optional lead-in."""
    if intent not in INTENTS:
        raise ValueError(f"unknown intent {intent!r}")
    return [Rule(intent, rf"^{_TELL}{pattern}$") for pattern in patterns]


RULES: tuple[Rule, ...] = (
    # what to watch after a show (the recommender), and what the asker is watching (their own list)
    *rules(
        "recommend",
        (
            rf"(?:what|which)\s+(?:{_DRAMA}\s+)?(?:should|could|can|shall|do you think)\s+i\s+(?:watch|see|try)\s+"
            rf"(?:next\s+)?(?:after|now that i finished|since i liked|if i liked|if i like)\s+{_SHOW}(?:\s+next)?"
        ),
        rf"(?:what|which)\s+(?:{_DRAMA}\s+)?(?:to|should i)\s+watch\s+(?:next\s+)?after\s+{_SHOW}",
        (
            r"(?:recommend|suggest)\s+(?:me\s+)?(?:a\s+|some\s+|something\s+|anything\s+)?"
            rf"(?:{_DRAMA}\s+)?(?:like|similar to)\s+{_SHOW}"
        ),
        rf"(?:any|what|which)\s+(?:other\s+)?{_DRAMA}\s+(?:are\s+)?(?:like|similar to)\s+{_SHOW}",
    ),
    *rules(
        "my_list",
        r"what\s+am\s+i\s+(?:currently\s+)?watching(?:\s+(?:now|right now|at the moment))?",
        r"(?:whats|what is)\s+on\s+my\s+(?:watch\s*)?list",
    ),
    # shows with both A and B
    *rules(
        "together",
        (
            rf"(?:what|which|any|are there any|is there a|is there any|name|list|find)?\s*(?:other\s+)?{_DRAMA}?\s*"
            r"(?:have|has|did|do|are|were)?\s*(?:with|starring|featuring|feature|star|starred|acted|been)?\s*"
            rf"(?:in\s+)?(?:both\s+)?{_PERSON}\s+(?:and|&|n|with)\s+(?P<person2>.+?)\s*(?:both\s+)?"
            rf"(?:(?:been|worked|acted|starred|appeared|played|co ?starred|were|are|in|on|a|any|{_DRAMA}|ever)\s+)*"
            rf"(?:together|both|in common|co ?star\w*|share)(?:\s+in)?(?:\s+(?:a|any|in))?(?:\s+{_DRAMA})?"
        ),
        (
            r"(?:what|which|any|are there|are there any|is there|is there a|is there any|list|find|show me)?\s*"
            rf"{_DRAMA}\s+(?:with|starring|featuring|have|has|did)\s+(?:both\s+)?{_PERSON}\s+(?:and|&)\s+"
            r"(?P<person2>.+?)(?:\s+(?:in them|been in|acted in|starred in|in|together|both))*"
        ),
        (
            rf"(?:did|have|has|do|were|are)\s+{_PERSON}\s+(?:and|&)\s+(?P<person2>.+?)\s+(?:ever\s+)?"
            r"(?:been|work\w*|act\w*|star\w*|appear\w*|film\w*|co ?star\w*|be)\s*(?:in|on)?\s*(?:a|any|the same)?\s*"
            rf"(?:{_DRAMA})?\s*(?:together)?"
        ),
        (
            rf"(?:has|have|did|does|do|is|was)\s+{_PERSON}\s+(?:ever\s+)?"
            rf"(?:been in a {_DRAMA} |been in anything |been )?"
            r"(?:worked|acted|starred|appeared|work|act|star|appear|filmed|film|co ?starred|co ?star|been)\s+"
            rf"(?:in\s+(?:a|any)\s+{_DRAMA}\s+)?(?:together\s+)?(?:with|alongside|opposite|and)\s+(?P<person2>.+?)"
            r"(?:\s+(?:before|together|yet|ever))*"
        ),
        rf"{_PERSON}\s+(?:and|&)\s+(?P<person2>.+?)\s+(?:{_DRAMA}|shows together|dramas together)",
        (
            rf"(?:what|which|any|list)?\s*(?:are|is)?\s*(?:the\s+)?(?:common|shared|mutual|joint)\s+{_DRAMA}\s+"
            rf"(?:of|for|between|with|by|starring)\s+(?:both\s+)?{_PERSON}\s+(?:and|&)\s+(?P<person2>.+?)"
        ),
    ),
    *rules(
        "shared_cast",
        (
            r"(?:who|which actors?|which actresses|what actors?|which people|anyone|is anyone|is there anyone|actors?|"
            r"cast)\s+(?:was|were|is|are|who|that)?\s*(?:has|have)?\s*(?:acted|played|starred|appeared|been|in common|"
            rf"shared)?\s*(?:in\s+)?both\s+{_SHOW}\s+(?:and|&)\s+(?P<show2>.+?)"
        ),
        (
            r"(?:which|what)\s+(?:actors?|actresses|people|cast members)\s+"
            rf"(?:were|are|was|is|appear|appeared|star|starred|acted|played)\s+in\s+(?:both\s+)?{_SHOW}\s+(?:and|&)\s+"
            r"(?P<show2>.+?)"
        ),
    ),
    # how many seasons
    *rules(
        "seasons",
        (
            r"(?:how many|number of)\s+(?:seasons|parts)\s+(?:does|did|do|is|are|of|has|have|in)?\s*"
            rf"(?:there\s+(?:of|in|for)\s+)?{_SHOW}(?:\s+(?:have|has|got|are there|there))?"
        ),
        (
            r"(?:is there|will there be|is there going to be|are there|does|did|has)\s+(?:a\s+|any\s+|more\s+)?"
            r"(?:(?:another|new|next|second|2nd|third|3rd|more|other)\s+)?(?:season|seasons|part)\s*(?:\d)?\s+"
            rf"(?:of|for|to)\s+{_SHOW}"
        ),
        (
            rf"(?:does|did|will|has)\s+{_SHOW}\s+(?:have|get|got|has)\s+(?:a\s+|any\s+)?"
            r"(?:second\s+|2nd\s+|another\s+|more\s+)?(?:season|seasons|part)(?:\s*\d)?"
        ),
    ),
    # which character does A play (in S)
    *rules(
        "character_of_actor",
        (
            r"(?:which|what|whats|who)\s+(?:character|role|part|characters|roles|charater|charcter|char)\s+"
            rf"(?:does|did|is|was|will|do|has)?\s*{_REST}\s+(?:play|plays|playing|played|portray|portrays|portrayed|"
            rf"portraying|have|had|be|star as|starred as|act as|acted as|in)(?:\s+{_ON}\s+(?P<show>.+?))?"
        ),
        (
            rf"(?:who|what|whom)\s+(?:does|did|is|was|will)\s+{_REST}\s+(?:play|plays|playing|played|portray\w*|act as)"
            rf"(?:\s+{_ON}\s+(?P<show>.+?))?"
        ),
        (
            rf"(?:what|whats|who|which)?\s*(?:is|was)?\s*{_REST}\s+(?:character|role|part|charater|char|characters|"
            rf"roles)\s+(?:{_ON}\s+)?(?P<show>.+?)"
        ),
        rf"(?:what|which)\s+(?:character|role|part)\s+(?:is|was)\s+{_REST}\s+{_ON}\s+(?P<show>.+?)",
        (
            rf"{_REST}\s+(?:plays|played|is playing|was playing|portrays|portrayed)\s+"
            rf"(?:who|what character|which character|whom)(?:\s+{_ON}\s+(?P<show>.+?))?"
        ),
        (
            rf"(?:is|was|did|does|has|have|are|were)\s+{_REST}\s+(?:also\s+)?"
            r"(?:star|starring|starred|appear|appeared|appearing|act|acted|acting|been|play|played|playing|cast|"
            r"casted|featured|part of|a part of)?\s*(?:in|on|of)\s+(?P<show>.+?)(?:\s+(?:too|as well|also))?"
        ),
    ),
    # the main cast, asked as if it were a character
    *rules(
        "cast",
        (
            r"(?:who|whos)\s+(?:is|are|was|were)?\s*(?:plays?|played|playing)?\s*(?:the\s+)?"
            r"(?:main|lead|leads|leading|male lead|female lead|main lead|main leads|main character|main characters|"
            r"protagonists?|stars?|main actors?|main actress|main actresses|ml|fl|second lead|2nd lead)\s+"
            rf"(?:(?:actors?|actress|actresses|roles?|characters?|couple)\s+)?{_ON}\s+{_SHOW}"
        ),
        rf"(?:who|whos)\s+(?:is\s+|are\s+)?(?:in\s+the\s+cast|cast|the cast|casted)\s+(?:of|in|for)\s+{_SHOW}",
        (
            r"(?:who|whos)\s+(?:all\s+|else\s+)?(?:plays|played|play|acts|acted|act|stars|starred|star|appears|"
            rf"appeared)\s+(?:in|on)\s+{_SHOW}"
        ),
    ),
    # who plays C (in S)
    *rules(
        "actor_of_character",
        (
            r"(?:who|whos)\s+(?:is\s+|was\s+)?(?:plays|played|play|playing|is playing|was playing|acts as|acted as|"
            r"portrays|portrayed|is portraying|plays the role of|played the role of|plays the part of|"
            r"played the part of|plays the character|played the character|is the actor of|is the actress of|"
            r"is the actor for|is the actor playing|is the actress playing|is the actor who plays|"
            r"is the actress who plays|acts|acted|portraying|the role of|the actor of|the actress of|the actor for|"
            rf"the actress for)\s+{_REST}"
        ),
        (
            r"(?:who|whos|what is|whats)\s+(?:is\s+|was\s+)?(?:the\s+)?(?:actor|actress|person|one|idol|guy|girl)\s+"
            r"(?:who\s+|that\s+)?(?:plays|played|playing|portrays|portrayed|portraying|acts as|acting as|is playing|"
            rf"was playing)\s+{_REST}"
        ),
        (
            r"(?:which|what)\s+(?:actor|actress|person|idol)\s+(?:plays|played|play|portrays|portrayed|is playing|"
            rf"was playing|is|was)\s+{_REST}"
        ),
        (
            r"(?:the\s+)?(?:actor|actress|actors)\s+(?:of|for|who plays|who played|playing|that plays|that played)\s+"
            rf"{_REST}"
        ),
        r"(?:who|whos)\s+(?:is|was)\s+(?!(?:in|on|the cast)\b)(?P<rest>.+?\s(?:in|on|from)\s.+?)",
        (
            rf"(?:in|on|for)\s+{_SHOW}\s+(?:who|whos)\s+(?:is\s+|was\s+)?"
            rf"(?:plays|played|playing|is playing|portrays|portrayed|the actor of|the actress of|is|was)\s+{_REST}"
        ),
        rf"{_REST}\s+(?:is played by|was played by|played by|actor|actress)(?:\s+who)?",
    ),
    # who wrote / directed S
    *rules(
        "director",
        (
            r"(?:who|whos|which)?\s*(?:is|was|are|were)?\s*(?:the\s+)?(?:pd|director|directors|producer director)\s+"
            rf"(?:of|for|on|behind|in)\s+{_SHOW}"
        ),
        rf"(?:who|whos)\s+(?:directed|directs|direct|is directing|was directing|helmed|did direct)\s+{_SHOW}",
        rf"(?:who\s+)?(?:did|does|was|is)\s+{_SHOW}\s+(?:directed by|get directed by)(?:\s+who)?",
        rf"(?:who|whos)\s+(?:is|was)\s+{_SHOW}\s+(?:s\s+)?(?:director|directors|pd)",
        (
            r"(?:who|whos)\s+(?:made|created|creates|makes|is behind|was behind|behind|is the creator of|"
            r"was the creator of|the creator of|is the maker of|are the makers of|produced|the producer of|"
            rf"is the producer of)\s+{_SHOW}"
        ),
        rf"{_SHOW}\s+(?:s\s+)?(?:director|directors|pd|directed by(?:\s+who(?:m)?)?|who directed it|who directed)",
        rf"(?:who|which)\s+(?:director|pd)\s+(?:made|did|directed|shot)\s+{_SHOW}",
    ),
    *rules(
        "writer",
        (
            r"(?:who|whos|which)?\s*(?:is|was|are|were)?\s*(?:the\s+)?"
            r"(?:writer|writers|screenwriter|screenwriters|scriptwriter|scriptwriters|script writer|screen writer|"
            rf"author|scenario writer)\s+(?:of|for|on|behind|in)\s+{_SHOW}"
        ),
        (
            r"(?:who|whos)\s+(?:wrote|writes|write|written|penned|scripted|did write|wrote the script for|"
            r"wrote the script of|wrote the screenplay for|wrote the screenplay of|wrote the story of|"
            rf"did the script for)\s+{_SHOW}"
        ),
        rf"(?:who\s+)?(?:was|is)\s+{_SHOW}\s+(?:written by|penned by|scripted by)(?:\s+who)?",
        rf"(?:who|whos)\s+(?:is|was)\s+{_SHOW}\s+(?:s\s+)?(?:writer|writers|screenwriter|scriptwriter)",
        (
            rf"{_SHOW}\s+(?:s\s+)?(?:writer|writers|screenwriter|screenwriters|scriptwriter|script writer|"
            r"written by(?:\s+who(?:m)?)?|who wrote it|who wrote)"
        ),
    ),
    # how many episodes
    *rules(
        "episodes",
        (
            r"(?:how many|how much|number of|total|the number of|count of|no of)\s+(?:total\s+)?"
            r"(?:episodes?|eps?|parts?)\s*(?:does|did|do|is|are|was|were|will|has|had|in|of|for|there in|are there in|"
            rf"were there in|does it have in)?\s*{_SHOW}(?:\s+(?:have|has|had|got|get|run|last|in total|total|air|"
            rf"aired|gonna have|going to have|will have)){{0,3}}"
        ),
        (
            rf"{_SHOW}\s+(?:has how many|have how many|how many|number of|total)\s+(?:episodes?|eps?)"
            r"(?:\s+(?:does it have|are there|total))?"
        ),
        (
            rf"(?:whats\s+|what is\s+)?{_SHOW}\s+(?:s\s+)?(?:episode count|ep count|episodes count|number of episodes|"
            r"episodes|eps|total episodes)"
        ),
        (
            r"(?:whats|what is|what s)\s+(?:the\s+)?(?:episode count|number of episodes|total episodes|ep count)\s+"
            rf"(?:of|for|in)\s+{_SHOW}"
        ),
        rf"how long is\s+{_SHOW}",
        (
            r"how long\s+(?:is|are|was|were)\s+(?:each|an|one|every|the|a single)?\s*(?:episode|episodes|ep|eps)\s+"
            rf"(?:of|in|for)\s+{_SHOW}"
        ),
    ),
    # network or platform (a genre asked as yes/no first: "is Goblin a romance")
    *rules(
        "genre",
        rf"(?:is|was)\s+{_SHOW}\s+(?:an?\s+)?(?P<genre>{_GENRES})(?:\s+(?:{_DRAMA}|one|genre|story))?",
    ),
    *rules(
        "network",
        (
            r"(?:what|which|whats)\s+(?:tv\s+)?(?:network|networks|channel|channels|platform|platforms|station|"
            r"broadcaster|streaming service|streaming platform|streaming site|streamer|service|app|site|ott)\s*"
            r"(?:is|was|does|did|do|are|were|will|has|had|can i watch|can i see|can i stream|should i watch)?\s*"
            rf"{_SHOW}(?:\s+(?:on|air on|aired on|airing on|air|aired|airs|stream on|streaming on|stream|streamed on|"
            r"streaming|broadcast on|broadcast|broadcasted|from|in|shown on|show on|released on|release on|come out on|"
            r"came out on|available on|originally))?"
        ),
        (
            r"(?:where|wheres)\s+(?:can|could|do|should|to|would|did|does|is|was)?\s*(?:i|we|you|one|people)?\s*"
            r"(?:watch|stream|see|find|view|watching|streaming)?\s*"
            rf"{_SHOW}(?:\s+(?:on|air|aired|airing|airs|stream|streaming|streamed|broadcast|broadcasted|shown|"
            r"available|legally|online|from))*"
        ),
        (
            r"(?:who|which company)\s+(?:aired|airs|streams|streamed|broadcasts|broadcast|broadcasted|released|"
            rf"distributed)\s+{_SHOW}"
        ),
        (
            rf"(?:is|was|did|does|can i watch|can i stream|can you watch)\s+{_SHOW}\s+"
            r"(?:on|in|air on|aired on|stream on|streaming on|an?|available on|be on)\s+(?P<network>[a-z0-9 +]+?)"
            rf"(?:\s+{_DRAMA}|\s+original|\s+too)?"
        ),
        (
            r"(?:whats|what is|what was|what are)\s+(?:the\s+)?(?:network|networks|channel|platform|station|"
            rf"broadcaster|streaming service|ott)\s+(?:for|of)\s+{_SHOW}"
        ),
        rf"{_SHOW}\s+(?:s\s+)?(?:network|channel|platform|station|broadcaster|streaming service|ott)",
        (
            r"(?:what|which)\s+(?:network|channel|platform|station|streaming service|service|app)\s+"
            r"(?:aired|airs|streamed|streams|broadcast|broadcasts|broadcasted|had|has|showed|shows|carries|carried|"
            rf"released|has got)\s+{_SHOW}"
        ),
    ),
    # genre
    *rules(
        "genre",
        (
            r"(?:what|which|whats)\s+(?:genre|genres|kind|type|sort|category|kinds|types)\s+"
            rf"(?:of\s+(?:a\s+)?(?:{_DRAMA}|story|genre)\s+)?(?:is|was|are|does|did)?\s*"
            rf"{_SHOW}(?:\s+(?:be|belong to|fall under|in|about))?"
        ),
        rf"(?:whats|what is|what are)?\s*{_SHOW}\s+(?:s\s+)?(?:genre|genres|category)",
        rf"(?:whats|what is|what are)?\s*(?:the\s+)?(?:genre|genres|category)\s+(?:of|for)\s+{_SHOW}",
    ),
    # is S finished
    *rules(
        "finished",
        (
            rf"(?:is|was|has|have)\s+{_SHOW}\s+(?:already\s+|still\s+|fully\s+|completely\s+)?"
            r"(?:finished|over|done|complete|completed|ended|end|concluded|wrapped up|wrapped|airing|ongoing|on air|"
            r"on|running|still airing|still on|still going|still running|still ongoing|currently airing|"
            r"finished airing|done airing|over yet|out|all out|out yet|released|fully released|aired|airing now|"
            r"coming back|cancelled|canceled|finished yet|done yet|ended yet|completed yet)(?:\s+"
            r"(?:yet|already|now|airing|or not|or still airing|or airing|all episodes|now))*"
        ),
        (
            rf"(?:did|does|has)\s+{_SHOW}\s+(?:end|finish|conclude|wrap|stop|end already|finish already|finish airing|"
            r"end yet|finish yet)(?:\s+(?:yet|already|airing))*"
        ),
        (
            rf"(?:are|is)\s+(?:all\s+)?(?:the\s+)?(?:episodes|eps)\s+(?:of|for)\s+{_SHOW}\s+(?:out|released|aired)"
            r"(?:\s+yet)?"
        ),
    ),
    # what is airing today / this week (optionally on one network: "what is on Netflix today")
    *rules(
        "airing_today",
        rf"{_AIRING_LEAD}{_AIRING_ON}\s*(?:today|tonight|this evening){_AIRING_ON_AFTER}{_AIRING_TAIL}",
        (
            rf"{_AIRING_LEAD}{_AIRING_ON}\s*(?:(?P<tomorrow>tomorrow|tmrw|tomorrow night)|(?:on\s+|this\s+|"
            r"next\s+)?(?P<weekday>(?:mon|tues|tue|wednes|wed|thurs|thu|fri|satur|sat|sun)"
            rf"(?:day)?s?)){_AIRING_ON_AFTER}{_AIRING_TAIL}"
        ),
        r"(?:today s|todays|tonights|today)\s+(?:dramas?|episodes?|schedule|kdramas?|shows?|releases?|airings?)",
    ),
    *rules(
        "airing_week",
        (
            rf"{_AIRING_LEAD}{_AIRING_ON}\s*(?:this week|this weekend|the next 7 days|the next seven days|next 7 days|"
            r"these days|for the week|all week|now|right now|currently|at the moment|at present|lately|"
            rf"this season){_AIRING_ON_AFTER}{_AIRING_TAIL}"
        ),
        r"(?:this weeks|this week s|weekly|this week)\s+(?:dramas?|episodes?|schedule|kdramas?|shows?|releases?)",
        (
            r"(?:what|which|whats|any|list)?\s*(?:dramas?|shows?|kdramas?|series)?\s*(?:is|are|s)?\s*(?:currently|now)"
            rf"\s+(?:airing|on air|showing|running|ongoing|out){_AIRING_ON}"
        ),
    ),
    # when does episode N of S air
    *rules(
        "episode_date",
        (
            r"(?:when|what date|what day|what time|which day)\s+(?:is|does|did|will|was|do|s)?\s*(?:the\s+)?"
            rf"(?:episode|ep|eps|e)\s*(?P<number>\d{{1,3}})\s+(?:of|for|in|from)\s+"
            rf"{_SHOW}(?:\s+(?:air|aired|airing|come out|came out|coming out|release|released|out|drop|dropped|be out|"
            r"be released|premiere|premiered|broadcast|stream|streamed))?(?:\s+(?:on|in)\s+[a-z0-9+]+)?"
        ),
        (
            rf"(?:when|what date|what day|what time|which day)\s+(?:is|does|did|will|was|do|s)?\s*{_SHOW}\s+"
            rf"(?:episode|ep|e)\s*(?P<number>\d{{1,3}})(?:\s+(?:air|aired|airing|come out|came out|coming out|release|"
            r"released|out|drop|dropped|be out))?"
        ),
        (
            rf"(?:whats\s+|what is\s+)?{_SHOW}\s+(?:episode|ep|e)\s*(?P<number>\d{{1,3}})\s*"
            r"(?:air date|release date|date|when|air time|airdate)"
        ),
    ),
    # when does S air next
    *rules(
        "next_episode",
        (
            r"(?:when|what time|what day|when s|whens)\s+(?:is|does|will|do|s)?\s*(?:the\s+)?"
            r"(?:next|new|upcoming|latest)\s+(?:episode|ep|eps|episodes)\s+(?:of|for|from|in)?\s*"
            rf"{_SHOW}(?:\s+(?:air|airing|come out|coming out|release|out|drop|dropping|be out|be released))?"
        ),
        (
            rf"(?:when|what time|what day|whens)\s+(?:is|does|will|do)?\s*{_SHOW}\s+(?:s\s+)?(?:next|new|upcoming)\s+"
            r"(?:episode|ep)(?:\s+(?:air|airing|come out|coming out|release|out|drop))?"
        ),
        (
            rf"(?:when|what time|what days?|which days?|whens)\s+(?:is|does|will|do)\s+{_SHOW}\s+"
            r"(?:air next|airing next|on next|next air|air again|on again|come back|back|next|air|airing|on|"
            r"air its next episode|broadcast|broadcasting|aired|show|stream)(?:\s+"
            r"(?:next|again|this week|today|on|on tv|in korea))?"
        ),
        rf"(?:next|new|upcoming)\s+(?:episode|ep)\s+(?:of|for)\s+{_SHOW}(?:\s+(?:when|date))?",
        (
            rf"(?:whats\s+|what is\s+)?(?:the\s+)?{_SHOW}\s+(?:s\s+)?"
            r"(?:airing days|air days|air day|airing day|schedule|air time|airing time|airing schedule|broadcast days|"
            r"broadcast schedule|release schedule|time slot|timeslot)"
        ),
        rf"{_SHOW}\s+(?:next|new|upcoming)\s+(?:episode|ep)(?:\s+(?:when|date|air date|time))?",
        rf"(?:countdown|count down)\s+(?:to|for|of)\s+{_SHOW}",
        (
            r"(?:whats|what is|what are)\s+(?:the\s+)?(?:schedule|air days|airing days|air time|airing schedule|"
            rf"time slot|timeslot|broadcast schedule)\s+(?:of|for)\s+{_SHOW}"
        ),
    ),
    *rules(
        "finale",
        (
            rf"(?:when|what date|what day)\s+(?:is|was|does|did|will)\s+(?:the\s+)?{_SHOW}\s+(?:s\s+)?"
            r"(?:finale|last episode|final episode|ending|last ep|final ep|series finale)"
            r"(?:\s+(?:air|aired|airing|come out|came out|release|released|out|be|be out))?"
        ),
    ),
    # when does S end
    *rules(
        "finale",
        (
            r"(?:when|what date|what day|what year|which year|which date)\s+(?:is|does|did|will|was|do|s)?\s*"
            rf"{_SHOW}\s+(?:end|ends|ending|ended|finish|finishes|finishing|finished|conclude|concludes|concluded|"
            r"wrap up|wrapped up|wrap|stop|stopped|stop airing|finish airing|end airing|be over|be finished|over|done|"
            r"complete|completed|be done|air its last episode|air its final episode|air the last episode|"
            r"air the final episode|close)(?:\s+(?:airing|broadcasting|its run|exactly))?"
        ),
        (
            r"(?:when|what date|what day)\s+(?:is|was|does|did|will)?\s*(?:the\s+)?"
            r"(?:finale|last episode|final episode|ending|end|last ep|final ep|series finale)\s+(?:of|for|in)?\s*"
            rf"{_SHOW}(?:\s+(?:air|aired|airing|come out|release|released|out))?"
        ),
        (
            rf"{_SHOW}\s+(?:s\s+)?(?:finale|finale date|end date|last episode|final episode|last ep|final ep|"
            r"ending date)(?:\s+(?:date|when))?"
        ),
        (
            r"(?:whats|what is|what was)\s+(?:the\s+)?(?:finale date|end date|ending date|last air date|"
            rf"final air date)\s+(?:of|for)\s+{_SHOW}"
        ),
    ),
    # when does S come out
    *rules(
        "premiere",
        (
            r"(?:when|what date|what day|what year|which year|which date|when exactly|what month)\s+"
            rf"(?:is|does|did|will|was|do|s|are)?\s*{_SHOW}\s+(?:come out|comes out|came out|coming out|out|premiere|"
            r"premieres|premiered|premiering|release|released|releases|releasing|start|starts|started|starting|"
            r"start airing|started airing|begin|begins|began|begin airing|air|aired|airs|airing|first air|first aired|"
            r"debut|debuts|debuted|launch|launched|drop|dropped|come|be out|be released|get released|from|made|"
            r"start streaming|broadcast|broadcasted|first broadcast|air first|show|shown|first come out|hit screens|"
            r"hit netflix|air for the first time)(?:\s+(?:first|on tv|in korea|on netflix|exactly|initially|"
            r"originally|again|airing|streaming))*(?:\s+(?:on|in)\s+[a-z0-9+]+(?:\s+[a-z0-9+]+)?)?"
        ),
        (
            r"(?:whats|what is|what was|what s)?\s*(?:the\s+)?(?:release date|premiere date|air date|airdate|"
            r"start date|release year|premiere|first air date|original air date|debut date|date|year)\s+(?:of|"
            rf"for)\s+{_SHOW}"
        ),
        (
            rf"{_SHOW}\s+(?:s\s+)?(?:release date|premiere date|air date|airdate|start date|release year|premiere|"
            r"first air date|air dates|release|year|dates|date)(?:\s+(?:when|please))?"
        ),
        rf"(?:when|what year)\s+(?:was|is|did)\s+{_SHOW}\s+(?:made|filmed|shot|from|set)",
        rf"(?:when|whens)\s+(?:is|was)\s+{_SHOW}",
    ),
    *rules(
        "latest",
        (
            r"(?:whats|what is|what was|which is)?\s*(?:the\s+)?(?:latest|newest|most recent|recent|new|last)\s+"
            rf"{_PERSON}\s+(?:drama|show|series|kdrama|role|work|project)"
        ),
    ),
    *rules(
        "filmography",
        (
            rf"(?:has|have|is|was|did)\s+{_PERSON}\s+(?:been in|done|starred in|acted in|appeared in|made|been on|"
            rf"played in)\s+(?:anything|any|other|something|more|many)(?:\s+(?:else|other|{_DRAMA}|before))*"
        ),
    ),
    # A's first drama
    *rules(
        "first",
        (
            rf"(?:whats|what is|what was|which is|which was|what|which)?\s*(?:the\s+)?{_PERSON}\s+(?:s\s+)?"
            r"(?:first|debut|earliest|oldest)\s+(?:drama|show|series|kdrama|role|work|project|credit)"
        ),
        (
            r"(?:whats|what is|what was|which is|which was|what|which)?\s*(?:the\s+)?(?:first|debut|earliest|oldest)"
            r"\s+(?:drama|show|series|kdrama|role|work|credit)\s+(?:of|by|with|from|starring|featuring|for|that)\s+"
            rf"{_PERSON}(?:\s+(?:was in|did|starred in|acted in|appeared in|made|directed|wrote))?"
        ),
    ),
    # A's latest drama
    *rules(
        "latest",
        (
            rf"(?:whats|what is|what was|what are|which is|which was|what|which)?\s*{_PERSON}\s+(?:s\s+)?"
            r"(?:latest|newest|most recent|last|new|recent|current|upcoming|next|latest new)\s+"
            r"(?:drama|show|series|kdrama|role|work|project|appearance|credit|one)"
        ),
        (
            r"(?:whats|what is|what was|which is|which was|what|which)?\s*(?:the\s+)?"
            r"(?:latest|newest|most recent|last|new|recent)\s+(?:drama|show|series|kdrama|role|work|project|credit)\s+"
            rf"(?:of|by|with|from|starring|featuring|for|that)\s+{_PERSON}(?:\s+(?:was in|is in|did|starred in|"
            r"acted in|appeared in|was on|has done|has been in|made|directed|wrote))?"
        ),
        (
            rf"(?:what|which)\s+(?:is|was)\s+{_PERSON}\s+(?:in|on|doing|filming|working on|starring in|acting in)\s+"
            r"(?:now|right now|currently|lately|these days|at the moment|recently|next)"
        ),
        (
            rf"(?:what|which)\s+(?:drama|show|series)\s+(?:is|was|did)\s+{_PERSON}\s+(?:in|on|do|star in|act in)\s+"
            r"(?:last|lately|recently|most recently|now|right now|currently)"
        ),
    ),
    # what else has A been in
    *rules(
        "filmography",
        (
            rf"(?:what|which|where)\s+(?:else|other|other\s+{_DRAMA}|{_DRAMA}|movies and dramas|else\s+{_DRAMA})\s+"
            rf"(?:has|have|is|was|did|does|had|do|can i see|can i watch|should i watch)\s+{_PERSON}\s*"
            r"(?:been in|been on|starred in|acted in|appeared in|played in|done|do|did|in|on|made|worked on|directed|"
            r"written|wrote|write|direct|star in|act in|appear in|be in|played|been|featured in|starring|starred)?"
            r"(?:\s+(?:before|too|also|else|as well|so far|lately|recently|after that))*"
        ),
        (
            rf"(?:what|which)\s+(?:has|have|did|else has|else did|else is|else was|is|was)\s+{_PERSON}\s+"
            r"(?:been in|been on|starred in|acted in|appeared in|done|directed|written|wrote|worked on|made|known for|"
            r"famous for)(?:\s+(?:before|too|also|else|as well|so far))*"
        ),
        (
            r"(?:where|in what)\s+(?:have|has|did)\s+(?:i|we|you)\s+(?:seen|see|heard|watched)\s+"
            rf"{_PERSON}(?:\s+before)?"
        ),
        (
            r"(?:list|show me|show|give me|any|recommend|other|more|all|find)?\s*(?:of\s+)?(?:the\s+)?"
            rf"(?:other\s+|more\s+|all\s+)?(?:{_DRAMA}|works|credits|roles|filmography|movies and dramas)\s+"
            rf"(?:with|starring|by|of|featuring|from|directed by|written by)\s+{_PERSON}"
        ),
        (
            rf"{_PERSON}\s+(?:s\s+)?(?:{_DRAMA}|filmography|credits|works|roles|other {_DRAMA}|drama list|"
            r"list of dramas)"
        ),
    ),
    # who is in S
    *rules(
        "cast",
        (
            r"(?:who|whos)\s+(?:all\s+)?(?:is|are|was|were|stars|starred|starring|acts|acted|plays|played|appears|"
            r"appeared|is acting|was acting|is starring|was starring|else is|else was|did|does|did they cast|is cast|"
            rf"was cast|got cast)?\s*(?:all\s+)?(?:in|on)\s+(?:the\s+cast\s+of\s+)?{_SHOW}"
        ),
        (
            r"(?:whats|what is|what s|who are|whos|who is|list|show me|give me|tell me)?\s*(?:the\s+)?"
            r"(?:full\s+|main\s+|whole\s+)?(?:cast|cast list|casting|actors|actresses|actors and actresses|stars|"
            rf"lineup|leads|main leads|characters|members)\s+(?:of|for|in|on)\s+{_SHOW}"
        ),
        rf"(?:who|whos)\s+(?:stars|starred|starring)\s+{_SHOW}",
        (
            rf"(?:whats|what is|who is|who are|whos)?\s*{_SHOW}\s+(?:s\s+)?(?:full\s+|main\s+)?"
            r"(?:cast|cast list|actors|leads|stars|casting)"
        ),
        (
            r"(?:which|what)\s+(?:actors|actresses|people|idols)\s+"
            rf"(?:are|were|is|was|star|starred|act|acted|appear|appeared)\s+(?:in|on)\s+{_SHOW}"
        ),
    ),
    # which drama a character is from
    *rules(
        "actor_of_character",
        (
            rf"(?:what|which)\s+{_DRAMA}\s+(?:is|was|are|were)\s+(?:the\s+)?(?:character\s+|role\s+)?{_REST}\s+"
            r"(?:from|in|a character in|a character from)"
        ),
        (
            rf"(?:what|which|in which|in what)\s+{_DRAMA}\s+(?:has|had|have|features|featured|is there|was there|with)?"
            rf"\s*(?:a\s+|the\s+)?(?:character|role|char)\s+(?:of\s+|named\s+|called\s+)?{_REST}"
        ),
    ),
    # last, as it matches almost anything after "who is": a person's dramas
    *rules(
        "filmography",
        rf"(?:who|whos)\s+(?:is|was)\s+{_PERSON}",
    ),
)
