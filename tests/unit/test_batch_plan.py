"""The rule that picks how a batch uses the cores (rehearse.batch_plan): one take per worker, or
a long take split in time, whichever is estimated to finish first; workers limited by memory."""

from __future__ import annotations

import pytest

from rehearse.batch_plan import (
    WORKER_PEAK_MB,
    choose_plan,
    plan_batch,
    pool_cost_s,
    split_cost_s,
    usable_workers,
)


def test_one_worker_runs_take_after_take_here():
    plan = choose_plan([600.0, 30.0], 1)
    assert plan.mode == "one process" and plan.workers == 1 and plan.segments == (1, 1)


def test_one_long_take_is_split_across_both_cores():
    plan = choose_plan([60.0], 2)
    assert plan.mode == "split" and plan.segments == (2,) and plan.workers == 2


def test_the_single_take_crossover_sits_between_the_measured_short_and_long_takes():
    """Measured on 2 cores: a 20 s take split ran 2.28x real time against 1.89x in one process;
    a take of a few seconds cannot pay two processes' start-up."""
    assert choose_plan([20.0], 2).mode == "split"
    assert choose_plan([6.0], 2).mode == "one process"
    crossover = next(d for d in range(1, 60) if choose_plan([float(d)], 2).mode == "split")
    assert 8 <= crossover <= 20


def test_several_short_takes_go_one_per_worker():
    plan = choose_plan([6.0, 7.0, 6.5, 8.0], 2)
    assert plan.mode == "pool" and plan.workers == 2 and plan.segments == (1, 1, 1, 1)


def test_two_long_takes_of_equal_length_go_one_per_worker():
    assert choose_plan([60.0, 60.0], 2).mode == "pool"


def test_one_long_take_beside_a_short_one_is_split_and_the_short_one_runs_here():
    plan = choose_plan([60.0, 5.0], 2)
    assert plan.mode == "split" and plan.segments == (2, 1)


def test_takes_that_cost_nothing_do_not_start_workers():
    """Cached, refused or unreadable takes count 0: a batch of them stays in this process."""
    assert choose_plan([0.0, 0.0, 0.0], 2).mode == "one process"
    plan = choose_plan([0.0, 60.0, 0.0], 2)
    assert plan.mode == "split" and plan.segments == (1, 2, 1)


def test_the_chosen_plan_is_the_cheapest_estimate():
    for durations in ([60.0], [60.0, 5.0], [30.0, 30.0, 30.0], [5.0] * 6, [120.0, 20.0, 20.0]):
        plan = choose_plan(durations, 2)
        alone = sum(d + 2.0 for d in durations)
        pool = pool_cost_s(durations, 2)
        split = sum(min(split_cost_s(d, 2), d + 2.0) for d in durations)
        assert plan.estimate_s == pytest.approx(min(alone, pool, split)), durations


def test_pool_cost_puts_the_longest_takes_first_on_the_least_busy_worker():
    # 30 | 20 + 10 on two workers: both finish after 30 s of takes (+ start-ups).
    assert pool_cost_s([10.0, 20.0, 30.0], 2) == pool_cost_s([30.0], 1) + 2.0


def test_workers_are_the_cores_memory_can_hold():
    assert usable_workers(2, None) == 2
    assert usable_workers(2, 8000.0) == 2
    assert usable_workers(8, 300.0 + 3 * WORKER_PEAK_MB) == 3
    assert usable_workers(2, 900.0) == 1  # one worker's peak beside this process only
    assert usable_workers(0, 100.0) == 1


def test_plan_batch_reads_durations_from_the_files(tmp_path):
    """Durations come from the containers; a missing file counts 0 (it fails in one line later)."""
    from tests_support.videos import textured_frames

    from rehearse.config import Settings
    from rehearse.pipeline import TakeTarget
    from rehearse.video.writer import write_video

    long_take = write_video(tmp_path / "long.mp4", textured_frames(480, 64, 48), fps=24)  # 20 s
    short_take = write_video(tmp_path / "short.mp4", textured_frames(48, 64, 48), fps=24)  # 2 s
    targets = [TakeTarget(long_take, "long"), TakeTarget(short_take, "short"), TakeTarget(tmp_path / "gone.mp4", "gone")]
    settings = Settings(cache_dir=tmp_path / "cache")
    plan = plan_batch(targets, settings, jobs=2)
    assert plan.mode == "split" and plan.segments == (2, 1, 1)
    assert plan_batch(targets, settings, jobs=1).mode == "one process"
