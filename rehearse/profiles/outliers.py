"""Profile outliers: a take whose figures fall far outside its actor's other takes becomes a `profile` drift flag.

Each take is compared with the profile of the actor's *other* takes (leave-one-out), so an odd
take cannot pull the usual values toward itself. A figure is flagged only when it is both a
large ratio and a large absolute difference away (thresholds in `ProfileSettings`), because
with a handful of short takes a rate near zero doubles on one blink.
"""

from __future__ import annotations

from rehearse.profiles.profile import ActorProfile, FigureSummary, TakeFigures, summarize
from rehearse.profiles.settings import ProfileSettings

PROFILE_FLAG_KIND = "profile"


def _severity(excess_ratio: float, settings: ProfileSettings) -> str:
    if excess_ratio >= settings.high_factor:
        return "high"
    return "medium" if excess_ratio >= 1.5 else "low"


def _ratio_check(value: float, usual: float, ratio: float, min_diff: float) -> float | None:
    """How many times past its threshold `value` is (>= 1 when flagged), else None."""
    diff = abs(value - usual)
    if diff < min_diff:
        return None
    low, high = sorted((value, usual))
    times = high / low if low > 0 else float("inf")
    if times < ratio:
        return None
    return min(diff / max(min_diff, 1e-9), times / ratio) if min_diff > 0 else times / ratio


