"""rehearse: measure rehearsal takes and keep continuity, from the terminal.

This module holds the version only; it imports nothing heavy.
"""

__version__ = "0.1.0"
