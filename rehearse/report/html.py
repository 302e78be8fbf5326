"""The report as one self-contained HTML file: inline CSS, inline PNGs, every user text escaped."""

from __future__ import annotations

import base64
from html import escape
from typing import Any

from rehearse.report.build import Report

CSS = """
body { font: 14px/1.45 system-ui, sans-serif; margin: 2rem auto; max-width: 70rem; color: #222; }
h1 { font-size: 1.6rem; } h2 { border-bottom: 2px solid #ccc; margin-top: 2.5rem; } h3 { margin-top: 1.5rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; } th, td { border: 1px solid #ddd; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } .muted { color: #777; } .high { color: #b00020; font-weight: 600; } .medium { color: #b35c00; }
.flag { border-left: 4px solid #b00020; padding: .25rem .75rem; margin: .75rem 0; background: #fff7f7; }
img { max-width: 100%; } .circled { font-weight: 600; }
"""


def _e(value: Any) -> str:
    return escape("" if value is None else str(value), quote=True)


def _img(report: Report, image_id: str | None, alt: str) -> str:
    if not image_id or image_id not in report.images:
        return ""
    data = base64.b64encode(report.images[image_id]).decode("ascii")
    return f'<img alt="{_e(alt)}" src="data:image/png;base64,{data}">'


