"""EventSettings: every threshold the event detectors use, with its unit and documented default."""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class _Section(BaseModel):
    """Frozen settings section: unknown keys rejected, every field documented."""

    model_config = ConfigDict(frozen=True, extra="forbid", use_attribute_docstrings=True)


class BlinkSettings(_Section):
    """Blinks and long eye closures, measured as closure depth against the actor's open-eye EAR."""

    baseline_percentile: float = Field(default=75.0, ge=50, le=99)
    """Percentile of EAR over face-present frames taken as the open-eye baseline when no
    neutral span is marked (blinks fill a few % of a take, so a high percentile is open eyes)."""
    local_window_s: float = Field(default=2.5, gt=0)
    """The open-eye level is also followed locally: this percentile over a window this long
    (seconds, centred on each frame), so a blink during a smile's squint is measured from the
    squint. Live waits half of it after a blink's end (`blinks.settle_after_end_s`)."""
    local_floor: float = Field(default=0.6, gt=0, le=1)
    """The local open level never falls below this fraction of the take's baseline (so a long
    closure does not become the new "open")."""
    detect_depth: float = Field(default=0.30, gt=0, lt=1)
    """Closure depth (1 - EAR/baseline) an eye must pass to count as a blink candidate."""
    noise_factor: float = Field(default=5.0, ge=0)
    """The detection depth is raised to this many times the measured depth noise."""
    full_depth: float = Field(default=0.60, gt=0, le=1)
    """Depth from which a blink is `full`; shallower ones are `partial`."""
    edge_fraction: float = Field(default=0.12, gt=0, lt=1)
    """Frames with depth above this fraction of the peak belong to the closure (for side,
    head-turn and face-loss checks)."""
    ramp_low: float = Field(default=0.25, gt=0, lt=1)
    """Onset/offset: the lid's travel through this fraction of the peak depth ..."""
    ramp_high: float = Field(default=0.6, gt=0, lt=1)
    """... and through this one, extended back to zero depth (a crossing alone sits late)."""
    side_depth: float = Field(default=0.25, gt=0, lt=1)
    """Peak depth an eye must reach to take part in a blink (else the blink is one-sided)."""
    min_duration_s: float = Field(default=0.07, ge=0)
    """Shortest closure kept, in seconds (shorter dips are tracking noise). Slightly under
    the nominal 100 ms because measured edges sit inside the true closure."""
    max_duration_s: float = Field(default=0.50, gt=0)
    """Longest blink, in seconds; longer closures are reported as `eyes_closed`."""
    max_gap_s: float = Field(default=0.15, ge=0)
    """Face-less gaps up to this long are interpolated over, in seconds."""
    yaw_soft_deg: float = Field(default=25.0, ge=0)
    """Above this |head_yaw| (deg) blink confidence falls off."""
    yaw_hard_deg: float = Field(default=45.0, ge=0)
    """Above this |head_yaw| (deg) no blink is reported (the far eye is foreshortened)."""
    smile_lift_iod: float = Field(default=0.04, ge=0)
    """Lip-corner lift over baseline (IOD) meaning a smile or laugh: then a closure that is not
    full is cheek-raise squint, not a blink."""
    smile_rest_percentile: float = Field(default=20.0, ge=0, le=50)
    """Without a neutral span, the lip corners' resting level is this percentile over the frames
    before each frame (as expressions read a rest level), not their median: a stream that opens
    with a laugh has laughed through half its frames when a squint during it comes."""
    smile_blendshape_score: float = Field(default=0.3, ge=0, le=1)
    """With blendshapes, the smile must also show in the mean mouthSmile score over its resting
    score (the take's 25th percentile): an open-mouthed shout lifts the lip corners measured from
    the middle of the lips as a smile does. Measured on real clips: smiles and laughs 0.45-0.9
    over rest, a shout 0.1."""
    blendshape_window_s: float = Field(default=1.0, gt=0)
    """With blendshapes: the open level is the median eyeBlink score over this long (seconds,
    centred on each frame; live waits half of it after a blink's end). Measured on the real
    clips: read only 0.25-0.4 s ahead (the rest behind), a smile's squint starting just before a
    blink moved its onset 0.6-2.7 frames earlier (single_face, face_noface, noface_face); a
    centred 0.8 s gave jwpIntro a false blink. Measured on the real clip: a smile's squint lifts the open score from 0.11 to 0.28 within
    0.3 s, so a 2.5 s percentile read the squinted open eye after a blink as still closing."""
    blendshape_open_max: float = Field(default=0.30, gt=0, le=1)
    """With blendshapes: the open-eye baseline never sits above this eyeBlink score. An open eye
    measured 0.03-0.10 (0.21 on a talking head looking down often, 0.25-0.30 in a smile's
    squint); the baseline is read over the frames before each frame, so a take that opens with
    the eyes shut or looking down (0.5-0.8) would otherwise read those lids as the open eye."""
    blendshape_shut_score: float = Field(default=0.55, gt=0, le=1)
    """With blendshapes: the eyeBlink score of a shut eye (depth 1). Measured with the network on
    FaceMesh landmarks: open eyes 0.03-0.10 (0.25-0.30 in a smile's squint), shut 0.5-0.8 on
    the rendered takes and 0.64 on the real clip's blink."""
    shut_lid_gap: float = Field(default=0.15, ge=0)
    """A closure longer than a blink is shut only while the lids are this close (lid_gap, in
    iris diameters; both eyes' mean). Looking down lowers the lids and raises the eyeBlink score
    (and lowers the EAR) as a closure does, but a slit of iris still shows: measured on a real
    close-up, open eyes looking down 0.21-0.31, shut -0.03-0.13, open straight 0.6-0.9."""
    open_lid_gap: float = Field(default=0.4, ge=0)
    """Without blendshapes: the open-eye EAR is learnt from frames whose lids are at least this
    far apart (lid_gap, iris diameters: open straight 0.6-0.9, looking down 0.21-0.31), once the
    stream has some; a take that opens looking down then has its open eye as soon as one shows."""
    lowered_lid_min_s: float = Field(default=0.15, ge=0)
    """A long closure's edge moves to where the lids meet only when the lids stayed lowered
    but apart for longer than this (seconds) next to it: a lid falling from open to shut takes
    about 0.1 s, during which FaceMesh's lid points trail the lids, so shorter stretches are
    the fall itself and keep the score's edge."""


