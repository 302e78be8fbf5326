"""Macro expressions (smile, half-smile, brow raise, brow furrow, lip press, jaw drop) from face geometry or blendshapes.

Each expression is a channel: a displacement from the actor's resting level (the marked neutral
span, else a low percentile of the face-present frames) divided by its threshold, so strength 1
is "just reached". An expression is a run of strength >= 1 lasting at least `min_duration_s`;
its edges are where the strength falls back under `release_fraction`.

With blendshapes, every level a frame is compared with (the resting scores, the wander that
raises a threshold, which labels a resting face saturates, the glabella lines' resting level,
the head's usual yaw) is read over the frames before it (`stream_levels`), never over the whole
take: an expression is then decided by the frames up to `settle_after_end_s` after its end, so a
live rehearsal shows it then, and the same as an offline analysis. From geometry alone the
resting levels are still the take's (see `expression_strengths`).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from rehearse.analysis.event_settings import ExpressionSettings
from rehearse.analysis.events.blendshape_rests import (
    BLENDSHAPE_CHANNELS,
    LIPS_PARTING,
    resting_scores,
    saturated_frames,
)
from rehearse.analysis.events.hand_cover import under_a_hand
from rehearse.analysis.events.model import Event
from rehearse.analysis.events.signal_ops import (
    baseline_value,
    extent,
    face_mask,
    fill_gaps,
    filled_final_index,
    frames_for,
    merged_runs,
    nan_mean_rows,
    rolling_median,
    signal,
    stream_frame_s,
    track_frame_s,
)
from rehearse.analysis.events.smile_rules import grimace, laugh_bridged
from rehearse.analysis.events.stream_levels import stream_baseline, stream_statistic, stream_wander
from rehearse.analysis.tracks import LandmarkTrack, SignalTrack

GAP_FILL_S = 0.15
"""A face lost for up to this long (s) is bridged: its signals are interpolated across."""


def settle_after_end_s(label: str | None, settings: ExpressionSettings) -> float:
    """How long after its end (s of stream time) an expression read from blendshapes can still
    change, every level being read over the frames before it: a run of strength starting within
    `merge_gap_s` joins it (a smile's: within `laugh_bridge_s`, while the lips stay parted), and
    a frame's strength reads `smooth_s / 2` ahead (centred running median) and across up to
    GAP_FILL_S of lost face. With the defaults 0.375 s, a smile 1.225 s (None: a smile's). A smile
    says in `values["final_from_s"]` when it is final sooner (the lips closed after it:
    `_no_laugh_from`; from geometry no laugh joins a smile)."""
    join = settings.laugh_bridge_s if label in (None, "smile") else settings.merge_gap_s
    return join + settings.smooth_s / 2 + GAP_FILL_S


def _unbridged_settle_s(settings: ExpressionSettings) -> float:
    """`settle_after_end_s` of an expression no later run can join across more than `merge_gap_s`."""
    return settle_after_end_s("", settings)


def expression_strengths(
    track: SignalTrack, settings: ExpressionSettings, neutral: np.ndarray | None = None
) -> dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]]:
    """label -> (strength, displacement in IOD, threshold in IOD) per frame.

    The resting geometry is still the take's (`baseline_value`), not the stream's: read over the
    frames before, a brief excursion early in a take (a lip corner's 0.25 s dip in the first
    second of 01-1A-1) sets the rest, and the re-encoded and mirrored copies of that take found
    half-smiles (0.037-0.040 IOD against 0.035) the take does not have. The noise that raises a
    threshold is the stream's."""
    times = track.times
    present = face_mask(track)
    width = frames_for(settings.smooth_s, track_frame_s(track))

    def displacement(name: str, rises: bool = True) -> np.ndarray:
        raw = np.where(present, signal(track, name), np.nan)
        raw = fill_gaps(times, raw, GAP_FILL_S)
        smooth = np.where(np.isnan(raw), np.nan, rolling_median(raw, width) if width > 1 else raw)
        rest = settings.rest_percentile if rises else 100.0 - settings.rest_percentile
        return smooth - baseline_value(raw, present, neutral, rest)

    def threshold(value: float, disp: np.ndarray) -> np.ndarray:
        return np.maximum(value, settings.noise_factor * stream_wander(times, disp, 1))

    channels: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    # Lip-corner lift is measured from the lip centre, which drops by half of any jaw opening:
    # take that back out, or every spoken syllable reads as a smile.
    jaw = displacement("mouth_open")
    jaw_share = settings.jaw_corner_share * np.clip(np.nan_to_num(jaw), 0.0, None)
    left = displacement("lip_corner_left") - jaw_share
    right = displacement("lip_corner_right") - jaw_share
    width_disp = displacement("mouth_width")
    smile_thr = threshold(settings.smile_lift_iod, np.fmin(left, right))
    both_up = np.fmin(left, right)
    width_thr = threshold(settings.smile_width_iod, width_disp)
    smile = np.fmax(both_up / smile_thr,
                    np.where(both_up >= 0.5 * smile_thr, width_disp / width_thr, np.nan))
    channels["smile"] = (smile, both_up, smile_thr)
    half_thr = threshold(settings.half_smile_lift_iod, left - right)
    one_up = np.fmax(left, right)
    other = np.fmin(left, right)
    half = np.where(other < 0.5 * half_thr, one_up / half_thr, 0.0)
    half[np.isnan(one_up)] = np.nan
    channels["half_smile"] = (half, one_up, half_thr)
    brows = nan_mean_rows([displacement("brow_raise_left"), displacement("brow_raise_right")])
    raise_thr = threshold(settings.brow_raise_iod, brows)
    channels["brow_raise"] = (brows / raise_thr, brows, raise_thr)
    furrow = -displacement("brow_furrow", rises=False)
    furrow_thr = threshold(settings.brow_furrow_iod, furrow)
    channels["brow_furrow"] = (furrow / furrow_thr, furrow, furrow_thr)
    press = -displacement("lip_press", rises=False)
    press_thr = threshold(settings.lip_press_iod, press)
    # Pressed lips close the mouth. A laugh or a broad smile also thins the visible lips, by
    # stretching them over an open mouth or pulling the corners out: that is not a press.
    stretched = ((np.nan_to_num(jaw) > settings.lip_press_max_open_iod)
                 | (np.nan_to_num(width_disp) > 0.5 * width_thr)
                 | (np.nan_to_num(both_up) > 0.5 * smile_thr))
    channels["lip_press"] = (np.where(stretched, 0.0, press / press_thr), press, press_thr)
    jaw_thr = threshold(settings.jaw_drop_iod, jaw)
    channels["jaw_drop"] = (jaw / jaw_thr, jaw, jaw_thr)
    return channels


def detect_expressions(
    track: SignalTrack,
    settings: ExpressionSettings,
    neutral: np.ndarray | None = None,
    closures: list[Event] = (),
) -> list[Event]:
    """Expression events with label, side (half-smile), apex and peak displacement.

    `closures` (blinks, eyes_closed): brow movements mostly inside one are the lids pulling
    the brow landmarks down, not a furrow or a raise; a lip-corner pull held mostly inside an
    `eyes_closed` with the lips closed is crying, not a smile (`smile_rules.grimace`).
    """
    times = track.times
    if times.size < 3:
        return []
    events: list[Event] = []
    smiles: list[tuple[float, float]] = []
    raises: list[tuple[float, float]] = []
    yaw = signal(track, "head_yaw")
    usual = stream_statistic(times, yaw, None, np.median)  # the head's usual yaw so far
    turned = np.abs(np.nan_to_num(yaw - usual)) > settings.max_head_turn_deg
    channels = expression_strengths(track, settings, neutral)
    # lips parted: the inner-lip gap a lip press cannot have (see `smile_rules.grimace`)
    lips_parted = np.nan_to_num(channels["jaw_drop"][1]) > settings.lip_press_max_open_iod
    shut = [(c.start_s, c.end_s) for c in closures if c.kind == "eyes_closed"]
    for label, (strength, disp, thr) in channels.items():
        active = np.nan_to_num(strength) >= settings.release_fraction
        for first, last in merged_runs(times, active, settings.merge_gap_s):
            if np.nanmax(strength[first:last]) < 1.0:
                continue  # never reached the onset threshold
            apex = first + int(np.nanargmax(strength[first:last]))
            start, end, i0, i1 = extent(times, np.nan_to_num(strength), apex, settings.release_fraction)
            start, end = max(start, float(times[first])), min(max(end, float(times[last - 1])), float(times[-1]))
            if end - start < settings.min_duration_s:
                continue
            if label in ("half_smile", "lip_press", "brow_furrow") and any(
                    s < end and start < e for s, e in smiles):
                # the asymmetric onset of a full smile; lips stretched thin by it; the cheek
                # raise of a broad smile narrows the eyes and draws the inner brows in (measured
                # on real footage: 0.03 IOD), which is not a furrow
                continue
            if label.startswith("brow") and any(
                    min(end, c.end_s) - max(start, c.start_s) > 0.5 * (end - start) for c in closures):
                continue
            if label in ("smile", "half_smile") and grimace(start, end, shut, lips_parted[first:last]):
                continue
            if turned[first:last].mean() > 0.5:
                continue  # a turned head foreshortens the face: 2-D geometry is not an expression
            side = None
            if label == "half_smile":
                side = "left" if np.nanmean(_corner(track, "left")[first:last]) > np.nanmean(
                    _corner(track, "right")[first:last]) else "right"
            if label == "smile":
                smiles.append((start, end))
            if label == "brow_raise":
                raises.append((start, end))
            if label == "brow_furrow" and any(s < end and start < e for s, e in raises):
                continue  # raised brows change the inner-brow distance too: not a furrow
            peak = float(np.nanmax(strength[first:last]))
            values = {"duration_ms": round((end - start) * 1000, 1),
                      "peak_displacement_iod": round(float(disp[apex]), 4),
                      "threshold_iod": round(float(thr[apex]), 4)}
            if label == "smile":  # no laugh bridge here: final as any other expression
                values["final_from_s"] = round(end + _unbridged_settle_s(settings), 4)
            events.append(Event(
                kind="expression", label=label, side=side,
                start_s=round(start, 4), end_s=round(end, 4), apex_s=round(float(times[apex]), 4),
                confidence=round(float(np.clip(0.5 + 0.25 * peak, 0.0, 1.0)), 3), values=values,
            ))
    return sorted(events, key=lambda e: e.start_s)


def face_expressions(
    track: SignalTrack, blendshapes: LandmarkTrack | None, settings: ExpressionSettings,
    neutral: np.ndarray | None = None, closures: list[Event] = (),
    covered: Mapping[str, np.ndarray] | None = None,
) -> list[Event]:
    """The take's expressions: from the blendshapes when there are any (geometry only where a
    resting face saturates a label, see `saturated_frames`), else from geometry. `covered`
    (region -> per-frame, from `hand_cover.covered_regions`): an expression whose region was
    under a hand for most of it is not reported, since FaceMesh guesses the points there."""
    if blendshapes is None:
        found = detect_expressions(track, settings, neutral, closures)
    else:
        rests = resting_scores(track.times, blendshapes, settings, neutral)
        blind = saturated_frames(track.times, blendshapes, settings, neutral, rests)
        geometric = ([e for e in detect_expressions(track, settings, neutral, closures) if _mostly(blind[e.label], e, track.times)]
                     if any(frames.any() for frames in blind.values()) else [])
        smiles = [(e.start_s, e.end_s) for e in geometric if e.label in ("smile", "half_smile")]
        lines = signal(track, "glabella_lines")
        if covered and "brows" in covered:  # fingers between the brows are edges too, not wrinkles
            lines = np.where(covered["brows"], np.nan, lines)
        found = [e for e in detect_blendshape_expressions(track.times, blendshapes, settings, neutral, closures, lines,
                                                          rests=rests, frame_s=track_frame_s(track))
                 if not (e.label in SMILE_SHADOWED and any(s < e.end_s and e.start_s < t for s, t in smiles))]
        found += geometric
    if covered:
        found = [e for e in found if not under_a_hand(e, track.times, covered)]
    return sorted(found, key=lambda e: e.start_s)


SMILE_SHADOWED = ("half_smile", "lip_press", "brow_furrow")
"""Expressions a smile also produces: the asymmetric onset of a full smile, lips stretched by
it, and the cheek raise narrowing the eyes and lowering the brows (on real footage and in the
blendshapes alike), so they are not reported while a smile is on."""


def _corner(track: SignalTrack, side: str) -> np.ndarray:
    return signal(track, f"lip_corner_{side}")


def detect_blendshape_expressions(
    times: np.ndarray, blendshapes: LandmarkTrack, settings: ExpressionSettings,
    neutral: np.ndarray | None = None, closures: list[Event] = (), glabella_lines: np.ndarray | None = None,
    *, rests: Mapping[str, np.ndarray] | None = None, frame_s: float | None = None,
) -> list[Event]:
    """Expressions from the Face Landmarker model's blendshape scores (0-1, Left/Right the actor's own).

    A channel's strength is its score above the actor's resting score (the marked neutral span,
    else the `rest_percentile` of the frames before it) divided by its threshold: `blendshape_score`,
    raised to `noise_factor` times the channel's own wander over `blendshape_wander_s` (`stream_wander`) so
    a score that drifts by itself is not an expression (`peak_blendshape_score` is the rise at
    the apex, `threshold_blendshape_score` the rise that makes the expression). A half-smile is
    one mouthSmile side over it while the other stays under half of it. A lip press needs a
    closed, unstretched mouth: lips thinned by a laugh or a wide-open jaw are not pressed.

    Two rules read the smile as part of the whole face (FACS: a smile is AU6+12; crying is
    AU1+4 with the eyes squeezed, AU6/7 (+43), and the lips stretched, pulled down or pressed,
    AU15/17/20), because the model's mouthSmile also rises when crying stretches the lips:
    - an open-mouthed laugh continues a smile: two smiles with a gap of at most `laugh_bridge_s`
      between them are one when the lips stay parted through the gap (jawOpen, mouthLowerDown or
      mouthUpperUp at least half a threshold over rest), since the opening jaw pulls the lip
      corners down and in and the model's mouthSmile falls while the cheeks stay raised;
    - a grimace is not a smile: a smile whose span lies mostly inside an `eyes_closed` event
      while the lips stay closed is the crying configuration (in laughter the eyes may shut,
      but the mouth opens). A smile with the eyes held shut and the lips closed is given up.
    A furrow is also read from its wrinkles: `glabella_lines` (the vertical lines between the
    brows, per frame, NaN where unseen or under a hand) at least `furrow_lines_rise` over their
    median before the frame (neutral span: its median), raised to `noise_factor` times its own wander.
    Either the model's browDown or the lines make the furrow's strength, whichever is higher,
    since the model misses a furrow held with the eyes squeezed shut (measured on the real
    crying close-up: browDown ~0.04 through 6 s of deep vertical lines).
    Same duration and edge rules as the geometric detector. `rests`: `resting_scores`, when the
    caller has them already; `frame_s`: the stream's frame interval the windows are sized by
    (default `stream_frame_s(times)`).
    """
    from rehearse.analysis.backends.blendshapes import BLENDSHAPE_NAMES

    scores = np.asarray(blendshapes.points, dtype=float)[:, :, 0]
    if scores.shape[0] != times.size or scores.shape[1] != len(BLENDSHAPE_NAMES):
        return []
    usable = blendshapes.mask
    scores = np.where(usable[:, None], scores, np.nan)
    frame_s = stream_frame_s(times) if frame_s is None else frame_s
    width = frames_for(settings.smooth_s, frame_s)
    lag = frames_for(settings.blendshape_wander_s, frame_s)
    rests = rests if rests is not None else resting_scores(times, blendshapes, settings, neutral)
    lifts: dict[str, np.ndarray] = {}

    def lift(name: str) -> np.ndarray:
        if name not in lifts:
            raw = fill_gaps(times, scores[:, BLENDSHAPE_NAMES.index(name)], GAP_FILL_S)
            lifts[name] = np.where(np.isnan(raw), np.nan, rolling_median(raw, width) if width > 1 else raw) - rests[name]
        return lifts[name]

    def threshold(rise: np.ndarray) -> np.ndarray:
        return np.maximum(settings.blendshape_score, settings.noise_factor * stream_wander(times, rise, lag))

    blind = saturated_frames(times, blendshapes, settings, neutral, rests)
    rises = {label: nan_mean_rows([lift(n) for n in names]) for label, names in BLENDSHAPE_CHANNELS.items()}
    left, right = lift("mouthSmileLeft"), lift("mouthSmileRight")
    rises["smile"] = np.fmin(left, right)
    rises["half_smile"] = np.fmax(left, right)
    units = {label: threshold(rise) for label, rise in rises.items()}
    strengths = {label: rise / units[label] for label, rise in rises.items()}
    lines_rise = _lines_rise(times, glabella_lines, neutral, width)
    if lines_rise is not None:
        lines_unit = np.maximum(settings.furrow_lines_rise, settings.noise_factor * stream_wander(times, lines_rise, lag))
        strengths["brow_furrow"] = np.fmax(strengths["brow_furrow"], lines_rise / lines_unit)
    strengths["half_smile"] = np.where(np.fmin(left, right) < 0.5 * units["half_smile"], strengths["half_smile"], 0.0)
    mouth_busy = (np.nan_to_num(strengths["jaw_drop"]) >= 0.5) | (np.nan_to_num(rises["half_smile"]) >= 0.5 * units["smile"])
    strengths["lip_press"] = np.where(mouth_busy, 0.0, strengths["lip_press"])
    parting = np.fmax(lift("jawOpen"), np.fmax(nan_mean_rows([lift("mouthLowerDownLeft"), lift("mouthLowerDownRight")]),
                                               nan_mean_rows([lift("mouthUpperUpLeft"), lift("mouthUpperUpRight")])))
    lips_parted = np.nan_to_num(parting) >= 0.5 * settings.blendshape_score
    # when the scores a smile and its laugh bridge read are final (gaps are filled)
    scored = filled_final_index(times, np.isfinite(scores[:, [BLENDSHAPE_NAMES.index(n) for n in (
        *BLENDSHAPE_CHANNELS["smile"], *LIPS_PARTING)]]).all(axis=1), GAP_FILL_S)
    shut = [(c.start_s, c.end_s) for c in closures if c.kind == "eyes_closed"]
    events: list[Event] = []
    smiles: list[tuple[float, float]] = []
    for label in ("smile", "half_smile", "brow_raise", "brow_furrow", "lip_press", "jaw_drop"):
        strength, unit = np.where(blind[label], 0.0, strengths[label]), units[label]
        active = np.nan_to_num(strength) >= settings.release_fraction
        runs = merged_runs(times, active, settings.merge_gap_s)
        if label == "smile":
            runs = laugh_bridged(times, runs, lips_parted, settings.laugh_bridge_s)
        for first, last in runs:
            if np.nanmax(strength[first:last]) < 1.0:
                continue
            apex = first + int(np.nanargmax(strength[first:last]))
            start, end = float(times[first]), float(times[min(last, times.size - 1)])
            if end - start < settings.min_duration_s:
                continue
            if label in ("smile", "half_smile") and grimace(start, end, shut, lips_parted[first:last]):
                continue
            if label in SMILE_SHADOWED and any(s < end and start < e for s, e in smiles):
                continue
            if label in ("smile", "half_smile"):
                smiles.append((start, end))
            side = None
            if label == "half_smile":
                side = "left" if np.nanmean(left[first:last]) > np.nanmean(right[first:last]) else "right"
            values = {"duration_ms": round((end - start) * 1000, 1),
                      "peak_blendshape_score": round(float(strength[apex] * unit[apex]), 3),
                      "threshold_blendshape_score": round(float(unit[apex]), 3)}
            if label == "smile":
                values["final_from_s"] = _no_laugh_from(times, last, active, lips_parted, scored, width, settings)
            events.append(Event(
                kind="expression", label=label, side=side, start_s=round(start, 4), end_s=round(end, 4),
                apex_s=round(float(times[apex]), 4),
                confidence=round(float(np.clip(0.5 + 0.25 * strength[apex], 0.0, 1.0)), 3), values=values,
            ))
    return sorted(events, key=lambda e: e.start_s)


def _lines_rise(times: np.ndarray, lines: np.ndarray | None, neutral: np.ndarray | None,
                width: int) -> np.ndarray | None:
    """The glabella lines over their resting level (their median before the frame, or the
    neutral span's), as a fraction of it; None when the take has no usable lines (NaN on the
    frames whose resting level is not known yet, or not above 0)."""
    if lines is None or lines.shape != times.shape or not np.isfinite(lines).any():
        return None
    raw = fill_gaps(times, np.asarray(lines, dtype=float), GAP_FILL_S)
    rest = stream_baseline(times, raw, np.isfinite(raw), neutral, 50.0)
    rest = np.where(rest > 0, rest, np.nan)
    return (rolling_median(raw, width) if width > 1 else raw) / rest - 1.0


def _no_laugh_from(times: np.ndarray, last: int, active: np.ndarray, lips_parted: np.ndarray, scored: np.ndarray,
                   width: int, settings: ExpressionSettings) -> float:
    """Stream time from which the smile ending at frame `last` can no longer change, read from these
    frames only (so the same on any prefix holding frames up to it): once the lips have closed
    after it with no smile frame between, no laugh can join it (`smile_rules.laugh_bridged`), and
    it is final when that frame's parted-lips reading is (`width`: the running median's, centred;
    `scored`: when each frame's scores, gaps filled, are final) and its own edge is
    (`settle_after_end_s` of an unbridged label). Else the worst case, `settle_after_end_s` of a
    smile after its end."""
    end = float(times[min(last, times.size - 1)])
    worst = round(end + settle_after_end_s("smile", settings), 4)
    half = (width | 1) // 2 if width > 1 else 0
    if width >= 24:  # a running median this wide is read on a strided grid (rolling_percentile)
        return worst
    for k in range(last, times.size):
        if active[k] or times[k] - times[last - 1] > settings.laugh_bridge_s:
            return worst  # a smile frame first (it would have joined) or past the bridge
        if not lips_parted[k]:
            if k + half >= times.size or scored[k + half] >= times.size:
                return worst
            through = float(times[scored[k + half]])
            return round(min(worst, max(end + _unbridged_settle_s(settings), through)), 4)
    return worst


def _mostly(frames: np.ndarray, event: Event, times: np.ndarray) -> bool:
    """True when `frames` holds for more than half of the event's frames."""
    inside = (times >= event.start_s) & (times < event.end_s)
    return bool(inside.any() and frames[inside].mean() > 0.5)
