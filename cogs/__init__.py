"""Discord glue: one extension per user-facing feature; modules starting with "_" are not extensions."""