class ExpressionSettings(_Section):
    """Macro expressions (at least `min_duration_s`), from geometry relative to the take's baseline."""

    min_duration_s: float = Field(default=0.5, ge=0)
    """Shortest expression, in seconds."""
    smooth_s: float = Field(default=0.15, ge=0)
    """Running-median window applied before thresholding, in seconds."""
    rest_percentile: float = Field(default=20.0, ge=0, le=50)
    """Without a neutral span, the resting value of a signal that rises with its expression
    (lip corners, brows, jaw) is this percentile over the frames before it, up to 30 s back
    (`stream_levels`; 100 minus it for one that falls: furrow, press). Not the median: an actor
    may smile for most of a take. From face geometry (no blendshapes) it is still read over the
    whole take (`expressions.expression_strengths`)."""
    merge_gap_s: float = Field(default=0.15, ge=0)
    """Gaps shorter than this inside one expression are bridged, in seconds."""
    release_fraction: float = Field(default=0.7, gt=0, le=1)
    """An expression lasts while its strength stays above this fraction of the onset threshold."""
    noise_factor: float = Field(default=4.0, ge=0)
    """Thresholds are raised to this many times the signal's measured noise."""
    smile_lift_iod: float = Field(default=0.035, ge=0)
    """Both lip corners lifted this much (IOD) over baseline: smile."""
    jaw_corner_share: float = Field(default=0.5, ge=0, le=1)
    """Share of the jaw opening taken off the lip-corner lift (the lip centre the lift is
    measured from drops by half the opening)."""
    half_smile_lift_iod: float = Field(default=0.035, ge=0)
    """One lip corner lifted this much (IOD) while the other stays under half of it: half-smile."""
    smile_width_iod: float = Field(default=0.06, ge=0)
    """Mouth widening (IOD) that also counts as a smile when the corners lift at least half way."""
    brow_raise_iod: float = Field(default=0.04, ge=0)
    """Mean brow height increase (IOD): brow raise."""
    brow_furrow_iod: float = Field(default=0.035, ge=0)
    """Inner-brow distance decrease (IOD): furrow."""
    lip_press_iod: float = Field(default=0.03, ge=0)
    """Lip thickness decrease (IOD): lip press."""
    lip_press_max_open_iod: float = Field(default=0.04, ge=0)
    """A lip press closes the mouth: frames whose inner-lip gap is this much (IOD) over its
    resting value are not a press (a laugh thins the lips over an open mouth)."""
    jaw_drop_iod: float = Field(default=0.25, ge=0)
    """Inner-lip gap increase (IOD): jaw drop."""
    blendshape_score: float = Field(default=0.35, gt=0, le=1)
    """With the Face Landmarker backend: a blendshape score this far above its resting score
    (0-1 scale) is the expression."""
    blendshape_wander_s: float = Field(default=0.5, gt=0)
    """Lag over which a blendshape channel's own wander is measured, in seconds: a channel
    whose score drifts by itself (a painted brow, compression) has its threshold raised to
    `noise_factor` times that wander, so only a rise above it is an expression. Measured:
    0.002-0.03 on real clips and their re-encodes (0.09 for the smile of a close-up that cries
    and then laughs, whose threshold so rises from 0.35 to 0.36), 0.12-0.22 for the rendered
    takes' browDown, which flickers by 0.3-0.4 within a quarter second."""
    laugh_bridge_s: float = Field(default=1.0, ge=0)
    """Longest gap between two smiles that an open-mouthed laugh joins into one, in seconds:
    through a gap where the lips stay parted the opening jaw pulls the lip corners down and in,
    and the model's mouthSmile falls though the cheeks stay raised (speech parts the lips only
    now and then, so it does not join two smiles)."""
    furrow_lines_rise: float = Field(default=1.5, gt=0)
    """With blendshapes: vertical lines between the brows (`glabella_lines`) this much stronger
    than their median before the frame (1.5 = 2.5 times) are also a furrow, alongside browDown,
    since the model misses a furrow held with the eyes squeezed shut. Raised to `noise_factor`
    times the signal's own wander. Measured over the whole take: a rise of 5.4 at the real crying
    furrow (4.7-8.1 on its x264, mpeg4, 2/3 and mirrored copies; held from the take's first
    frame, it has no rest before it); at most 0.75 anywhere on the other real clips (highest: a
    176x144 talking head) and 0.35 on the rendered takes."""
    hand_cover_iod: float = Field(default=0.25, ge=0)
    """A face region (brows, mouth) is under a hand where a tracked hand point is within this
    distance (IOD) of it: a finger is 0.15-0.2 IOD wide around its landmarks. Expressions whose
    region was under a hand for most of their span are not reported."""
    max_head_turn_deg: float = Field(default=6.0, gt=0)
    """Expressions seen while the head is turned more than this from its usual yaw (deg) are
    not reported: foreshortening lifts one lip corner and moves the brows in 2-D geometry."""


