"""An actor profile as terminal tables (rich): the `rehearse actor show` output."""

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


def print_profile(profile: ActorProfile, flags: list) -> None:
    """Print the profile, the baseline of each take and the outlier flags."""
    from rich.console import Console
    from rich.table import Table

    console = Console()
    low, high = profile.conversational_blink_range_per_min
    console.print(f"{profile.actor} as {profile.character_name} ({profile.character}): {len(profile.takes)} analysed "
                  f"takes; blink rates in conversation are usually {low:.0f}-{high:.0f}/min", highlight=False)
    table = Table(title="figures", title_justify="left")
    for column in ("over", "takes", "blinks", "holds (median, p10-p90, n)", "reply latency", "expressions",
                   "lean", "shoulder turn"):
        table.add_column(column)
    for name, summary in summary_rows(profile):
        table.add_row(name, str(len(summary.takes)), rate(summary), seconds(summary.hold_s), seconds(summary.latency_s),
                      expressions(summary), degrees(summary.lean_deg), degrees(summary.shoulder_turn_deg))
    console.print(table)
    if profile.gestures:
        gestures = Table(title="most frequent gestures", title_justify="left")
        for column in ("gesture", "side", "times", "beats"):
            gestures.add_column(column)
        for gesture in profile.gestures:
            gestures.add_row(gesture.label, gesture.side or "-", str(gesture.count), ", ".join(gesture.beats) or "-")
        console.print(gestures)
    takes = Table(title="takes and the baseline each used", title_justify="left")
    for column in ("take", "scene", "blinks/min", "holds", "baseline", "eye at rest", "corner at rest"):
        takes.add_column(column)
    for figures in profile.takes:
        base = figures.baseline
        takes.add_row(figures.take, figures.scene, f"{figures.blink_rate_per_min:.1f}", str(len(figures.hold_durations_s)),
                      base.get("description", "-"),
                      "-" if base.get("eye_open_rest_ear") is None else f"{base['eye_open_rest_ear']:.3f} EAR",
                      "-" if base.get("lip_corner_rest_iod") is None else f"{base['lip_corner_rest_iod']:+.3f} IOD")
    console.print(takes)
    for line in profile.skipped:
        console.print(f"skipped {line}", highlight=False)
    if flags:
        for flag in flags:
            console.print(f"{flag.severity}: {flag.message}", highlight=False)
    else:
        console.print("no take falls far outside the profile", highlight=False)
