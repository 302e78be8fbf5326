"""Takes analysed on a Dask scheduler: each take's analysis runs on a worker, its result comes
back here and is cached here, as the same entry a local run writes.

    outcomes = analyze_on_scheduler(targets, settings, "tcp://10.0.0.5:8786", progress=show)
    outcomes = analyze_on_scheduler(targets, settings, "local:2")    # a LocalCluster of 2 workers

What is sent to a worker is a path, the take's label, the settings and the content hash the
client read; never pixels. A worker reads the video from shared storage: when it cannot open
the path, or sees a different file there, the take gets one line naming the worker and the
path instead of the client shipping gigabytes. What comes back is the cache entry's arrays and
metadata (about 10 MB per minute of take), written here atomically; a take already cached here
is never submitted. A worker that dies mid-take is replaced by the scheduler (the task runs
again elsewhere); a lost scheduler fails only the takes not finished yet; Ctrl-C cancels every
future. `dask` and `distributed` are imported only here, and only when a scheduler is used.

Consent is not decided here: `pipeline.plan_takes` has already moved refused takes aside, so
no frame of an actor who said no leaves the machine.
"""

from __future__ import annotations

import contextlib
import dataclasses
import os
import time
import uuid
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from rehearse.errors import Location, RehearseError

if TYPE_CHECKING:
    from rehearse.analysis.take import ProgressUpdate
    from rehearse.config import Settings
    from rehearse.pipeline import TakeOutcome, TakeTarget

PROGRESS_INTERVAL_S = 0.25
"""A worker sends at most this often per take (a change of stage always goes)."""


class ClusterError(RehearseError):
    """The scheduler could not be reached or was lost."""


@dataclasses.dataclass(frozen=True)
class SchedulerSpec:
    """What `--scheduler` names: an address, or a LocalCluster of `local_workers` workers."""

    address: str | None
    local_workers: int | None = None

    @property
    def label(self) -> str:
        return self.address or f"local:{self.local_workers}"


def parse_scheduler(text: str) -> SchedulerSpec:
    """`tcp://host:8786`, `host:8786`, `local` or `local:N`; a one-line error otherwise."""
    text = text.strip()
    if text == "local" or text.startswith("local:"):
        count = text.partition(":")[2] or "2"
        if not count.isdigit() or int(count) < 1:
            raise ClusterError(
                f"`{text}` is not a scheduler", Location("--scheduler"),
                hint="write local, local:N (N workers, N >= 1) or an address such as tcp://10.0.0.5:8786",
            )
        return SchedulerSpec(None, int(count))
    if not text or " " in text:
        raise ClusterError(
            f"`{text}` is not a scheduler address", Location("--scheduler"),
            hint="write an address such as tcp://10.0.0.5:8786, or local[:N]",
        )
    return SchedulerSpec(text if "://" in text else f"tcp://{text}")


@contextlib.contextmanager
def connected(spec: SchedulerSpec, timeout_s: float) -> Iterator[Any]:
    """A `distributed.Client` on the scheduler (a LocalCluster started and stopped here)."""
    import logging

    from distributed import Client, LocalCluster

    if spec.address is None:
        # One thread per worker: MediaPipe already uses the core it runs on, and a take's
        # graphs are built per process.
        with LocalCluster(
            n_workers=spec.local_workers, threads_per_worker=1, processes=True,
            dashboard_address=None, silence_logs=logging.ERROR,
        ) as cluster, Client(cluster) as client:
            yield client
        return
    try:
        client = Client(spec.address, timeout=timeout_s)
    except (OSError, TimeoutError) as error:
        raise ClusterError(
            f"cannot reach the scheduler at {spec.address} ({type(error).__name__})",
            Location(spec.address),
            hint="start it with `dask scheduler`, check the address and port, or drop --scheduler",
        ) from None
    try:
        yield client
    finally:
        with contextlib.suppress(Exception):
            client.close(timeout=5)


