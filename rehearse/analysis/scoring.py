"""Detected events against ground truth: the matching rule, per-kind precision/recall/F1 and edge errors in frames.

The one scorer: `rehearse score`, `benchmarks/bench_truth.py` and the tests use it. Plain data in,
plain data out; printing is the command's job.

The matching rule (the README states it too):
- A truth event and a detection are candidates when they are of the same kind, their labels
  agree (expressions and gestures by label, holds by scope; a truth event without a label takes
  any), and either their intervals overlap with IoU >= `min_iou`, or their onsets are within
  `onset_tolerance_s` of each other. A truth *point* (start = end, e.g. a logged key press) is a
  candidate for a detection that contains it, with the same tolerance on either side.
- Candidates are paired greedily one-to-one: highest IoU first, then the closest onsets.
- A detection paired with an `uncertain` truth event is neither a hit nor a false positive; an
  uncertain truth event left alone is not a miss.
- Only kinds the truth covers are scored (`covers` of the truth file, else the kinds it holds), so
  a detector's micro-movements are not false positives against a truth that never marked them.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field

# -- intervals and one-to-one matching ----------------------------------------------------------


@dataclass(frozen=True)
class Interval:
    """A ground-truth or detected interval in seconds (end exclusive)."""

    start_s: float
    end_s: float
    label: str | None = None


def as_interval(item) -> Interval:
    """Anything with start_s/end_s (an Event, a TimeSpan, a dict, a tuple) as an Interval."""
    if isinstance(item, Interval):
        return item
    if isinstance(item, dict):
        return Interval(float(item["start_s"]), float(item["end_s"]), item.get("label"))
    if isinstance(item, tuple):
        return Interval(float(item[0]), float(item[1]))
    return Interval(float(item.start_s), float(item.end_s), getattr(item, "label", None))


def iou(a, b) -> float:
    """Intersection over union of two intervals (0 when they do not overlap)."""
    inter = min(a.end_s, b.end_s) - max(a.start_s, b.start_s)
    if inter <= 0:
        return 0.0
    union = max(a.end_s, b.end_s) - min(a.start_s, b.start_s)
    return inter / union if union > 0 else 0.0


@dataclass
class Score:
    """Result of matching detections to truth (one kind)."""

    truth: int
    detected: int
    pairs: list[tuple] = field(default_factory=list)
    """(truth, detection) pairs, in truth order."""

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
        """A one-line summary for a test log."""
        return (f"{name}: truth={self.truth} detected={self.detected} matched={self.matched} "
                f"P={self.precision:.3f} R={self.recall:.3f} F1={self.f1:.3f}")


def _candidate_pairs(truth: Sequence, detected: Sequence, min_iou: float, onset_tolerance_s: float | None):
    """(rank, i, j) for every allowed pair; a lower rank pairs first."""
    ranked = []
    for i, t in enumerate(truth):
        for j, d in enumerate(detected):
            overlap = iou(t, d)
            if overlap > 0 and overlap >= min_iou:
                ranked.append(((0, -overlap), i, j))
                continue
            if onset_tolerance_s is None:
                continue
            if t.end_s <= t.start_s:  # a point: inside the detection, or close to it
                gap = max(d.start_s - t.start_s, t.start_s - d.end_s, 0.0)
            else:
                gap = abs(d.start_s - t.start_s)
            if gap <= onset_tolerance_s:
                ranked.append(((1, gap), i, j))
    return sorted(ranked)


def match(truth: Sequence, detected: Sequence, min_iou: float = 0.0, onset_tolerance_s: float | None = None) -> Score:
    """Greedy one-to-one matching, best IoU first, then closest onsets (when a tolerance is given).

    With min_iou 0 and no tolerance any overlap matches (what the detector tests use).
    """
    truth_iv = [item if hasattr(item, "start_s") and not isinstance(item, dict) else as_interval(item) for item in truth]
    det_iv = [item if hasattr(item, "start_s") and not isinstance(item, dict) else as_interval(item) for item in detected]
    used_t: set[int] = set()
    used_d: set[int] = set()
    pairs = []
    for _, i, j in _candidate_pairs(truth_iv, det_iv, min_iou, onset_tolerance_s):
        if i in used_t or j in used_d:
            continue
        used_t.add(i)
        used_d.add(j)
        pairs.append((truth_iv[i], det_iv[j]))
    pairs.sort(key=lambda p: p[0].start_s)
    return Score(truth=len(truth_iv), detected=len(det_iv), pairs=pairs)


# -- events of any kind, scored per kind --------------------------------------------------------


LABELLED_KINDS = ("expression", "gesture")
"""Kinds whose label names what happened (smile, head_turn): scored per label."""


@dataclass(frozen=True)
class MarkedEvent:
    """One event on a timeline, from a truth file, a rehearsal log or a detector."""

    kind: str
    start_s: float
    end_s: float
    label: str | None = None
    side: str | None = None
    scope: str | None = None
    uncertain: bool = False
    note: str = ""

    @property
    def is_point(self) -> bool:
        return self.end_s <= self.start_s

    @property
    def detail(self) -> str | None:
        """What splits a kind into rows: an expression's or gesture's label, a hold's scope (a
        blink's full/partial or a hesitation's speakers do not)."""
        if self.kind == "hold":
            return self.scope
        return self.label if self.kind in LABELLED_KINDS else None

    def key(self, labelled: bool = True) -> str:
        """`kind`, or `kind:label` / `hold:scope` when the kind is scored by label."""
        return f"{self.kind}:{self.detail}" if labelled and self.detail else self.kind


@dataclass(frozen=True)
class MatchRule:
    """How a detection is matched to a truth event (see the module docstring)."""

    min_iou: float = 0.2
    """Overlap (intersection over union) that makes a pair on its own."""
    onset_tolerance_s: float = 0.25
    """Onsets this close (seconds) make a pair even without that overlap."""


@dataclass(frozen=True)
class KindScore:
    """The scoreboard row of one kind (or kind:label)."""

    key: str
    truth: int
    """Certain truth events of this kind."""
    detected: int
    """Detections, less those paired with an uncertain truth event."""
    hits: int
    onset_errors_frames: list[float]
    """Detected minus true onset of each hit, in frames (signed: + is late)."""
    offset_errors_frames: list[float]
    """Detected minus true offset of each hit with a duration, in frames."""
    misses: list[MarkedEvent]
    false_positives: list[MarkedEvent]
    pairs: list[tuple[MarkedEvent, MarkedEvent]]

    @property
    def precision(self) -> float:
        return self.hits / self.detected if self.detected else 1.0

    @property
    def recall(self) -> float:
        return self.hits / self.truth if self.truth else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0

    def to_json(self) -> dict:
        def brief(e: MarkedEvent) -> dict:
            return {"start_s": round(e.start_s, 4), "end_s": round(e.end_s, 4), **({"label": e.label} if e.label else {})}

        return {
            "kind": self.key, "truth": self.truth, "detected": self.detected, "hits": self.hits,
            "precision": round(self.precision, 4), "recall": round(self.recall, 4), "f1": round(self.f1, 4),
            "onset_error_frames": [round(x, 2) for x in self.onset_errors_frames],
            "offset_error_frames": [round(x, 2) for x in self.offset_errors_frames],
            "misses": [brief(e) for e in self.misses],
            "false_positives": [brief(e) for e in self.false_positives],
        }


@dataclass(frozen=True)
class Scoreboard:
    """Every covered kind of one take, scored."""

    rows: list[KindScore]
    frame_s: float
    """One frame (the take's typical frame interval), in seconds: the unit of the edge errors."""
    duration_s: float
    outside: list[MarkedEvent]
    """Detections starting before 0 or ending after the take (a bug whatever the truth says)."""
    rule: MatchRule

    def row(self, key: str) -> KindScore | None:
        return next((r for r in self.rows if r.key == key), None)

    def false_per_minute(self, kind: str) -> float:
        """False positives of every row of `kind` per minute of take."""
        count = sum(len(r.false_positives) for r in self.rows if r.key.split(":")[0] == kind)
        return 60.0 * count / self.duration_s if self.duration_s > 0 else 0.0

    def to_json(self) -> dict:
        return {
            "frame_s": round(self.frame_s, 6), "duration_s": round(self.duration_s, 4),
            "rule": {"min_iou": self.rule.min_iou, "onset_tolerance_s": self.rule.onset_tolerance_s},
            "kinds": [r.to_json() for r in self.rows],
            "outside_take": [{"kind": e.kind, "start_s": e.start_s, "end_s": e.end_s} for e in self.outside],
        }


def labelled_kinds(truth: Iterable[MarkedEvent]) -> set[str]:
    """Kinds the truth scores by label (any of its events of that kind has a label or scope)."""
    return {e.kind for e in truth if e.detail}


def covered(key: str, covers: Iterable[str]) -> bool:
    """Whether `key` (kind or kind:label) falls under one of `covers` (kinds or kind:labels)."""
    return any(key == c or key.split(":")[0] == c for c in covers)


def score_events(
    truth: Sequence[MarkedEvent],
    detected: Sequence[MarkedEvent],
    *,
    frame_s: float,
    duration_s: float,
    covers: Iterable[str] | None = None,
    rule: MatchRule = MatchRule(),
) -> Scoreboard:
    """Per-kind scores of `detected` against `truth` under `rule` (see the module docstring)."""
    by_label = labelled_kinds(truth)
    covers = set(covers) if covers is not None else {e.key(e.kind in by_label) for e in truth}
    keyed_truth: dict[str, list[MarkedEvent]] = {}
    for event in truth:
        keyed_truth.setdefault(event.key(event.kind in by_label), []).append(event)
    keyed_det: dict[str, list[MarkedEvent]] = {}
    for event in detected:
        key = event.key(event.kind in by_label)
        if covered(key, covers):
            keyed_det.setdefault(key, []).append(event)
    rows = []
    for key in sorted(set(keyed_truth) | set(keyed_det)):
        row = _score_kind(key, keyed_truth.get(key, []), keyed_det.get(key, []), frame_s, rule)
        if row.truth or row.detected:  # a kind with only uncertain truth and nothing found says nothing
            rows.append(row)
    outside = [e for e in detected if e.start_s < 0 or e.end_s > duration_s + 1e-6]
    return Scoreboard(rows, frame_s, duration_s, outside, rule)


def _score_kind(key: str, truth: list[MarkedEvent], detected: list[MarkedEvent], frame_s: float, rule: MatchRule) -> KindScore:
    truth = sorted(truth, key=lambda e: e.start_s)
    detected = sorted(detected, key=lambda e: e.start_s)
    score = match(truth, detected, rule.min_iou, rule.onset_tolerance_s)
    hits = [(t, d) for t, d in score.pairs if not t.uncertain]
    on_uncertain = {id(d) for t, d in score.pairs if t.uncertain}
    paired = {id(d) for _, d in score.pairs}
    matched_truth = {id(t) for t, _ in score.pairs}
    frame = frame_s if frame_s > 0 else 1.0
    return KindScore(
        key=key,
        truth=sum(1 for t in truth if not t.uncertain),
        detected=len(detected) - len(on_uncertain),
        hits=len(hits),
        onset_errors_frames=[(d.start_s - t.start_s) / frame for t, d in hits],
        offset_errors_frames=[(d.end_s - t.end_s) / frame for t, d in hits if not t.is_point],
        misses=[t for t in truth if not t.uncertain and id(t) not in matched_truth],
        false_positives=[d for d in detected if id(d) not in paired],
        pairs=hits,
    )
