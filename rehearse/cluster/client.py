"""Takes analysed on a Dask scheduler: each take (or each time segment of a long one) runs on a
worker, its result comes back here and is cached here, as the same entry a local run writes.

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

A take longer than two `cluster.segment_s` goes as segments of about that length, each started
`SEAM_OVERLAP_S` early as a local split is: the workers send per-frame landmarks, and the client
joins them and finishes the take (signals, audio) as `analysis.segments` does on one machine.

Consent is not decided here: `pipeline.analyze_targets` has already set refused takes aside, so
no frame of an actor who said no leaves the machine.
"""

from __future__ import annotations

import contextlib
import dataclasses
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



@dataclasses.dataclass
class _RemoteTake:
    """One take in flight: its futures (one, or one per segment) and what finishing needs."""

    index: int
    identity: tuple
    """(the file's identity, its content hash) as the client read them before submitting."""
    futures: list = dataclasses.field(default_factory=list)
    bounds: list = dataclasses.field(default_factory=list)
    """Per segment (decode from, keep from, end before), s; empty for a whole-take job."""
    duration_s: float = 0.0
    done_by_segment: dict = dataclasses.field(default_factory=dict)
    """segment -> (frames kept, seconds covered), for the take's progress line."""


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
    from rehearse.pipeline import TakeOutcome, analysis_outcome

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
            return analysis_outcome(target, analysis), None
    return None, (before, content)


def _run_remote(targets, submit, settings, spec, outcomes, report, should_stop, keep_analysis) -> None:
    from rehearse.analysis.take import ProgressUpdate
    from rehearse.pipeline import TakeOutcome

    batch = uuid.uuid4().hex[:12]
    topic = f"rehearse-progress-{batch}"
    with connected(spec, settings.cluster.connect_timeout_s) as client:
        jobs = [_submit(client, targets[i], i, identity, settings, topic, batch) for i, identity in submit.items()]
        by_label = {targets[job.index].label: job for job in jobs}
        client.subscribe_topic(topic, lambda event: _on_progress(event[1], by_label, report))
        pending = list(jobs)
        try:
            while pending:
                # Polled rather than `distributed.wait`, which raises on its timeout: the loop
                # must also notice a stop request while every take is still running.
                done = [job for job in pending if all(f.done() for f in job.futures)]
                pending = [job for job in pending if job not in done]
                if not done:
                    time.sleep(0.1)
                for job in done:
                    target = targets[job.index]
                    outcomes[job.index] = _finish(job, target, settings, keep_analysis, spec, report)
                    if outcomes[job.index].ok:
                        report(ProgressUpdate(target.label, "done"))
                if pending and should_stop is not None and should_stop():
                    client.cancel([f for job in pending for f in job.futures])
                    for job in pending:
                        target = targets[job.index]
                        outcomes[job.index] = TakeOutcome(
                            target, error=f"{target.path}: analysis stopped; nothing was cached", status="stopped"
                        )
                    pending = []
        except KeyboardInterrupt:
            client.cancel([f for job in pending for f in job.futures])
            raise
        # Progress events are delivered on the client's own loop: let the last ones arrive.
        time.sleep(0.05)
        client.unsubscribe_topic(topic)


def _submit(client, target, index, identity, settings, topic, batch) -> _RemoteTake:
    """Send one take whole, or as time segments when it is long enough to spread."""
    from rehearse.analysis.segments import segment_bounds
    from rehearse.analysis.take import SEAM_OVERLAP_S
    from rehearse.cluster.worker import analyze_remote, analyze_segment_remote

    job = _RemoteTake(index, identity)
    content = identity[1]
    count, job.duration_s = _segment_count(target.path, settings)
    options = {"pure": False, "retries": settings.cluster.retries}
    if count == 1:
        job.futures = [client.submit(analyze_remote, str(target.path), target.label, settings, content, topic,
                                     key=f"rehearse-{batch}-{index}", **options)]
        return job
    job.bounds = segment_bounds(job.duration_s, count, SEAM_OVERLAP_S)
    job.futures = [
        client.submit(analyze_segment_remote, str(target.path), target.label, settings.analysis, k, bounds,
                      content, topic, key=f"rehearse-{batch}-{index}-{k}", **options)
        for k, bounds in enumerate(job.bounds)
    ]
    return job


