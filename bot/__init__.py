"""Dramabot: a Discord bot that answers questions about TV dramas, Korean dramas first."""

__version__ = "0.1.0"
