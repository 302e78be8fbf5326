"""Helpers for the landmark backends that do not need MediaPipe itself (hand side assignment)."""