class MicroSettings(_Section):
    """Micro-movements: brief localized face movements, never labelled with an emotion."""

    window_s: float = Field(default=1.2, gt=0)
    """Running-median window giving the local level the movement departs from, in seconds;
    at least twice `max_duration_s` so a brief movement does not move the median."""
    smooth_s: float = Field(default=0.05, ge=0)
    """Moving-average window applied to the residual, in seconds."""
    detect_sigma: float = Field(default=6.0, gt=0)
    """A residual must pass this many noise standard deviations to be a candidate."""
    min_amplitude_iod: float = Field(default=0.015, ge=0)
    """Smallest displacement reported, in IOD."""
    max_amplitude_iod: float = Field(default=0.12, gt=0)
    """Largest displacement reported, in IOD (brows, mouth): a brief movement bigger than this
    is not micro (a laugh's mouth, a head jerk under the tracker); micro-expressions move the
    face by a few hundredths of the eye distance."""
    edge_fraction: float = Field(default=0.25, gt=0, lt=1)
    """Onset/offset where the residual falls below this fraction of the peak."""
    min_duration_s: float = Field(default=0.05, ge=0)
    """Shortest micro-movement, in seconds."""
    merge_gap_s: float = Field(default=0.1, ge=0)
    """Candidates of one signal closer than this are one movement (noise split it), in seconds."""
    max_duration_s: float = Field(default=0.5, gt=0)
    """Longest micro-movement, in seconds (longer is an expression)."""
    head_speed_max_deg_s: float = Field(default=40.0, gt=0)
    """Candidates during head rotation faster than this (deg/s) are whole-head motion, dropped
    (slow sway, which every actor has, does not count)."""
    head_margin_s: float = Field(default=0.25, ge=0)
    """Head rotation this close before or after a candidate also drops it (the local median
    lags behind a fast turn for a moment), in seconds."""
    expression_edge_s: float = Field(default=0.2, ge=0)
    """Candidates within this distance of a macro expression's onset or offset in the same
    region are that expression's ramp, in seconds."""
    blink_margin_s: float = Field(default=0.08, ge=0)
    """Eye- and brow-region candidates within this distance of a blink are part of the blink
    (the brows follow the lids), in seconds."""


