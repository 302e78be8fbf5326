"""DriftSettings: every threshold the take-to-take continuity checks use, with its unit."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class DriftSettings(BaseModel):
    """Tolerances for flagging drift between a take and the reference take (the `drift` section)."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    onset_tolerance_s: float = Field(default=0.2, ge=0, le=5)
    """A matched gesture whose onset moved more than this against the aligned reference onset
    is a `timing` flag, in seconds."""
    match_window_s: float = Field(default=1.2, gt=0, le=10)
    """A take's gesture is the same gesture as the reference's when its onset lies within this
    of the aligned reference onset, in seconds; further away it is missing/extra."""
    hold_tolerance_s: float = Field(default=0.3, ge=0, le=10)
    """Longest hold of a beat differing from the reference's by more than this is a `hold`
    flag, in seconds (after removing the beat's tempo change)."""
    hold_on_target_factor: float = Field(default=2.0, ge=1, le=10)
    """A hold within the director's target tolerance is flagged against the reference only
    beyond this multiple of `hold_tolerance_s` (the target is what was asked for)."""
    holds_only_with_target: bool = True
    """Compare holds only in beats where the breakdown sets a target hold (a directed hold);
    other still moments are not choreography and their lengths vary freely."""
    min_hold_s: float = Field(default=0.3, ge=0, le=10)
    """Holds shorter than this are not compared (every still moment is a short hold), in s."""
    lean_deg: float = Field(default=6.0, gt=0, le=90)
    """Median torso lean (forward or sideways) over a beat differing by more than this from the
    reference's is a `lean` flag, in degrees."""
    min_body_confidence: float = Field(default=0.5, ge=0, le=1)
    """Body angles (lean, shoulder turn) are compared only on frames whose pose confidence
    reaches this, 0-1: half-visible shoulders give angles that jump by 10 deg and more."""
    expressions_from_breakdown: bool = True
    """In a scene, require only the expressions the breakdown lists for the beat (a detector's
    incidental smile during speech is not continuity); files without a breakdown use all."""
    shoulder_deg: float = Field(default=10.0, gt=0, le=90)
    """Median shoulder turn over a beat differing by more than this is a `shoulder` flag, deg."""
    blink_count_change: int = Field(default=1, ge=1, le=100)
    """A beat's blink count must differ from the reference's by at least this many blinks ..."""
    blink_rate_change_per_min: float = Field(default=15.0, gt=0, le=600)
    """... and its blink rate by at least this much, in blinks per minute, to be flagged."""
    expression_min_s: float = Field(default=0.3, ge=0, le=10)
    """Reference expressions shorter than this are not required in other takes, in seconds."""
    expression_min_strength: float = Field(default=2.0, ge=1, le=20)
    """Reference expressions peaking under this multiple of their detector's threshold are not
    required in other takes: a barely crossed threshold comes and goes with tracking noise
    (directed expressions on the sample takes peak at about 3x, incidental ones under 1.5x)."""
    dtw_rate_hz: float = Field(default=10.0, gt=0, le=120)
    """Signals are resampled to this rate before dynamic time warping, in Hz."""
    dtw_window_fraction: float = Field(default=0.25, gt=0, le=1)
    """Sakoe-Chiba band: the warping path stays within this fraction of the longer sequence."""
    gesture_similarity_min: float = Field(default=0.5, ge=0, le=1)
    """Two gestures of the same label are the same movement when their Procrustes-DTW
    similarity (0-1) reaches this; below it the take's gesture is reported as changed."""
    close_up_sizes: tuple[str, ...] = ("ECU", "CU", "MCU")
    """Shot sizes where the face channel (brows, eyes, mouth corners) must stay in frame."""
    frame_edge_margin: float = Field(default=0.01, ge=0, le=0.2)
    """A face-channel landmark closer than this to a frame edge counts as cut (fraction of
    the frame's width or height)."""
    framing_cut_fraction: float = Field(default=0.2, ge=0, le=1)
    """A beat is flagged for framing when the face channel is cut in more than this fraction of
    its frames (and the reference's fraction is lower by as much)."""
    lighting_stills_per_beat: int = Field(default=3, ge=1, le=20)
    """Stills decoded per beat to measure light on the face."""
    key_side_min_ratio: float = Field(default=1.15, ge=1, le=10)
    """The brighter cheek must be at least this many times the darker one for a side to count
    as the key side (flatter light has no key side to flip)."""
    contrast_change_ratio: float = Field(default=1.35, gt=1, le=10)
    """A left/right contrast ratio changing by at least this factor is a `lighting` flag."""
    severity_high_factor: float = Field(default=2.5, gt=1, le=20)
    """A drift at least this many times its tolerance is `high` severity; at tolerance `medium`
    below 1.5x is `low`."""