def analyze_on_scheduler(
    targets: Sequence[TakeTarget],
    settings: Settings,
    scheduler: str,
    *,
    force: bool = False,
    progress: Callable[[ProgressUpdate], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    keep_analysis: bool = True,
) -> list[TakeOutcome]:
    """Analyse every target on the scheduler's workers, in the order given; cached ones locally."""
    from rehearse.analysis.take import load_cached

    spec = parse_scheduler(scheduler)
    report = progress or (lambda update: None)
    outcomes: dict[int, TakeOutcome] = {}
    submit: dict[int, str] = {}
    for index, target in enumerate(targets):
        outcome, content = _local_answer(target, settings, force, report, load_cached)
        if outcome is not None:
            outcomes[index] = outcome if keep_analysis else _without_analysis(outcome)
        else:
            submit[index] = content
    if submit:
        _run_remote(targets, submit, settings, spec, outcomes, report, should_stop, keep_analysis)
    return [outcomes[i] for i in range(len(targets))]


def _local_answer(target, settings, force, report, load_cached):
    """(the outcome, None) when the client can answer alone (cache hit, unreadable file), else
    (None, (the file's identity, the content hash the worker must find))."""
    from rehearse.analysis import cache
    from rehearse.analysis.take import ProgressUpdate
    from rehearse.breakdown.take_files import check_take_file
    from rehearse.pipeline import TakeOutcome

    path = target.path
    try:
        check_take_file(path)  # the same rule as a local run: no FIFO, device, folder or loop
        report(ProgressUpdate(target.label, "hashing"))
        before = cache.file_identity(path)
        content = cache.content_hash(path)
    except RehearseError as error:
        return TakeOutcome(target, error=error.one_line(), status="failed"), None
    except OSError as error:
        return TakeOutcome(target, error=f"{path}: error: cannot read: {error.strerror}", status="failed"), None
    if not force:
        analysis = load_cached(path, settings, label=target.label)
        if analysis is not None:
            report(ProgressUpdate(target.label, "cached"))
            return TakeOutcome(target, analysis.summary(), analysis, status=_status(analysis)), None
    return None, (before, content)


def _run_remote(targets, submit, settings, spec, outcomes, report, should_stop, keep_analysis) -> None:
    from rehearse.analysis.take import ProgressUpdate
    from rehearse.pipeline import TakeOutcome

    timeout_s = settings.cluster.connect_timeout_s
    batch = uuid.uuid4().hex[:12]
    topic = f"rehearse-progress-{batch}"
    with connected(spec, timeout_s) as client:
        fields = {f.name for f in dataclasses.fields(ProgressUpdate)}
        # The scheduler adds the sender's address (`worker`) to every event.
        client.subscribe_topic(
            topic, lambda event: report(ProgressUpdate(**{k: v for k, v in event[1].items() if k in fields}))
        )
        futures = {
            client.submit(
                analyze_remote, str(targets[i].path), targets[i].label, settings, identity[1], topic,
                key=f"rehearse-{batch}-{i}", pure=False, retries=settings.cluster.retries,
            ): i
            for i, identity in submit.items()
        }
        pending = set(futures)
        try:
            while pending:
                # Polled rather than `distributed.wait`, which raises on its timeout: the loop
                # must also notice a stop request while every take is still running.
                done = {future for future in pending if future.done()}
                pending -= done
                if not done:
                    time.sleep(0.1)
                for future in done:
                    index = futures[future]
                    outcomes[index] = _finish(future, targets[index], submit[index], settings, keep_analysis, spec)
                    if outcomes[index].ok:
                        report(ProgressUpdate(targets[index].label, "done"))
                if pending and should_stop is not None and should_stop():
                    client.cancel(list(pending))
                    for future in pending:
                        outcomes[futures[future]] = TakeOutcome(
                            targets[futures[future]], error=f"{targets[futures[future]].path}: analysis stopped; nothing was cached",
                            status="stopped",
                        )
                    pending = set()
        except KeyboardInterrupt:
            client.cancel(list(pending))
            raise
        # Progress events are delivered on the client's own loop: let the last ones arrive.
        time.sleep(0.05)
        client.unsubscribe_topic(topic)


def _finish(future, target, identity, settings, keep_analysis, spec) -> TakeOutcome:
    """The outcome of one finished future; the result is cached here before it is used."""
    from rehearse.analysis import cache
    from rehearse.analysis.take import analysis_from_entry, save_entry
    from rehearse.pipeline import TakeOutcome

    try:
        kind, payload = future.result()
    except Exception as error:  # a scheduler lost, or a take that crashed every retry
        reason = _remote_failure(error, spec)
        return TakeOutcome(target, error=f"{target.path}: error: {reason}", status="failed")
    if kind == "error":
        return TakeOutcome(target, error=payload, status="failed")
    before, content = identity
    if cache.changed_since(target.path, before, content):
        return TakeOutcome(
            target, error=f"{target.path}: error: changed while it was being analysed; nothing was cached "
            "(analyse it again once the copy or export has finished)", status="failed",
        )
    arrays, meta = payload
    warning = save_entry(target.path, settings, arrays, meta)
    analysis = analysis_from_entry(target.path, meta, arrays, label=target.label)
    analysis.from_cache = False
    if warning is not None:
        analysis.extra.setdefault("warnings", []).append(warning)
    outcome = TakeOutcome(target, analysis.summary(), analysis, status=_status(analysis))
    return outcome if keep_analysis else _without_analysis(outcome)


def _remote_failure(error: BaseException, spec: SchedulerSpec) -> str:
    name = type(error).__name__
    if name in ("CancelledError", "CommClosedError", "FutureCancelledError") or isinstance(error, OSError):
        return f"the scheduler at {spec.label} was lost before this take finished ({name}); run again"
    if name == "KilledWorker":
        return "analysis crashed on every worker that tried it (KilledWorker); analyse it locally to see why"
    return f"analysis crashed on a worker: {name}: {error}"


def _status(analysis) -> str:
    if analysis.no_face:
        return "no face"
    return "cached" if analysis.from_cache else "analyzed"


def _without_analysis(outcome):
    outcome.analysis = None
    return outcome


# -- on the worker -----------------------------------------------------------------------------


def analyze_remote(path_text: str, label: str, settings: Settings, expected_content: str, topic: str):
    """Runs on a worker: ("ok", (arrays, meta)) for the cache entry, or ("error", one line).

    User-caused failures come back as a value (an exception's pickled form need not survive the
    trip); only crashes raise, so the scheduler may retry them on another worker.
    """
    from distributed import get_worker

    from rehearse.analysis import cache
    from rehearse.analysis.take import ProgressUpdate, analyze_uncached, entry_from_analysis
    from rehearse.native_stderr import quiet_native_stderr

    worker = get_worker()
    where = f"worker {worker.address}"
    path = Path(path_text)
    if not path.is_file() or not os.access(path, os.R_OK):
        return "error", (
            f"{path}: error: {where} cannot open this file; put the takes on storage every worker "
            "mounts at the same path (nothing is shipped from the client)"
        )
    try:
        before = cache.file_identity(path)
        content = cache.content_hash(path)
    except OSError as error:
        return "error", f"{path}: error: {where} cannot read this file: {error.strerror}"
    if content != expected_content:
        return "error", (
            f"{path}: error: {where} sees a different file at this path than the client does; "
            "sync the shared storage and run again"
        )
    quiet_native_stderr()
    from rehearse.pipeline import throttled

    send = throttled(lambda update: worker.log_event(topic, dataclasses.asdict(update)), PROGRESS_INTERVAL_S)

    try:
        analysis = analyze_uncached(path, label, content, settings, send, None)
    except RehearseError as error:
        return "error", error.one_line()
    if cache.changed_since(path, before, content):
        return "error", f"{path}: error: changed on {where} while it was being analysed; nothing was cached"
    send(ProgressUpdate(label, "saving", analysis.frame_count, analysis.duration_s, analysis.duration_s))
    return "ok", entry_from_analysis(analysis)
