"""The question as asked: its length limit, how a mention carries it, and how the rules read it (`fold`)."""

from __future__ import annotations

import re

from bot.errors import InvalidInput
from bot.text import normalize

QUESTION_LIMIT = 300  # longer than any real question; keeps a pasted essay from costing a fuzzy search per word
HOW_TO_ASK = (
    "Ask me about a drama after the mention, for example: “who plays Lee Eun Soo in Soundtrack #1?”, "
    "“who directed Signal?” or “what is airing today?”."
)
_MENTIONS = re.compile(r"<@[!&]?\d+>|<#\d+>|@(?:everyone|here)\b")


def checked_question(text: str) -> str:
    """Return the question with its whitespace folded, or raise InvalidInput when it is empty or too long."""
    question = " ".join(text.split())
    if not question:
        raise InvalidInput("Type a question about a drama, for example “who directed Signal?”.")
    if len(question) > QUESTION_LIMIT:
        raise InvalidInput(f"That question is longer than {QUESTION_LIMIT} characters; ask a shorter one.")
    return question


def question_in(content: str, *, mentioning: int) -> str | None:
    """Return a message's text without its mentions if it @mentions user `mentioning` in its text, else None."""
    # Only an explicit @mention in the text: a reply to the bot's answer also "mentions" it, but "thanks!" is not
    # a question.
    if not re.search(rf"<@!?{mentioning}>", content):
        return None
    # None of the mentions (the bot's, users', roles', channels', @everyone) is part of a drama's name.
    return _MENTIONS.sub(" ", content)


_GREETING = re.compile(
    r"^(?:(?:hey|hi|hello|yo|ok|okay|so|um|uh|and|also|quick question|quick q|question|dramabot|bot|please|pls|"
    r"plz|guys|everyone|all|btw|oh|wait|hmm|ah|omg|lol|wow|ugh|sorry|excuse me|friends|chingus|unnie|oppa)\s+)+"
)
_QUESTION_START = re.compile(
    r"(?:who|whos|what|whats|when|whens|where|wheres|which|how|is|are|was|were|does|did|do|has|have|can|could|"
    r"would|will|tell|list|any|anything|show|give|name|find|in|on)\b"
)


def fold(text: str) -> str:
    """Return the question as the rules read it: `normalize`d, "'s" kept as its own word, filler cut."""
    text = re.sub(r"(?<=\w)['’`´]s\b", " s", text)  # "So Hee's" -> "so hee s"; "who's" -> "who s"
    folded = normalize(text)
    folded = re.sub(r"\b(who|what|when|where|how|it|that|there|here)\s+s\b", r"\1s", folded)  # "who s" -> "whos"
    folded = re.sub(r"\b(k) (drama|dramas)\b", r"\1\2", folded)
    folded = re.sub(r"^(?:whats|what is|what was)\s+(?:the\s+)?(?:name|names)\s+of\s+", "what is ", folded)
    folded = re.sub(r"\s+(?:thanks|thank you|thx|ty|please|pls|plz|lol|haha|btw|anyway)$", "", folded)
    # "ok so who directed Goblin": greetings and fillers go, but only before a question word, since names and
    # titles begin with such words too (Ok Jin Uk, "Hello, My Twenties!").
    lead = _GREETING.match(folded)
    if lead and _QUESTION_START.match(folded[lead.end() :]):
        folded = folded[lead.end() :]
    return folded.strip()
