"""The report as one self-contained HTML file: inline CSS, inline PNGs, every user text escaped."""

from __future__ import annotations

import base64
from html import escape
from typing import Any

from rehearse.breakdown.timecode import rate_or_count
from rehearse.report.build import Report

CSS = """
body { font: 15px/1.5 system-ui, sans-serif; margin: 2rem auto; max-width: 72rem; color: #222; padding: 0 1rem; }
h1 { font-size: 1.7rem; margin-bottom: .25rem; } h2 { border-bottom: 2px solid #ccc; margin-top: 2.5rem; }
h3 { margin-top: 1.5rem; }
table { border-collapse: collapse; margin: .5rem 0 1rem; } th, td { border: 1px solid #ddd; padding: .25rem .5rem; text-align: left; vertical-align: top; }
th { background: #f4f4f4; } .muted { color: #666; } .high { color: #b00020; font-weight: 700; } .medium { color: #b35c00; font-weight: 700; }
.low { color: #555; font-weight: 700; }
.summary { background: #f7f7f2; border: 1px solid #ddd; padding: .75rem 1rem; margin: 1rem 0; }
.summary p { margin: .2rem 0; } .summary ol { margin: .3rem 0 .2rem; padding-left: 1.4rem; }
.flag { border-left: 4px solid #b00020; padding: .25rem .75rem; margin: .75rem 0; background: #fff7f7; }
.flag.sev-medium { border-color: #b35c00; background: #fffaf3; } .flag.sev-low { border-color: #999; background: #fafafa; }
details { margin: .25rem 0 .5rem; } summary { cursor: pointer; color: #555; }
img { max-width: 100%; } .circled { font-weight: 600; } tr.beat td { background: #fafafa; font-weight: 600; }
"""
SEVERITIES = ("high", "medium", "low")


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


def _details(title: str, body: str) -> str:
    """Raw figures a director rarely needs, folded away."""
    return f"<details><summary>{_e(title)}</summary>{body}</details>"


def _flag_id(scene: dict, index: int) -> str:
    return f"flag-{scene['id']}-{index}"


def _all_flags(scene: dict) -> list[dict]:
    order = {name: i for i, name in enumerate(SEVERITIES)}
    return sorted(scene["flags"] + scene["wardrobe"], key=lambda f: order.get(f["severity"], len(order)))


def _at(flag: dict) -> str:
    if flag.get("take_s") is None:
        return ""
    tc = f", TC {flag['take_tc']}" if flag.get("take_tc") else ""
    return f" at {flag['take_s']:.2f} s{tc}"


def _summary_parts(data: dict) -> list[str]:
    """The first thing a director reads: per scene its takes, the circled take and the flags, one line each."""
    parts = ["<section class=summary id=summary><h2 style='margin-top:0;border:0'>Summary</h2>"]
    for scene in data["scenes"]:
        takes = scene["takes"]
        circled = [t["take"] for t in takes if t["status"] == "circled"]
        flags = _all_flags(scene)
        counts = ", ".join(f"<span class={s}>{sum(f['severity'] == s for f in flags)} {s}</span>"
                           for s in SEVERITIES if any(f["severity"] == s for f in flags))
        parts.append(f"<p><b><a href='#scene-{_e(scene['id'])}'>Scene {_e(scene['id'])}</a></b>: {_e(scene['heading'])}</p>")
        listed = ", ".join(f"{t['take']} {t['status']}" for t in takes)
        parts.append(f"<p>Takes: {len(takes)} ({_e(listed)})</p>")
        parts.append(f"<p>Circled: {_e(', '.join(circled) or 'none')}"
                     + (f"; reference for drift: {_e(scene['reference'])}" if scene["reference"] else "") + "</p>")
        if not scene["drift_checked"]:
            parts.append("<p>Flags: drift not checked (no analysed takes to compare)</p>")
        elif not flags:
            parts.append("<p>Flags: none</p>")
        else:
            parts.append(f"<p>Flags: {counts}</p><ol>")
            for index, flag in enumerate(flags):
                parts.append(f"<li><span class={_e(flag['severity'])}>{_e(flag['severity'])}</span> "
                             f"<a href='#{_flag_id(scene, index)}'>{_e(flag['take'] or '')} {_e(flag['kind'].replace('_', ' '))}"
                             f"{_e(_at(flag))}</a>: {_e(flag['message'])}</li>")
            parts.append("</ol>")
    parts.append("</section>")
    return parts


