"""An actor profile as plain text pieces (sparklines, histograms, rates): drawn by `rehearse actor show` and the actor screen."""

from __future__ import annotations

from rehearse.profiles.profile import ActorProfile, Distribution, FigureSummary

BLOCKS = " ▁▂▃▄▅▆▇█"


def sparkline(values: list[float | None], top: float | None = None) -> str:
    """One block per value, its height relative to `top` (default: the largest); `·` for a missing value."""
    present = [v for v in values if v is not None]
    top = top if top is not None else max(present, default=0.0)
    if top <= 0:
        return "".join("·" if v is None else BLOCKS[1] for v in values)
    return "".join("·" if v is None else BLOCKS[max(1, min(8, round(8 * v / top)))] for v in values)


def histogram(values: list[float], bins: int = 8) -> tuple[str, float, float]:
    """(bars, low edge, high edge): counts of `values` in `bins` equal bins, as a sparkline."""
    if not values:
        return "", 0.0, 0.0
    low, high = min(values), max(values)
    if high <= low:
        return BLOCKS[8], low, high
    counts = [0] * bins
    for value in values:
        counts[min(bins - 1, int((value - low) / (high - low) * bins))] += 1
    return "".join(BLOCKS[0] if c == 0 else BLOCKS[max(1, round(8 * c / max(counts)))] for c in counts), low, high


def seconds(dist: Distribution) -> str:
    """`0.42 s (0.21-1.17 s, 12)`: median, 10th-90th percentile and count."""
    if dist.median is None:
        return "-"
    return f"{dist.median:.2f} s ({dist.p10:.2f}-{dist.p90:.2f} s, {dist.count})"


def degrees(dist: Distribution) -> str:
    """`+3 deg` median over takes."""
    return "-" if dist.median is None else f"{dist.median:+.0f} deg"


def rate(summary: FigureSummary) -> str:
    """`18.0/min (6 in 0.33 min)`."""
    if summary.blink_rate_per_min is None:
        return "-"
    return f"{summary.blink_rate_per_min:.1f}/min ({summary.blinks} in {summary.minutes:.2f} min)"


def expressions(summary: FigureSummary) -> str:
    """`brow raise 7.5/min, half smile 3.8/min`."""
    return ", ".join(f"{k.replace('_', ' ')} {v:.1f}/min" for k, v in summary.expressions_per_min.items()) or "-"


def summary_rows(profile: ActorProfile) -> list[tuple[str, FigureSummary]]:
    """(row name, summary): all takes, then each scene, then each partner."""
    rows = [("all takes", profile.overall)]
    rows += [(f"scene {scene}", summary) for scene, summary in profile.by_scene.items()]
    rows += [(f"with {partner}", summary) for partner, summary in profile.by_partner.items()]
    return rows
