"""Widgets of the terminal app: keyboard tables, banners, the take timeline and the still frame."""
