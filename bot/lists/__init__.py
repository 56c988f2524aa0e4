"""Personal watch lists: the rules of an entry (`entries`), export and import files (`files`), reminder planning
(`reminders`) and the texts users read (`texts`). No `discord` import: cogs/lists.py and cogs/remind.py are the glue."""