def _flag_parts(report: Report, scene: dict) -> list[str]:
    parts = ["<h3>Continuity flags</h3>"]
    if not scene["drift_checked"]:
        parts.append("<p class=muted>Drift not checked: no analysed takes to compare.</p>")
    elif not scene["flags"]:
        parts.append(f"<p>No drift against reference take {_e(scene['reference'])}.</p>")
    for index, flag in enumerate(_all_flags(scene)):
        values = _table(["figure", "value"], [[k.replace("_", " "), v] for k, v in flag["values"].items()])
        parts.append(f"<div class='flag sev-{_e(flag['severity'])}' id={_flag_id(scene, index)}>"
                     f"<p><span class={_e(flag['severity'])}>{_e(flag['severity'])}</span> "
                     f"<b>{_e(flag['kind'].replace('_', ' '))}</b> take {_e(flag['take'] or '-')}{_e(_at(flag))}, "
                     f"beat {_e(flag['beat'] or '-')}: {_e(flag['message'])}</p>"
                     f"{_img(report, flag.get('still'), flag['message'])}"
                     f"{_details('measured values', values)}</div>")
    return parts


def _beat_parts(scene: dict) -> list[str]:
    """One table: each beat (its target hold) and under it each take's figures."""
    rows = []
    for beat in scene["beats"]:
        target = ("" if beat["target_hold_s"] is None
                  else f" target hold {beat['target_hold_s']:.2f} s ± {beat['tolerance_s']:.2f} s")
        rows.append(f"<tr class=beat><td colspan=5>{_e(beat['id'])}: {_e(beat['summary'])}{_e(target)}</td></tr>")
        for t in beat["takes"]:
            blinks = rate_or_count(t["blinks"], t["span_s"], "blink") if t.get("span_s") is not None else t["blinks"]
            cells = [t["take"], blinks, _seconds(t["longest_hold_s"]), t["hold_verdict"] or "-",
                     ", ".join(f"{x:.2f} s" for x in t["latencies_s"]) or "-"]
            rows.append("<tr>" + "".join(f"<td>{_e(c)}</td>" for c in cells) + "</tr>")
    head = "".join(f"<th>{h}</th>" for h in ("take", "blinks", "longest hold", "against target", "reply after cue"))
    return ["<h3>Beats</h3>", f"<table><thead><tr>{head}</tr></thead><tbody>{''.join(rows)}</tbody></table>"]


def _take_parts(scene: dict) -> list[str]:
    """Takes with their camera report (roll, lens, frame rate, start timecode)."""
    rows = []
    for t in scene["takes"]:
        camera = t.get("camera") or {}
        lens = f"{camera['lens_mm']:g} mm" if camera.get("lens_mm") else "-"
        rate = f"{camera['frame_rate']:g} fps" if camera.get("frame_rate") else "-"
        rows.append([t["take"], t["status"], _seconds(t["duration_s"]), camera.get("camera") or "-",
                     camera.get("roll") or "-", camera.get("sound_roll") or "-", camera.get("start_timecode") or "-",
                     f"{camera.get('shot_size') or '-'} {lens}", rate,
                     "; ".join(x for x in (t["problem"] or t["notes"], camera.get("notes")) if x) or "-"])
    raw = _table(["take", "face found in", "events", "beat marks from", "file"], [
        [t["take"], "-" if t["face_coverage"] is None else f"{100 * t['face_coverage']:.0f} % of frames",
         t["events"], t["beat_marks_from"], t["file"]] for t in scene["takes"]])
    return ["<h3>Takes and camera report</h3>",
            _table(["take", "status", "length", "camera", "roll", "sound roll", "start TC", "shot, lens",
                    "frame rate", "notes"], rows),
            _details("analysis details per take", raw)]


