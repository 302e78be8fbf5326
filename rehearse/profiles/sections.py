"""Actor sections of the continuity report as plain data: each actor's profile, baselines and outlier flags."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from rehearse.profiles.collect import consent_error, profile_from_results, profile_settings
from rehearse.profiles.outliers import circled_takes, profile_outliers
from rehearse.profiles.profile import FigureSummary


def _summary_row(over: str, summary: FigureSummary) -> dict[str, Any]:
    return {
        "over": over, "takes": len(summary.takes), "minutes": summary.minutes, "blinks": summary.blinks,
        "blink_rate_per_min": summary.blink_rate_per_min,
        "hold_median_s": summary.hold_s.median, "holds": summary.hold_s.count,
        "latency_median_s": summary.latency_s.median, "latencies": summary.latency_s.count,
        "expressions_per_min": dict(summary.expressions_per_min),
        "lean_deg": summary.lean_deg.median, "shoulder_turn_deg": summary.shoulder_turn_deg.median,
    }


def actor_sections(project, results: Sequence, settings=None) -> list[dict[str, Any]]:
    """One section per actor with takes among `results` (the report's `SceneResults`)."""
    sections = []
    for character in project.production.characters:
        if not any(r.scene.subject_of(t.take) == character.id for r in results for t in r.takes):
            continue
        section: dict[str, Any] = {"actor": character.actor, "character": character.id,
                                   "character_name": character.name, "consent": character.consent}
        refusal = consent_error(project, character)
        if refusal is not None:
            section["refused"] = refusal.message
            sections.append(section)
            continue
        profile = profile_from_results(project, character, results, settings)
        flags = profile_outliers(profile, profile_settings(settings), circled_takes(project))
        rows = [_summary_row("all takes", profile.overall)]
        rows += [_summary_row(f"scene {s}", v) for s, v in profile.by_scene.items()]
        rows += [_summary_row(f"with {p}", v) for p, v in profile.by_partner.items()]
        section.update(
            conversational_blink_range_per_min=list(profile.conversational_blink_range_per_min),
            figures=rows if profile.takes else [],
            gestures=[g.model_dump() for g in profile.gestures],
            takes=[{"take": t.take, "scene": t.scene, "blink_rate_per_min": round(t.blink_rate_per_min, 1),
                    "blinks": t.blinks, "duration_s": round(t.duration_s, 3),
                    "holds": len(t.hold_durations_s), "baseline": t.baseline.get("description", "-")}
                   for t in profile.takes],
            flags=[f.json_row() for f in flags], skipped=list(profile.skipped),
        )
        sections.append(section)
    return sections
