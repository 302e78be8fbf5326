"""ProfileSettings: the thresholds of actor profiles, neutral calibration and profile outlier flags."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class ProfileSettings(BaseModel):
    """How profiles summarise takes and how far a take must stray from its actor's other takes to be flagged."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)

    conversational_blink_range_per_min: tuple[float, float] = (10.0, 32.0)
    """Blink rates normally seen in conversation, blinks/min; shown beside a profile for context only."""
    min_other_takes: int = Field(default=2, ge=1, le=50)
    """A take is compared with its actor's profile only when at least this many other takes
    of the actor were analysed (fewer cannot say what is usual)."""
    blink_rate_ratio: float = Field(default=1.6, gt=1.0, le=10.0)
    """Flag when a take's blink rate is at least this many times the profile's (or at most its inverse)."""
    blink_rate_min_diff_per_min: float = Field(default=6.0, ge=0, le=60)
    """...and differs from the profile's by at least this many blinks/min (rates near zero swing wildly)."""
    min_event_difference: int = Field(default=3, ge=0, le=100)
    """Blink and expression rates are flagged only when the take's count differs by at least this
    many events from the count its actor's usual rate predicts for the take's length (one blink
    more in an 8 s take is not a pattern)."""
    hold_ratio: float = Field(default=2.0, gt=1.0, le=10.0)
    """Flag when a take's median hold is at least this many times the profile's median hold (or its inverse)."""
    hold_min_diff_s: float = Field(default=0.6, ge=0, le=30)
    """...and differs from it by at least this many seconds."""
    latency_ratio: float = Field(default=1.6, gt=1.0, le=10.0)
    """Flag when a take's median cue-to-reply latency is at least this many times the profile's (or its inverse)..."""
    latency_min_diff_s: float = Field(default=0.5, ge=0, le=30)
    """...and differs from it by at least this many seconds."""
    posture_min_diff_deg: float = Field(default=8.0, ge=0, le=90)
    """Flag when a take's median lean or shoulder turn differs from the profile's by at least this many degrees."""
    expression_ratio: float = Field(default=2.5, gt=1.0, le=20.0)
    """Flag when a take's rate of an expression is at least this many times the profile's (or its inverse)..."""
    expression_min_diff_per_min: float = Field(default=4.0, ge=0, le=60)
    """...and differs from it by at least this many per minute."""
    high_factor: float = Field(default=2.0, gt=1.0, le=10.0)
    """A flag is `high` when the deviation is this many times its threshold, `medium` at 1.5x, else `low`."""
    neutral_window_s: float = Field(default=1.0, gt=0.1, le=10.0)
    """Length of the window chosen as a take's neutral span from the profile baseline, in seconds."""
    neutral_max_motion_iod_s: float = Field(default=0.8, gt=0, le=10.0)
    """A profile-chosen neutral window must have median face motion below this, in IOD/s (a moving face is not at rest)."""
