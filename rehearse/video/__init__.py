"""Decoding only: probe a take, stream frames with exact presentation times, read its audio."""
