"""Gesture rest levels carried from one live pass to the next.

Gestures are measured from the actor's rest level (`gestures.gesture_rest_levels`), read over the
earlier frames that were themselves at rest (`stream_levels.stream_rest_level`). Whether a frame
was at rest depends on its own level, so a level reaches back through every earlier frame, not
only HISTORY_S: a live pass reading a later window of the stream (`incremental.PASS_READS_S`)
would take a head turned at the window's front for the rest, for good (measured: 7 s head turns
to the other side and leans the recording does not have). A frame's level is final once every
frame it reads has final signals (`stream_levels.levels_read_before_s`); so each pass keeps the
final levels, and the next reads its window's front from them: its levels are the whole stream's,
as an offline analysis of the recording gives them.
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np

from rehearse.analysis.event_settings import GestureSettings
from rehearse.analysis.events.gestures import gesture_rest_levels
from rehearse.analysis.events.stream_levels import BLOCK_S, HISTORY_S, levels_read_before_s
from rehearse.analysis.tracks import SignalTrack


def carry_rest_levels(signals: SignalTrack, first: int, known: Mapping[str, np.ndarray], *,
                      settings: GestureSettings, first_s: float, final_before_s: float,
                      from_stream_start: bool) -> tuple[dict[str, np.ndarray], dict[str, np.ndarray]]:
    """(levels, kept): the rest levels of a pass's window and the final levels to keep for the next.

    `signals`: the window, from frame `first` of the frames kept; `known`: final levels of the first
    frames kept (from earlier passes); `first_s`: the stream's first frame time; `final_before_s`:
    the frames before this time have final signals; `from_stream_start`: the frames kept start
    where the stream does (nothing trimmed from the front yet)."""
    levels = gesture_rest_levels(signals, settings, {name: v[first:] for name, v in known.items() if v.size > first})
    read_before = levels_read_before_s(signals.times, first_s)
    count = int(np.searchsorted(read_before, final_before_s + 1e-9, "right"))  # read_before rises
    # The window's levels are the whole stream's where it starts with the stream, or where its first
    # HISTORY_S + a block are known (later blocks read their whole history inside the window).
    own = int(np.searchsorted(signals.times, signals.times[0] + HISTORY_S + BLOCK_S))
    kept = dict(known)
    for name, v in levels.items():
        front = known.get(name, v[:0])
        if (first == 0 and from_stream_start) or front.size - first >= own:
            kept[name] = np.concatenate([front[:first], v[:count]])
    return levels, kept
