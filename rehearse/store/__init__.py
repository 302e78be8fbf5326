"""The production's local SQLite store (`.rehearse/`): rehearsal logs and their syncs."""