def take_outliers(figures: TakeFigures, usual: FigureSummary, settings: ProfileSettings) -> list[dict]:
    """The figures of one take that fall outside `usual`: dicts with figure, values, how far, and words."""
    found: list[dict] = []
    if usual.blink_rate_per_min is not None:
        past = _ratio_check(figures.blink_rate_per_min, usual.blink_rate_per_min,
                            settings.blink_rate_ratio, settings.blink_rate_min_diff_per_min)
        expected = usual.blink_rate_per_min * figures.minutes
        if past is not None and abs(figures.blinks - expected) >= settings.min_event_difference:
            more = figures.blink_rate_per_min > usual.blink_rate_per_min
            found.append({"figure": "blink_rate", "past": past,
                          "values": {"take_blinks_per_min": round(figures.blink_rate_per_min, 1),
                                     "profile_blinks_per_min": round(usual.blink_rate_per_min, 1)},
                          "words": f"blinks {figures.blink_rate_per_min:.0f}/min against a usual "
                                   f"{usual.blink_rate_per_min:.0f}/min ({'more' if more else 'fewer'})"})
    holds = [h for h in figures.hold_durations_s]
    if holds and usual.hold_s.median is not None:
        median = sorted(holds)[len(holds) // 2]
        past = _ratio_check(median, usual.hold_s.median, settings.hold_ratio, settings.hold_min_diff_s)
        if past is not None:
            found.append({"figure": "hold", "past": past,
                          "values": {"take_median_hold_s": round(median, 3), "profile_median_hold_s": usual.hold_s.median},
                          "words": f"holds for {median:.2f} s against a usual {usual.hold_s.median:.2f} s"})
    if figures.latencies_s and usual.latency_s.median is not None:
        median = sorted(figures.latencies_s)[len(figures.latencies_s) // 2]
        past = _ratio_check(median, usual.latency_s.median, settings.latency_ratio, settings.latency_min_diff_s)
        if past is not None:
            found.append({"figure": "latency", "past": past,
                          "values": {"take_median_latency_s": round(median, 3),
                                     "profile_median_latency_s": usual.latency_s.median},
                          "words": f"replies after {median:.2f} s against a usual {usual.latency_s.median:.2f} s"})
    for name, word, usual_values in (("lean_deg", "leans", usual.lean_deg), ("shoulder_turn_deg", "turns the shoulders",
                                                                            usual.shoulder_turn_deg)):
        value = getattr(figures, name)
        if value is None or usual_values.median is None:
            continue
        diff = abs(value - usual_values.median)
        if diff >= settings.posture_min_diff_deg > 0:
            found.append({"figure": name.removesuffix("_deg"), "past": diff / settings.posture_min_diff_deg,
                          "values": {f"take_{name}": round(value, 1), f"profile_{name}": usual_values.median},
                          "words": f"{word} {value:+.0f} deg against a usual {usual_values.median:+.0f} deg"})
    minutes = figures.minutes
    for label in sorted(set(figures.expressions) | set(usual.expressions_per_min)):
        rate = figures.expressions.get(label, 0) / minutes
        usual_rate = usual.expressions_per_min.get(label, 0.0)
        past = _ratio_check(rate, usual_rate, settings.expression_ratio, settings.expression_min_diff_per_min)
        expected = usual_rate * minutes
        if past is not None and abs(figures.expressions.get(label, 0) - expected) >= settings.min_event_difference:
            found.append({"figure": f"expression:{label}", "past": past,
                          "values": {f"take_{label}_per_min": round(rate, 1), f"profile_{label}_per_min": round(usual_rate, 1)},
                          "words": f"{label.replace('_', ' ')} {rate:.1f}/min against a usual {usual_rate:.1f}/min"})
    return found


def circled_takes(project) -> set[tuple[str, str]]:
    """(scene id, take label) of every circled take: the references drift is measured against."""
    return {(scene.id, take.label) for scene in project.scenes for take in scene.takes if take.status == "circled"}


def profile_outliers(profile: ActorProfile, settings: ProfileSettings | None = None,
                     references: set[tuple[str, str]] | frozenset = frozenset()) -> list:
    """`DriftFlag`s of kind `profile`, one per take and figure far outside the actor's other takes.

    A take in `references` (circled: what the others are compared with) is never called unlike
    the others; the flag says the other takes differ from it."""
    from rehearse.continuity.flags import DriftFlag

    settings = settings or ProfileSettings()
    flags = []
    for figures in profile.takes:
        others = [t for t in profile.takes if t is not figures]
        if len(others) < settings.min_other_takes:
            continue
        usual = summarize(others)
        for outlier in take_outliers(figures, usual, settings):
            values: dict[str, float | str] = dict(outlier["values"])
            values["figure"] = outlier["figure"]
            values["scene"] = figures.scene
            values["other_takes"] = float(len(others))
            flags.append(DriftFlag(
                kind=PROFILE_FLAG_KIND, severity=_severity(outlier["past"], settings), beat=None,
                take=figures.take, reference=f"profile of {profile.actor}",
                values=values,
                message=(f"{profile.actor}'s other {len(others)} takes differ from circled take {figures.take} "
                         f"(scene {figures.scene}), the reference: {outlier['words']}."
                         if (figures.scene, figures.take) in references else
                         f"Take {figures.take} (scene {figures.scene}) is unlike {profile.actor}'s other "
                         f"{len(others)} takes: {outlier['words']}."),
            ))
    return flags


def scene_profile_flags(project, results, others_by_character: dict, settings=None) -> list:
    """`profile` flags for the takes of one scene (`results`: its `SceneResults`), each against its actor's
    profile over this scene and `others_by_character[character_id]` (that actor's other scenes' results)."""
    from rehearse.profiles.collect import consent_error, profile_from_results, profile_settings

    flags = []
    labels = {r.label for r in results.analysed}
    for character_id in scene_subjects(results):
        character = project.character(character_id)
        if character is None or consent_error(project, character) is not None:
            continue
        others = others_by_character.get(character_id, [])
        profile = profile_from_results(project, character, [results, *others], settings)
        flags += [f for f in profile_outliers(profile, profile_settings(settings), circled_takes(project))
                  if f.take in labels and f.values.get("scene") == results.scene.id]
    return flags


def scene_subjects(results) -> list[str]:
    """Ids of the characters the scene's analysed takes are on, sorted."""
    return sorted({s for s in (results.scene.subject_of(r.take) for r in results.analysed) if s})