class GazeSettings(_Section):
    """Gaze shifts: the iris moves to a new position within the eye."""

    window_s: float = Field(default=0.15, gt=0)
    """Fixation level before and after a shift is the median over this long, in seconds."""
    min_shift: float = Field(default=0.15, gt=0)
    """Smallest change of gaze_h or gaze_v (-1..1 units) counted as a shift."""
    edge_fraction: float = Field(default=0.1, gt=0, lt=0.5)
    """Shift onset/offset: where the travel passes this fraction of the way / of the way back."""
    min_separation_s: float = Field(default=0.2, ge=0)
    """Two shifts closer than this are one, in seconds."""


class HoldSettings(_Section):
    """Holds: the face or the body stays still."""

    min_duration_s: float = Field(default=0.2, gt=0)
    """Shortest hold, in seconds."""
    speed_span_s: float = Field(default=0.15, gt=0)
    """Head, torso and wrist speeds are differences over this long, in seconds."""
    bridge_s: float = Field(default=0.12, ge=0)
    """Motion shorter than this between two still spans does not end the hold (a tracker
    glitch, a twitch), in seconds."""
    lost_bridge_s: float = Field(default=0.25, ge=0)
    """A face lost for no longer than this (seconds, a tracker hiccup) inside a hold does not
    end it; a longer loss does, since nothing says the face stayed still."""
    release_ratio: float = Field(default=1.0, ge=1)
    """Once still, a hold lasts until a speed passes this multiple of its limit."""
    glitch_s: float = Field(default=0.15, ge=0)
    """face_motion is averaged over this long (seconds) to decide still or moving: single-frame
    tracker jumps do not break a hold."""
    edge_reach_s: float = Field(default=0.15, ge=0)
    """A face hold's onset and offset are fitted between frames within this far (seconds) of
    where the `glitch_s`-windowed decision puts them (a centred window reads an onset late and
    an offset early by up to half its length)."""
    body_window_s: float = Field(default=0.4, gt=0)
    """Torso and wrist speeds are averaged over this long (seconds): pose landmarks jitter more
    than the face mesh and the body moves more slowly."""
    body_noise_factor: float = Field(default=2.0, ge=0)
    """Like `noise_factor`, for torso and wrist speeds (pose jitter is less even than the
    face mesh's)."""
    face_motion_max: float = Field(default=0.05, gt=0)
    """Face still when face_motion stays under this (IOD/s)."""
    body_motion_max: float = Field(default=3.0, gt=0)
    """Body still when its motion energy (`body_motion`) stays under this (grey levels/s),
    raised to the stream's own still/moving split or above its still level (read per frame over
    the frames before, `hold_limits`)."""
    body_angle_speed_max_deg_s: float = Field(default=8.0, gt=0)
    """Body still when lean and shoulder angles change slower than this (deg/s)."""
    wrist_speed_max: float = Field(default=0.08, gt=0)
    """Body still when both wrists move slower than this (image widths per second)."""
    noise_factor: float = Field(default=1.4, ge=0)
    """Speed thresholds are raised to this many times the tracker's still-state speed (the
    `noise_percentile` of the frames before, `hold_limits`), so a jittery tracker does not
    break every hold."""
    noise_percentile: float = Field(default=5.0, ge=0, le=50)
    """Percentile of a speed (after the `floor_window_s` running median) taken as the
    tracker's still-state noise floor."""
    min_still_fraction: float = Field(default=0.03, ge=0, le=1)
    """The stream's own still/moving split (over the frames a limit reads, `hold_limits`) is
    used only when at least this fraction of those frames is still ..."""
    min_contrast: float = Field(default=2.0, ge=1)
    """... moving frames are at least this many times faster than still ones (median) ..."""
    max_still_factor: float = Field(default=4.0, gt=0)
    """... still ones are no faster than this many times the fixed limit (`face_motion_max`,
    `body_motion_max`; median): a stretch without a hold splits slow movement from fast (idle
    motion from head turns) far above any tracker's jitter (FaceMesh's still face reads 0.01-0.1
    IOD/s on the sample takes, their twins and the real clips; a face's still floor over this
    limit is not used either: it is the slowest movement of a stretch without a hold; the
    body's motion-energy floor, read without the face's wait, counts as at most this) ..."""
    max_valley: float = Field(default=0.5, gt=0, le=1)
    """... and the speed histogram dips between the two to at most this fraction of the
    smaller peak."""
    floor_window_s: float = Field(default=0.4, gt=0)
    """Running-median window for the noise-floor estimate, in seconds."""


