"""Answer drama questions asked in plain words, from the catalog alone: rules, the search index, no model.

`answer(question, catalog, guild_id=, now=)` finds what is asked (the *intent*) with the ordered patterns of
`rules.py` over the question as `question.fold` reads it, then finds the shows, people and characters it names
(`names.py`), and a handler of `shows.py`, `people.py` or `dates.py` words the answer (`wording.py`).

Every sentence it returns is built from catalog fields, so each fact can be traced; when the catalog does not
know, the answer says so (`found=False`) and points at the nearest command. When a name is a guess or is shared,
the answer says which one it assumed and lists the others in `alternatives`.
"""

from bot.ask.answers import answer, reply_to_mention
from bot.ask.names import prepare
from bot.ask.question import QUESTION_LIMIT, checked_question, question_in
from bot.ask.rules import INTENTS
from bot.ask.wording import Answer

__all__ = [
    "INTENTS",
    "QUESTION_LIMIT",
    "Answer",
    "answer",
    "checked_question",
    "prepare",
    "question_in",
    "reply_to_mention",
]
