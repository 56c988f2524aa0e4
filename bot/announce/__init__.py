"""Release announcements: `plan` decides what is due (pure), `outbox` delivers it exactly once."""
