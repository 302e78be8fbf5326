"""The report as Markdown (with PNGs beside it), as flat CSV rows, and as JSON."""

from __future__ import annotations

import csv
import io
import json
from pathlib import Path

from rehearse.report.build import Report

CSV_COLUMNS = ("scene", "take", "section", "beat", "kind", "start_s", "value", "message")


def _md(text: object) -> str:
    # Markdown table cells: no pipes or line breaks; keep user text literal.
    return str("" if text is None else text).replace("|", "\\|").replace("\n", " ")


def render_markdown(report: Report, image_dir: Path, link_base: str) -> str:
    """Markdown text; pictures are written into `image_dir` and linked as `link_base/<id>.png`."""
    from rehearse.export.files import write_bytes_atomic

    for image_id, data in report.images.items():
        write_bytes_atomic(image_dir / f"{image_id}.png", data)
    data = report.data
    lines = [f"# {_md(data['production'])}: continuity report", "", f"Generated {data['generated_at']} by rehearse.", ""]
    if data.get("note"):
        lines += [f"**Note:** {_md(data['note'])}", ""]
    for scene in data["scenes"]:
        lines += [f"## Scene {_md(scene['id'])}: {_md(scene['heading'])}", "", "| take | status | duration (s) | events | notes |",
                  "|---|---|---|---|---|"]
        lines += [f"| {_md(t['take'])} | {_md(t['status'])} | {t['duration_s']:.2f} | {t['events']} | {_md(t['problem'] or t['notes'])} |"
                  for t in scene["takes"]]
        lines += ["", "### Holds against targets", "", "| beat | take | longest hold (s) | against target |", "|---|---|---|---|"]
        for beat in scene["beats"]:
            for t in beat["takes"]:
                hold = "-" if t["longest_hold_s"] is None else f"{t['longest_hold_s']:.2f}"
                lines.append(f"| {_md(beat['id'])} | {_md(t['take'])} | {hold} | {_md(t['hold_verdict'] or '-')} |")
        lines += ["", "### Flags", ""]
        for flag in scene["flags"] + scene["wardrobe"]:
            lines.append(f"- **{_md(flag['kind'])}** ({_md(flag['severity'])}): {_md(flag['message'])}")
            if flag.get("still"):
                lines.append(f"  ![{_md(flag['kind'])}]({link_base}/{flag['still']}.png)")
        if not scene["flags"] and not scene["wardrobe"]:
            lines.append("No flags." if scene["drift_checked"] else "Drift not checked.")
        lines += ["", "### Signals", ""]
        lines += [f"![signals {t['take']}]({link_base}/{t['plot']}.png)" for t in scene["takes"] if t["plot"]]
        lines.append("")
    lines += _actor_markdown(data.get("actors", []))
    return "\n".join(lines)


def _actor_markdown(actors: list[dict]) -> list[str]:
    """The actors section (rehearse/profiles/sections.py): figures by scene and partner, baselines, outliers."""
    lines = ["## Actors", ""] if actors else []
    for actor in actors:
        lines += [f"### {_md(actor['actor'])} as {_md(actor['character_name'])}", ""]
        if actor.get("refused") or not actor.get("takes"):
            lines += [_md(actor.get("refused") or "No analysed takes."), ""]
            continue
        lines += ["| over | takes | blinks/min | median hold (s) | median reply latency (s) |", "|---|---|---|---|---|"]
        for row in actor["figures"]:
            cells = [row["blink_rate_per_min"], row["hold_median_s"], row["latency_median_s"]]
            lines.append(f"| {_md(row['over'])} | {row['takes']} | "
                         + " | ".join("-" if c is None else f"{c:.2f}" for c in cells) + " |")
        lines += ["", "| take | scene | baseline |", "|---|---|---|"]
        lines += [f"| {_md(t['take'])} | {_md(t['scene'])} | {_md(t['baseline'])} |" for t in actor["takes"]]
        lines += [""] + [f"- **profile** ({_md(f['severity'])}): {_md(f['message'])}" for f in actor["flags"]] + [""]
    return lines


def csv_rows(report: Report) -> list[dict]:
    rows = []
    for scene in report.data["scenes"]:
        for beat in scene["beats"]:
            for t in beat["takes"]:
                rows.append({"scene": scene["id"], "take": t["take"], "section": "hold", "beat": beat["id"],
                             "kind": "longest_hold_s", "start_s": "", "value": t["longest_hold_s"],
                             "message": t["hold_verdict"] or ""})
        for r in scene["latencies"]:
            rows.append({"scene": scene["id"], "take": r["take"], "section": "latency", "beat": r["beat"] or "",
                         "kind": "latency_s", "start_s": r["at_s"], "value": r["latency_s"], "message": ""})
        for flag in scene["flags"] + scene["wardrobe"]:
            rows.append({"scene": scene["id"], "take": flag["take"] or "", "section": "flag", "beat": flag["beat"] or "",
                         "kind": flag["kind"], "start_s": flag["take_s"] if flag["take_s"] is not None else "",
                         "value": flag["severity"], "message": flag["message"]})
    return rows


def render_csv(report: Report) -> str:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(csv_rows(report))
    return buffer.getvalue()


def render_json(report: Report) -> str:
    return json.dumps({**report.data, "warnings": report.warnings}, indent=2, default=str) + "\n"