def _segment_count(path: Path, settings) -> tuple[int, float]:
    """(segments, declared duration): 1 unless the take is at least two `segment_s` long."""
    from rehearse.analysis.take import SPLIT_MIN_DURATION_S
    from rehearse.video.probe import probe

    length = settings.cluster.segment_s
    try:
        duration = probe(path).duration_s or 0.0
    except RehearseError:
        return 1, 0.0  # the worker reads it again and says what is wrong in one line
    if not length or duration < max(2 * length, SPLIT_MIN_DURATION_S):
        return 1, duration
    return int(round(duration / length)), duration


def _on_progress(message: dict, by_label: dict, report) -> None:
    """A worker's progress event: a whole take's update, or one segment's, summed per take."""
    from rehearse.analysis.take import ProgressUpdate

    job = by_label.get(message.get("take"))
    if "segment" not in message:
        fields = {f.name for f in dataclasses.fields(ProgressUpdate)}
        # The scheduler adds the sender's address (`worker`) to every event.
        report(ProgressUpdate(**{k: v for k, v in message.items() if k in fields}))
        return
    if job is None or not job.bounds:
        return
    keep = job.bounds[message["segment"]][1]
    job.done_by_segment[message["segment"]] = (message["frames_done"], max(0.0, message["t_s"] - keep))
    frames = sum(f for f, _ in job.done_by_segment.values())
    covered = sum(c for _, c in job.done_by_segment.values())
    report(ProgressUpdate(message["take"], "landmarks", frames, covered, job.duration_s))


def _finish(job: _RemoteTake, target, settings, keep_analysis, spec, report) -> TakeOutcome:
    """The outcome of one take whose futures are all done; its result is cached here first."""
    from rehearse.analysis import cache
    from rehearse.analysis.take import analysis_from_entry, entry_from_analysis, save_entry
    from rehearse.pipeline import TakeOutcome, analysis_outcome

    results = []
    for future in job.futures:
        try:
            kind, payload = future.result()
        except Exception as error:  # a scheduler lost, or a task that crashed every retry
            return TakeOutcome(target, error=f"{target.path}: error: {_remote_failure(error, spec)}", status="failed")
        if kind == "error":
            return TakeOutcome(target, error=payload, status="failed")
        results.append(payload)
    before, content = job.identity
    if cache.changed_since(target.path, before, content):
        return TakeOutcome(
            target, error=f"{target.path}: error: changed while it was being analysed; nothing was cached "
            "(analyse it again once the copy or export has finished)", status="failed",
        )
    if job.bounds:
        try:
            analysis = _joined_analysis(target, content, settings, results, report)
        except RehearseError as error:
            return TakeOutcome(target, error=error.one_line(), status="failed")
        arrays, meta = entry_from_analysis(analysis)
    else:
        arrays, meta = results[0]
    warning = save_entry(target.path, settings, arrays, meta)
    analysis = analysis_from_entry(target.path, meta, arrays, label=target.label)
    analysis.from_cache = False
    if warning is not None:
        analysis.extra.setdefault("warnings", []).append(warning)
    return analysis_outcome(target, analysis, keep_analysis=keep_analysis)


def _joined_analysis(target, content, settings, segment_frames, report):
    """Finish a take from its segments' landmarks here, exactly as a local split finishes it."""
    from rehearse.analysis.landmarks import assemble_tracks
    from rehearse.analysis.take import analyze_uncached

    joined = [frame for frames in segment_frames for frame in frames]

    def already_run(path, options, duration_s, **_):
        return assemble_tracks(joined, options.landmarks)

    return analyze_uncached(
        target.path, target.label, content, settings, report, None,
        segments=len(segment_frames), run_segments=already_run,
    )


def _remote_failure(error: BaseException, spec: SchedulerSpec) -> str:
    name = type(error).__name__
    if name in ("CancelledError", "CommClosedError", "FutureCancelledError") or isinstance(error, OSError):
        return f"the scheduler at {spec.label} was lost before this take finished ({name}); run again"
    if name == "KilledWorker":
        return "analysis crashed on every worker that tried it (KilledWorker); analyse it locally to see why"
    return f"analysis crashed on a worker: {name}: {error}"


def _without_analysis(outcome):
    outcome.analysis = None
    return outcome
