"""Notice what makes a console line fail: the bot's error handler answering, or the bot logging an error."""

from __future__ import annotations

import logging
from typing import Any

import discord

from bot.app import Dramabot


class ErrorWatch(logging.Handler):
    """Count what makes a line fail: the bot's error handler answering, and any ERROR the bot logs."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.logged: list[logging.LogRecord] = []
        self.failed_interactions: set[int] = set()

    def emit(self, record: logging.LogRecord) -> None:
        """Keep the record, so the console can say the bot logged an error."""
        self.logged.append(record)

    def hook(self, bot: Dramabot) -> None:
        """Note every interaction the bot's own error handler answered, then let it answer as usual."""
        handler = bot.tree.on_error

        async def on_error(interaction: discord.Interaction[Any], error: Exception) -> None:
            self.failed_interactions.add(interaction.id)
            await handler(interaction, error)  # type: ignore[arg-type]

        bot.tree.on_error = on_error  # type: ignore[method-assign]
