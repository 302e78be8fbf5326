"""Actor profiles across takes and scenes, neutral calibration, profile outlier flags, and the actor's stored data."""

__all__ = ["calibration", "collect", "data", "outliers", "profile", "settings"]