class HesitationSettings(_Section):
    """Cue-to-reply latency, pauses within a turn, false starts."""

    pause_min_s: float = Field(default=0.25, gt=0)
    """Silence inside a turn longer than this is a pause, in seconds."""
    max_latency_s: float = Field(default=5.0, gt=0)
    """Silences longer than this are neither a reply latency nor a pause (the scene moved
    on), in seconds."""
    mouth_speech_iod: float = Field(default=0.02, ge=0)
    """Mean mouth opening over the closed-mouth level (IOD) during a speech segment that says
    the on-camera actor speaks it; under 40% of this says someone else does."""
    false_start_open_iod: float = Field(default=0.03, ge=0)
    """Mouth opening over baseline (IOD) that, without speech, can be a false start."""
    false_start_min_s: float = Field(default=0.12, ge=0)
    """Shortest mouth opening counted as a false start, in seconds."""
    false_start_max_s: float = Field(default=1.5, gt=0)
    """Longest mouth opening counted as a false start, in seconds."""


class GestureSettings(_Section):
    """Hands, torso and head gestures."""

    hand_face_iod: float = Field(default=0.6, gt=0)
    """Fingertips within this distance of the face (IOD): hand to face."""
    min_duration_s: float = Field(default=0.25, ge=0)
    """Shortest hand-to-face, collar or raise contact, in seconds."""
    collar_radius: float = Field(default=0.35, gt=0)
    """Fingertip within this many shoulder widths of the collar point (pose landmarks needed)."""
    raise_height: float = Field(default=0.15, gt=0)
    """Wrist lifted this much over its resting height (fraction of image height): hand raise."""
    lean_deg: float = Field(default=8.0, gt=0)
    """Torso lean beyond this from the take's baseline (deg): lean toward / away."""
    lean_min_s: float = Field(default=0.4, ge=0)
    """Shortest lean, in seconds."""
    shoulder_turn_deg: float = Field(default=15.0, gt=0)
    """Shoulder turn beyond this from baseline (deg)."""
    head_turn_deg: float = Field(default=6.0, gt=0)
    """Head yaw beyond this from baseline (deg): head turn."""
    head_turn_min_s: float = Field(default=0.25, ge=0)
    """Shortest head turn, in seconds."""
    nod_deg: float = Field(default=6.0, gt=0)
    """Pitch swing (each way, deg) in a nod; yaw swing in a shake. A nod has a chin-down
    swing; a pitch swing while the jaw opens is the jaw, not a nod."""
    jaw_artifact_iod: float = Field(default=0.03, ge=0)
    """Mouth opening (IOD) during a pitch swing that marks it as a jaw artefact."""
    lean_scale: float = Field(default=0.03, gt=0)
    """Without a tracked torso, the face growing (shrinking) by this fraction of its size
    while the head faces the same way is a lean toward (away from) the camera."""
    nod_max_period_s: float = Field(default=0.6, gt=0)
    """Each swing of a nod or shake is over within this time, and the next follows within it,
    in seconds (a head turn lasts longer)."""
    tremor_energy: float = Field(default=0.002, gt=0)
    """Tremor when fingertip energy above 4 Hz passes this (IOD^2)."""
    tremor_min_s: float = Field(default=0.5, ge=0)
    """Shortest tremor, in seconds."""


class EventSettings(_Section):
    """Thresholds of every event detector (see each section)."""

    blink: BlinkSettings = Field(default_factory=BlinkSettings)
    """Blinks and eyes_closed."""
    expression: ExpressionSettings = Field(default_factory=ExpressionSettings)
    """Macro expressions."""
    micro: MicroSettings = Field(default_factory=MicroSettings)
    """Micro-movements."""
    gaze: GazeSettings = Field(default_factory=GazeSettings)
    """Gaze shifts."""
    hold: HoldSettings = Field(default_factory=HoldSettings)
    """Holds."""
    hesitation: HesitationSettings = Field(default_factory=HesitationSettings)
    """Latencies, pauses, false starts."""
    gesture: GestureSettings = Field(default_factory=GestureSettings)
    """Gestures."""
    min_face_coverage: float = Field(default=0.0, ge=0, le=1)
    """Takes whose face coverage is at most this fraction get no face events (`no face`)."""
