"""The one scorer lives in the package (rehearse.analysis.scoring); the detector tests import it from here."""

from rehearse.analysis.scoring import Interval, Score, as_interval, iou, match

__all__ = ["Interval", "Score", "as_interval", "iou", "match"]