def _table(headers: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in headers)
    body = "".join("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in row) + "</tr>" for row in rows)
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _seconds(value: float | None) -> str:
    return "-" if value is None else f"{value:.2f} s"


def render_html(report: Report) -> str:
    data = report.data
    parts = [f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{_e(data['production'])} - continuity report</title>",
             f"<style>{CSS}</style></head><body>",
             f"<h1>{_e(data['production'])}: continuity report</h1>",
             f"<p class=muted>Generated {_e(data['generated_at'])} by rehearse. Times are seconds from each take's first frame; "
             "measurements are geometry and timing, not emotions.</p>"]
    if data.get("note"):
        parts.append(f"<p><strong>Note:</strong> {_e(data['note'])}</p>")
    for scene in data["scenes"]:
        parts.append(f"<h2>Scene {_e(scene['id'])}: {_e(scene['heading'])}</h2>")
        if scene["synopsis"]:
            parts.append(f"<p>{_e(scene['synopsis'])}</p>")
        parts.append("<h3>Takes</h3>")
        parts.append(_table(["take", "status", "duration", "face coverage", "events", "beat marks", "notes"], [
            [t["take"], t["status"], _seconds(t["duration_s"]),
             "-" if t["face_coverage"] is None else f"{100 * t['face_coverage']:.0f} %",
             t["events"], t["beat_marks_from"], t["problem"] or t["notes"]] for t in scene["takes"]]))
        parts.append("<h3>Beats: holds against their targets</h3>")
        for beat in scene["beats"]:
            target = "" if beat["target_hold_s"] is None else f" (target hold {beat['target_hold_s']:.2f} s ± {beat['tolerance_s']:.2f} s)"
            parts.append(f"<p><b>{_e(beat['id'])}</b>: {_e(beat['summary'])}{_e(target)}</p>")
            if beat["takes"]:
                parts.append(_table(["take", "blinks", "blinks/min", "longest hold", "against target", "reply latency"], [
                    [t["take"], t["blinks"], t["blink_rate_per_min"], _seconds(t["longest_hold_s"]),
                     t["hold_verdict"] or "-", ", ".join(f"{x:.2f} s" for x in t["latencies_s"]) or "-"]
                    for t in beat["takes"]]))
        parts.append("<h3>Cue-to-reply latencies</h3>")
        parts.append(_table(["take", "beat", "at", "latency"], [
            [r["take"], r["beat"] or "-", _seconds(r["at_s"]), f"{1000 * r['latency_s']:.0f} ms"] for r in scene["latencies"]])
            if scene["latencies"] else "<p class=muted>No replies measured (no speech found, or no cue).</p>")
        parts.append("<h3>Continuity flags</h3>")
        if not scene["drift_checked"]:
            parts.append("<p class=muted>Drift not checked: no analysed takes to compare.</p>")
        elif not scene["flags"]:
            parts.append(f"<p>No drift against reference take {_e(scene['reference'])}.</p>")
        for flag in scene["flags"] + scene["wardrobe"]:
            values = ", ".join(f"{k} {v}" for k, v in flag["values"].items())
            parts.append(f"<div class=flag><p><span class={_e(flag['severity'])}>{_e(flag['severity'])}</span> "
                         f"<b>{_e(flag['kind'])}</b> beat {_e(flag['beat'] or '-')}: {_e(flag['message'])}</p>"
                         f"<p class=muted>{_e(values)}</p>{_img(report, flag.get('still'), flag['message'])}</div>")
        parts.append("<h3>Signals</h3>")
        for take in scene["takes"]:
            parts.append(_img(report, take["plot"], f"signals of take {take['take']}"))
        if scene["log"]:
            parts.append("<h3>Rehearsal log</h3>")
            parts.append(_table(["take", "time", "beat", "entry", "text"], [
                [r["take"], _seconds(r["t_s"]), r["beat"] or "-", r["kind"], r["text"]] for r in scene["log"]]))
    parts += _actor_parts(data.get("actors", []))
    parts.append("</body></html>\n")
    return "\n".join(parts)


def _actor_parts(actors: list[dict]) -> list[str]:
    """The actors section: each actor's figures by scene and partner, gestures, baselines, outliers."""
    if not actors:
        return []
    parts = ["<h2>Actors</h2>", "<p class=muted>Each actor's figures over the analysed takes of their character in this "
             "report, by scene and by scene partner; a take far outside the actor's other takes is flagged.</p>"]
    for actor in actors:
        parts.append(f"<h3>{_e(actor['actor'])} as {_e(actor['character_name'])}</h3>")
        if actor.get("refused"):
            parts.append(f"<p class=muted>{_e(actor['refused'])}</p>")
            continue
        if not actor["takes"]:
            parts += [f"<p class=muted>Skipped {_e(line)}</p>" for line in actor["skipped"]] or ["<p class=muted>No analysed takes.</p>"]
            continue
        low, high = actor["conversational_blink_range_per_min"]
        parts.append(f"<p class=muted>Blink rates in conversation are usually {low:.0f}-{high:.0f} per minute.</p>")
        parts.append(_table(["over", "takes", "blinks/min", "median hold", "median reply latency", "expressions/min",
                             "lean", "shoulder turn"], [
            [r["over"], r["takes"], "-" if r["blink_rate_per_min"] is None else f"{r['blink_rate_per_min']:.1f}",
             _seconds(r["hold_median_s"]), _seconds(r["latency_median_s"]),
             ", ".join(f"{k.replace('_', ' ')} {v:.1f}" for k, v in r["expressions_per_min"].items()) or "-",
             "-" if r["lean_deg"] is None else f"{r['lean_deg']:+.0f} deg",
             "-" if r["shoulder_turn_deg"] is None else f"{r['shoulder_turn_deg']:+.0f} deg"] for r in actor["figures"]]))
        if actor["gestures"]:
            parts.append(_table(["gesture", "side", "times", "beats"], [
                [g["label"], g["side"] or "-", g["count"], ", ".join(g["beats"]) or "-"] for g in actor["gestures"]]))
        parts.append(_table(["take", "scene", "blinks/min", "holds", "baseline"], [
            [t["take"], t["scene"], t["blink_rate_per_min"], t["holds"], t["baseline"]] for t in actor["takes"]]))
        for flag in actor["flags"]:
            parts.append(f"<div class=flag><p><span class={_e(flag['severity'])}>{_e(flag['severity'])}</span> "
                         f"<b>profile</b>: {_e(flag['message'])}</p></div>")
        for line in actor["skipped"]:
            parts.append(f"<p class=muted>Skipped {_e(line)}</p>")
    return parts
