"""A take, its re-encodes (x264 CRF 23, mpeg4, a downscale) and its mirror image give the same events and no drift.

Re-encoding adds compression noise only: every face event (blinks, eye closures, expressions)
must come back with the same kind, label and side, onset and offset within 2 frames, and
`drift` between the take and its copy must flag nothing. A mirrored copy is the same
performance with left and right swapped: every side swaps and nothing else changes.
Sources: the real clip single_face.mp4 (../shared/clips; skipped when absent) and the
rendered sample take 01-1A-1.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest
from tests_support import REPO, SHARED_CLIPS
from tests_support.videos import transcode

from rehearse.analysis.events import detect_events
from rehearse.config import Settings

pytestmark = [pytest.mark.models, pytest.mark.slow]

FACE_KINDS = ("blink", "eyes_closed", "expression")
MIRROR_KINDS = (*FACE_KINDS, "gaze_shift", "gesture")
SOURCES = {
    "real": SHARED_CLIPS / "single_face.mp4",
    "rendered": REPO / "scenes" / "takes" / "01-1A-1.mp4",
}
SWAP = {"left": "right", "right": "left"}


@pytest.fixture(scope="module")
def settings(tmp_path_factory):
    return Settings(cache_dir=tmp_path_factory.mktemp("cache"))


def face_events(path: Path, settings: Settings, kinds=FACE_KINDS):
    from rehearse.analysis.take import analyze_take

    analysis = analyze_take(path, settings)
    events = detect_events(analysis.signals, analysis.audio, settings=settings.events, landmarks=analysis.landmarks)
    frame_s = 1.0 / analysis.measured_fps
    return [e for e in events if e.kind in kinds], frame_s, analysis


def unmatched(first, second, frame_s: float, swap: bool = False):
    """Events of `first` with no twin in `second` (same kind, label, side, edges within 2 frames)."""
    left = list(second)
    missing = []
    for event in first:
        side = SWAP.get(event.side, event.side) if swap else event.side
        twin = next((o for o in left if (o.kind, o.label, o.side) == (event.kind, event.label, side)
                     and abs(o.start_s - event.start_s) <= 2 * frame_s + 1e-6
                     and abs(o.end_s - event.end_s) <= 2 * frame_s + 1e-6), None)
        if twin is None:
            missing.append(event)
        else:
            left.remove(twin)
    return missing, left


def _source(name: str) -> Path:
    path = SOURCES[name]
    if not path.is_file():
        pytest.skip(f"{path} not found (real clips live in ../shared/clips beside the repo)")
    return path


@pytest.mark.parametrize("source", ["real", "rendered"])
@pytest.mark.parametrize("variant", ["x264_crf23", "mpeg4", "downscaled"])
def test_a_reencoded_copy_gives_the_same_events_and_no_drift(source, variant, settings, tmp_path):
    from rehearse.scene_results import files_drift

    original = _source(source)
    codec, scale = {"x264_crf23": ("libx264", 1.0), "mpeg4": ("mpeg4", 1.0),
                    "downscaled": ("libx264", 2 / 3)}[variant]
    copy = transcode(original, tmp_path / f"{variant}.mp4", codec, scale=scale)
    report = files_drift([original, copy], settings=settings)
    assert [f.message for f in report.flags] == []
    events, frame_s, _ = face_events(original, settings)
    copied, _, _ = face_events(copy, settings)
    assert events, "the take has blinks and expressions to compare"
    missing, extra = unmatched(events, copied, frame_s)
    assert not missing and not extra, f"only in the take: {missing}; only in the copy: {extra}"


@pytest.mark.parametrize("source", ["real", "rendered"])
def test_a_mirrored_copy_swaps_every_side_and_nothing_else(source, settings, tmp_path):
    original = _source(source)
    mirrored = transcode(original, tmp_path / "mirrored.mp4", "libx264", mirror=True)
    events, frame_s, analysis = face_events(original, settings, MIRROR_KINDS)
    flipped, _, flipped_analysis = face_events(mirrored, settings, MIRROR_KINDS)
    missing, extra = unmatched(events, flipped, frame_s, swap=True)
    assert not missing and not extra, f"only in the take: {missing}; only in the mirror: {extra}"
    shapes, flipped_shapes = analysis.landmarks["blendshapes"], flipped_analysis.landmarks["blendshapes"]
    from rehearse.analysis.backends.blendshapes import blendshape_index

    for left, right in (("mouthSmileLeft", "mouthSmileRight"), ("eyeBlinkLeft", "eyeBlinkRight")):
        ours = shapes.points[:, blendshape_index(left), 0]
        theirs = flipped_shapes.points[:, blendshape_index(right), 0]
        assert np.nanmax(np.abs(ours - theirs)) < 0.15, (left, right)


@pytest.mark.parametrize("variant", ["x264_crf23", "mpeg4", "downscaled"])
def test_reencoded_copies_of_the_crying_closeup_raise_no_drift(variant, settings, tmp_path):
    """The real 20 s close-up (crying with the eyes squeezed shut, a hand on the face, a laugh)
    against its re-encodes: last round its mpeg4 copy was flagged "the lip press is gone", and
    the hand on the face came 0.6-1.0 s late on the mpeg4 and downscaled copies (the first hand
    search whose palm score passed). Blinks and closures are not compared here: a few of this
    clip's lid readings sit on a threshold (a blink whose lid barely reopens before the laugh's
    closure), see the report; the hand on the face and the expressions are."""
    from tests_support import real_clip_or_skip

    from rehearse.scene_results import files_drift

    original = real_clip_or_skip("WolfgangLanger_Pexels.mp4")
    codec, scale = {"x264_crf23": ("libx264", 1.0), "mpeg4": ("mpeg4", 1.0),
                    "downscaled": ("libx264", 2 / 3)}[variant]
    copy = transcode(original, tmp_path / f"{variant}.mp4", codec, scale=scale)
    events, frame_s, _ = face_events(original, settings, (*FACE_KINDS, "gesture"))
    assert any(e.kind == "eyes_closed" for e in events), "the crying closure is read"
    report = files_drift([original, copy], settings=settings)
    assert [f.message for f in report.flags] == []
    copied, _, _ = face_events(copy, settings, ("gesture", "expression"))
    touches = [[e for e in found if e.label == "hand_to_face"] for found in (events, copied)]
    assert all(len(found) == 1 for found in touches), touches
    missing, extra = unmatched(touches[0], touches[1], frame_s)
    assert not missing and not extra, f"the take's touch: {missing}; the copy's: {extra}"
    # The expressions come back within 2 frames: the laugh's one smile (the open-mouthed laugh
    # used to split it differently per copy), no smile while crying, nothing read under the hand.
    # Not the brow raise while she looks up (truth: uncertain): it peaks at 0.90-0.91x its
    # threshold in the original and the downscale, 1.01x in x264 and 1.07x in mpeg4.
    faces = [[e for e in found if e.kind == "expression" and e.label != "brow_raise"] for found in (events, copied)]
    missing, extra = unmatched(faces[0], faces[1], frame_s)
    assert faces[0] and not missing and not extra, f"only in the take: {missing}; only in the copy: {extra}"
