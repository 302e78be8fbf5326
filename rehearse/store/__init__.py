"""The production's local SQLite store (`.rehearse/`): rehearsal logs and their syncs."""

from rehearse.store.db import connect, database_path, state_dir

__all__ = ["connect", "database_path", "state_dir"]
