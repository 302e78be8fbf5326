"""The Textual terminal app. The only package allowed to import textual."""
