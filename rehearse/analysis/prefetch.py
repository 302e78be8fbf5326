"""Decode ahead in a thread: an iterator wrapper that overlaps frame decoding with model inference."""

from __future__ import annotations

import contextlib
import queue
import threading


class prefetched:  # noqa: N801 - used as a context manager like open()
    """Decode up to `depth` frames ahead in a thread while the models run (PyAV and MediaPipe
    release the GIL, so on two cores decode and inference overlap; see bench_face_path.py).
    Errors in decoding are re-raised in the consumer; leaving the block stops the thread."""

    _DONE = object()

    def __init__(self, frames, depth: int):
        self._frames = frames
        self._depth = depth
        self._slots: queue.Queue = queue.Queue(maxsize=max(1, depth))
        self._stop = threading.Event()
        self._thread: threading.Thread | None = None

    def __enter__(self):
        if self._depth <= 0:
            return iter(self._frames)
        self._thread = threading.Thread(target=self._produce, name="rehearse-decode", daemon=True)
        self._thread.start()
        return self._consume()

    def __exit__(self, *exc_info: object) -> None:
        self._stop.set()
        if self._thread is not None:
            while self._thread.is_alive():  # unblock a producer waiting on a full queue
                with contextlib.suppress(queue.Empty):
                    self._slots.get_nowait()
                self._thread.join(timeout=0.05)

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._slots.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _produce(self) -> None:
        try:
            for frame in self._frames:
                if not self._put(frame):
                    return
        except BaseException as error:  # handed to the consumer, raised there
            self._put(error)
            return
        finally:
            close = getattr(self._frames, "close", None)
            if close is not None:
                with contextlib.suppress(Exception):
                    close()
        self._put(self._DONE)

    def _consume(self):
        while True:
            item = self._slots.get()
            if item is self._DONE:
                return
            if isinstance(item, BaseException):
                raise item
            yield item
