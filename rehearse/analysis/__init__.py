"""Landmarks, per-frame signals and performance events computed from a take."""
