"""Live rehearsal: a camera or stream watched as it plays, with the offline detectors run incrementally.

Layer 4 (flow): prints nothing and never imports textual; PyAV and MediaPipe load lazily.
"""

from rehearse.live.session import LiveUpdate, WatchOptions, check_record_path, watch
from rehearse.live.source import LiveSource, SourceSpec, source_spec

__all__ = ["LiveSource", "LiveUpdate", "SourceSpec", "WatchOptions", "check_record_path", "source_spec", "watch"]
