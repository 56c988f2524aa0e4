"""Catalog curation: what admins may type and change (rules), import and export files (files), every change
written one way (editor), and what curators read back (cards)."""
