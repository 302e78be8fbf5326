"""The day's progress report (`rehearse report --day`): per scene, the takes logged that day,
which are circled, the notes and the flags (keyed on set, and drift flags of analysed takes).

Built from the rehearsal log (each run-through is a session bound to a take) and the scene
YAML (a take's status there is the truth: it may have been changed by hand after the log).
Drift flags come from cached analyses only: the report never starts a long analysis.
"""

from __future__ import annotations

from collections import Counter
from datetime import date, datetime
from typing import Any

# Log entries that flag a moment on set (the rest are beats, holds, clocks, notes, marks).
FLAG_KINDS = ("flub", "false_start", "continuity", "hesitation")


def local_day(iso_utc: str) -> date:
    """The local calendar day of a stored UTC timestamp."""
    return datetime.fromisoformat(iso_utc).astimezone().date()


def build_day(project, day: date) -> dict[str, Any]:
    """Plain data for the day's report (see module docstring)."""
    from rehearse.store.db import connect, database_path
    from rehearse.store.rehearsal_log import all_sessions, entries

    report: dict[str, Any] = {"production": project.production.title, "day": day.isoformat(), "scenes": []}
    if not database_path(project.root).exists():
        return report
    connection = connect(project.root)
    try:
        sessions = [s for s in all_sessions(connection) if local_day(s.created_at) == day]
        logged = {s.id: entries(connection, s.id) for s in sessions}
    finally:
        connection.close()
    by_scene: dict[str, list] = {}
    for session in sessions:
        by_scene.setdefault(session.scene_id, []).append(session)
    for scene in project.scenes:  # story order
        if scene.id in by_scene:
            report["scenes"].append(_scene_day(project, scene, by_scene[scene.id], logged))
    return report


def _scene_day(project, scene, sessions, logged) -> dict[str, Any]:
    statuses = {take.label: take.status for take in scene.takes}
    drift = _drift_flags_by_take(project, scene)
    takes = []
    for session in sessions:
        label = session.take_label or f"session {session.id}"
        kept = logged[session.id]
        marks = [e.kind for e in kept if e.kind in ("circle", "ng")]
        status = statuses.get(label) or {"circle": "circled", "ng": "ng"}.get(marks[-1] if marks else "", "unmarked")
        takes.append({
            "take": label,
            "session": session.id,
            "started": datetime.fromisoformat(session.created_at).astimezone().strftime("%H:%M"),
            "timecode": session.timecode or "",
            "status": status,
            "entries": len(kept),
            "notes": [{"t_s": round(e.t_s, 2), "text": e.text} for e in kept if e.kind == "note"],
            "flags": dict(Counter(e.kind for e in kept if e.kind in FLAG_KINDS)),
            "drift_flags": drift.get(label),
        })
    return {
        "scene": scene.id,
        "heading": scene.heading,
        "takes": takes,
        "circled": [t["take"] for t in takes if t["status"] == "circled"],
    }


def _drift_flags_by_take(project, scene) -> dict[str, int]:
    """Drift flags per take label, for takes with a cached analysis (nothing is decoded)."""
    from rehearse.scene_results import scene_drift, scene_results

    results = scene_results(project, scene, cached_only=True)
    if not results.analysed:
        return {}
    counts: dict[str, int] = {result.label: 0 for result in results.analysed}
    for flag in scene_drift(project, scene, results=results).flags:
        if flag.take in counts:
            counts[flag.take] += 1
    return counts


def render_day_markdown(report: dict[str, Any]) -> str:
    """The day's report as Markdown (readable as plain text in a terminal)."""
    lines = [f"# {report['production']}: {report['day']}", ""]
    if not report["scenes"]:
        return "\n".join([*lines, "Nothing was logged on this day.", ""])
    for section in report["scenes"]:
        circled = ", ".join(section["circled"]) or "none"
        lines += [f"## Scene {section['scene']}: {section['heading']}", "",
                  f"{len(section['takes'])} take(s), circled: {circled}", "",
                  "| take | started | TC | status | flags | drift flags | notes |",
                  "|---|---|---|---|---|---|---|"]
        for take in section["takes"]:
            flags = ", ".join(f"{kind.replace('_', ' ')} {n}" for kind, n in sorted(take["flags"].items())) or "-"
            drift = "not analysed" if take["drift_flags"] is None else str(take["drift_flags"])
            notes = "; ".join(f"{n['t_s']:.2f} s {n['text']}" for n in take["notes"]) or "-"
            lines.append(f"| {take['take']} | {take['started']} | {take['timecode'] or '-'} | {take['status']} "
                         f"| {flags} | {drift} | {_cell(notes)} |")
        lines.append("")
    return "\n".join(lines)


def _cell(text: str) -> str:
    return " ".join(text.replace("|", "/").split())
