"""Continuity reports for the people on set: HTML, Markdown, CSV and JSON."""
