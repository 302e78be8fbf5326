"""Screens of the terminal app: production, scene, take, continuity, help and the error modal."""
