"""DriftFlag and DriftReport models, severity grading and the script supervisor's wording."""

from __future__ import annotations

from typing import TYPE_CHECKING, Literal

from pydantic import BaseModel, ConfigDict, Field

if TYPE_CHECKING:
    from rehearse.continuity.align import Alignment, BeatSpan
    from rehearse.continuity.compare import ComparedTake

FLAG_KINDS = (
    "hand_side", "timing", "missing", "extra", "hold", "lean", "shoulder", "head_turn",
    "blink_rate", "expression", "framing", "lighting", "wardrobe", "profile",
)
Severity = Literal["low", "medium", "high"]

GESTURE_WORDS = {
    "hand_to_face": "touches the face",
    "hand_to_collar": "touches the collar",
    "hand_raise": "raises a hand",
    "head_turn": "turns the head",
    "shoulder_turn": "turns the shoulders",
    "nod": "nods",
    "shake": "shakes the head",
    "lean_toward": "leans toward camera",
    "lean_away": "leans away",
    "tremor": "has a hand tremor",
}
EXPRESSION_WORDS = {
    "half_smile": "half-smile",
    "smile": "smile",
    "brow_raise": "brow raise",
    "brow_furrow": "brow furrow",
    "lip_press": "lip press",
    "jaw_drop": "jaw drop",
}


class DriftFlag(BaseModel):
    """One continuity problem in one take, with the evidence a script supervisor can check."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    kind: str
    """One of FLAG_KINDS: hand_side, timing, missing, extra, hold, lean, shoulder, head_turn,
    blink_rate, expression, framing, lighting, wardrobe, profile (a take unlike the actor's others)."""
    severity: Severity
    """low, medium or high: how far past its tolerance the drift is."""
    beat: str | None
    """Beat id where it happens; none for a take without beats (or a scene-level flag)."""
    take: str
    """Label of the take flagged (e.g. `1A-3`); for wardrobe, the later scene (`scene 02`)."""
    reference: str
    """What it was compared with: the reference take's label, `breakdown`, or the earlier scene."""
    reference_s: float | None = None
    """Time of the compared moment in the reference take, in seconds (none when not timed)."""
    take_s: float | None = None
    """Time of the moment in the flagged take, in seconds (none when not timed)."""
    values: dict[str, float | str] = Field(default_factory=dict)
    """Measured numbers and words, each key carrying its unit (e.g. `reference_lean_deg`)."""
    message: str
    """The flag as a script supervisor would write it, one sentence."""

    def json_row(self) -> dict:
        """The flag as in `rehearse drift --json`."""
        return {
            "take": self.take, "kind": self.kind, "severity": self.severity, "beat": self.beat,
            "reference_s": _round(self.reference_s), "take_s": _round(self.take_s),
            "values": dict(self.values), "message": self.message,
        }


class DriftReport(BaseModel):
    """Every flag for a scene (or an ad-hoc pair of files), against one reference take."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    scene: str | None
    """Scene id; none for files compared outside a production."""
    reference: str
    """Label of the reference take (the circled one, or the one asked for); empty when there is
    none (then only the breakdown's tracked gestures and wardrobe are checked)."""
    takes: list[str]
    """Labels of the takes compared with the reference, in order."""
    flags: list[DriftFlag] = Field(default_factory=list)
    """Flags, grouped by take, in time order within a take."""
    warnings: list[str] = Field(default_factory=list)
    """Takes that could not be compared and why, one line each."""

    def json_document(self) -> dict:
        """The `rehearse drift --json` document."""
        return {
            "scene": self.scene, "reference": self.reference, "takes": list(self.takes),
            "flags": [f.json_row() for f in self.flags], "warnings": list(self.warnings),
        }


def _round(value: float | None) -> float | None:
    return None if value is None else round(float(value), 3)


def severity_for(excess: float, tolerance: float, high_factor: float = 2.5) -> Severity:
    """Grade a drift of `excess` against its `tolerance` (same unit)."""
    if tolerance <= 0:
        return "high"
    ratio = abs(excess) / tolerance
    if ratio >= high_factor:
        return "high"
    return "medium" if ratio >= 1.5 else "low"


def take_name(label: str) -> str:
    """`Take 1A-3` for a slated label; the file name as is otherwise."""
    return f"Take {label}" if "." not in label else label


def at(seconds: float | None) -> str:
    """`at 12.4 s` (empty when the time is unknown)."""
    return "" if seconds is None else f" at {seconds:.1f} s"


def side_word(side: str | None) -> str:
    """LEFT / RIGHT / BOTH in capitals, as script supervisors write a side they want noticed."""
    return (side or "unknown").upper()


def gesture_phrase(label: str | None, side: str | None = None, who: str = "the actor") -> str:
    """`Maya touches the collar with the LEFT hand` / `Maya turns the head to the actor's own RIGHT`.

    The breakdown records no pronouns, so a side is said as "the actor's own" where a
    possessive would be needed: never a guess at the actor's gender."""
    words = GESTURE_WORDS.get(label or "", (label or "a gesture").replace("_", " "))
    if label == "hand_raise" and side in ("left", "right"):
        return f"{who} raises the {side_word(side)} hand"
    if label in ("hand_to_face", "hand_to_collar", "hand_raise", "tremor") and side in ("left", "right", "both"):
        hand = "both hands" if side == "both" else f"the {side_word(side)} hand"
        return f"{who} {words} with {hand}"
    if label in ("head_turn", "shoulder_turn") and side in ("left", "right"):
        return f"{who} {words} to the actor's own {side_word(side)}"
    return f"{who} {words}"


def expression_word(label: str | None) -> str:
    """`half-smile` for `half_smile`."""
    return EXPRESSION_WORDS.get(label or "", (label or "expression").replace("_", " "))


# -- placing a flag in a beat of the compared take -------------------------------------------

def span_at(alignment: Alignment, t_ref: float) -> BeatSpan | None:
    """The beat span holding reference time `t_ref` (else the first one)."""
    return alignment.span_for_ref(t_ref) or (alignment.spans[0] if alignment.spans else None)


def beat_flag(kind, severity, span, other, reference, ref_s, take_s, values, message) -> DriftFlag:
    """A flag of take `other` against `reference` (ComparedTakes) in the beat `span` covers."""
    return DriftFlag(kind=kind, severity=severity, beat=span.beat if span else None, take=other.label,
                     reference=reference.label, reference_s=None if ref_s is None else round(ref_s, 3),
                     take_s=None if take_s is None else round(take_s, 3), values=values, message=message)


def beat_place(other: ComparedTake, span: BeatSpan | None) -> str:
    """`take 1A-2, b3`: where a flag's sentence says it is."""
    return take_name(other.label) + (f", {span.beat}" if span and span.beat else "")