def _notes_parts(scene: dict) -> list[str]:
    """Wardrobe, makeup and blocking from the breakdown."""
    parts = []
    for title, key in (("Wardrobe", "wardrobe_items"), ("Makeup", "makeup_items")):
        items = scene.get(key) or []
        if items:
            parts.append(f"<h3>{title}</h3>")
            parts.append(_table(["character", "item", "state", "changes"], [
                [c["character"], c["item"], c["state"],
                 (f"to {c['new_state']} at {c['changes_at']}" if c["changes_at"] else "")
                 + (" (changed on purpose)" if c["changed_on_purpose"] else "") or "-"] for c in items]))
    blocking = scene.get("blocking") or {}
    if any(blocking.get(k) for k in ("marks", "moves", "leans")):
        parts.append("<h3>Blocking</h3>")
        if blocking["marks"]:
            parts.append(_table(["mark", "where"], [[m["id"], m["description"]] for m in blocking["marks"]]))
        moves = [[m["beat"], m["character"], f"{m['from_mark'] or '?'} to {m['to_mark'] or '?'}", m["description"]]
                 for m in blocking["moves"]]
        moves += [[lean["beat"], lean["character"], f"leans {lean['direction']} {lean['target'] or ''}".strip(),
                   f"{lean['degrees']:g} deg" if lean["degrees"] is not None else ""] for lean in blocking["leans"]]
        if moves:
            parts.append(_table(["beat", "who", "move", "notes"], moves))
    return parts


def render_html(report: Report) -> str:
    data = report.data
    parts = [f"<!doctype html><html lang=en><head><meta charset=utf-8><title>{_e(data['production'])} - continuity report</title>",
             f"<style>{CSS}</style></head><body>",
             f"<h1>{_e(data['production'])}: continuity report</h1>",
             f"<p class=muted>Generated {_e(data['generated_at'])} by rehearse. Times are seconds from each take's first frame "
             "(TC: the camera's timecode from the camera report); measurements are geometry and timing, not emotions.</p>"]
    if data.get("note"):
        parts.append(f"<p><strong>Note:</strong> {_e(data['note'])}</p>")
    parts += _summary_parts(data)
    for scene in data["scenes"]:
        parts.append(f"<h2 id='scene-{_e(scene['id'])}'>Scene {_e(scene['id'])}: {_e(scene['heading'])}</h2>")
        if scene["synopsis"]:
            parts.append(f"<p>{_e(scene['synopsis'])}</p>")
        parts += _flag_parts(report, scene)
        plots = [_img(report, take["plot"], f"signals of take {take['take']}") for take in scene["takes"]]
        if any(plots):
            parts.append("<h3>Signals, each take over the circled one</h3>")
            parts += [p for p in plots if p]
        parts += _take_parts(scene)
        parts += _beat_parts(scene)
        if scene["latencies"]:
            parts.append(_details("every cue-to-reply latency", _table(["take", "beat", "at", "reply after cue"], [
                [r["take"], r["beat"] or "-", _seconds(r["at_s"]), _seconds(r["latency_s"])] for r in scene["latencies"]])))
        parts += _notes_parts(scene)
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
        parts.append(_table(["over", "takes", "blinks", "median hold", "median reply latency", "expressions/min",
                             "lean", "shoulder turn"], [
            [r["over"], r["takes"], "-" if r["blink_rate_per_min"] is None
             else rate_or_count(r["blinks"], 60 * r["minutes"], "blink"),
             _seconds(r["hold_median_s"]), _seconds(r["latency_median_s"]),
             ", ".join(f"{k.replace('_', ' ')} {v:.1f}" for k, v in r["expressions_per_min"].items()) or "-",
             "-" if r["lean_deg"] is None else f"{r['lean_deg']:+.0f} deg",
             "-" if r["shoulder_turn_deg"] is None else f"{r['shoulder_turn_deg']:+.0f} deg"] for r in actor["figures"]]))
        if actor["gestures"]:
            parts.append(_table(["gesture", "side", "times", "beats"], [
                [g["label"], g["side"] or "-", g["count"], ", ".join(g["beats"]) or "-"] for g in actor["gestures"]]))
        parts.append(_table(["take", "scene", "blinks", "holds", "baseline"], [
            [t["take"], t["scene"], rate_or_count(t["blinks"], t["duration_s"], "blink") if "blinks" in t
             else t["blink_rate_per_min"], t["holds"], t["baseline"]] for t in actor["takes"]]))
        for flag in actor["flags"]:
            parts.append(f"<div class=flag><p><span class={_e(flag['severity'])}>{_e(flag['severity'])}</span> "
                         f"<b>profile</b>: {_e(flag['message'])}</p></div>")
        for line in actor["skipped"]:
            parts.append(f"<p class=muted>Skipped {_e(line)}</p>")
    return parts
