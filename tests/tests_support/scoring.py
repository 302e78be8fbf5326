"""Scoring detected intervals against ground truth: matching, precision/recall/F1 at an IoU, onset errors in frames."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Interval:
    """A ground-truth or detected interval in seconds (end exclusive)."""

    start_s: float
    end_s: float
    label: str | None = None


def as_interval(item) -> Interval:
    """Anything with start_s/end_s (an Event, a TimeSpan, a dict) as an Interval."""
    if isinstance(item, Interval):
        return item
    if isinstance(item, dict):
        return Interval(float(item["start_s"]), float(item["end_s"]), item.get("label"))
    if isinstance(item, tuple):
        return Interval(float(item[0]), float(item[1]))
    return Interval(float(item.start_s), float(item.end_s), getattr(item, "label", None))


def iou(a: Interval, b: Interval) -> float:
    """Intersection over union of two intervals (0 when they do not overlap)."""
    inter = min(a.end_s, b.end_s) - max(a.start_s, b.start_s)
    if inter <= 0:
        return 0.0
    union = max(a.end_s, b.end_s) - min(a.start_s, b.start_s)
    return inter / union if union > 0 else 0.0


@dataclass
class Score:
    """Result of matching detections to truth."""

    truth: int
    detected: int
    pairs: list[tuple[Interval, Interval]] = field(default_factory=list)

    @property
    def matched(self) -> int:
        return len(self.pairs)

    @property
    def precision(self) -> float:
        return self.matched / self.detected if self.detected else 1.0

    @property
    def recall(self) -> float:
        return self.matched / self.truth if self.truth else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    @property
    def false_positives(self) -> int:
        return self.detected - self.matched

    def onset_errors_s(self) -> list[float]:
        """Detected onset minus true onset for each matched pair, in seconds."""
        return [d.start_s - t.start_s for t, d in self.pairs]

    def offset_errors_s(self) -> list[float]:
        """Detected offset minus true offset for each matched pair, in seconds."""
        return [d.end_s - t.end_s for t, d in self.pairs]

    def onset_errors_frames(self, frame_s: float) -> list[float]:
        """Absolute onset errors in frames of `frame_s` seconds."""
        return [abs(e) / frame_s for e in self.onset_errors_s()]

    def line(self, name: str) -> str:
        """A one-line summary to print into the test log."""
        return (f"{name}: truth={self.truth} detected={self.detected} matched={self.matched} "
                f"P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f}")


def match(truth: Sequence, detected: Sequence, min_iou: float = 0.0) -> Score:
    """Greedy one-to-one matching by IoU, best pairs first. With min_iou 0 any overlap matches."""
    truth_iv = [as_interval(t) for t in truth]
    det_iv = [as_interval(d) for d in detected]
    candidates = []
    for i, t in enumerate(truth_iv):
        for j, d in enumerate(det_iv):
            value = iou(t, d)
            if value > 0 and value >= min_iou:
                candidates.append((value, i, j))
    candidates.sort(reverse=True)
    used_t: set[int] = set()
    used_d: set[int] = set()
    pairs = []
    for _, i, j in candidates:
        if i in used_t or j in used_d:
            continue
        used_t.add(i)
        used_d.add(j)
        pairs.append((truth_iv[i], det_iv[j]))
    pairs.sort(key=lambda p: p[0].start_s)
    return Score(truth=len(truth_iv), detected=len(det_iv), pairs=pairs)
