"""Write a report to a file: what `rehearse report` and the app's `report: open` both call."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

FORMATS = ("html", "md", "csv", "json")


@dataclass(frozen=True)
class WrittenReport:
    """A report on disk."""

    path: Path
    scenes: int
    flags: int
    """Drift and wardrobe flags across the report's scenes."""
    warnings: list[str] = field(default_factory=list)

    @property
    def summary(self) -> str:
        return f"wrote {self.path}: {self.scenes} scene(s), {self.flags} flag(s)"


def write_report(project, scenes, output: Path, fmt: str = "html", *, progress: Callable | None = None,
                 should_stop: Callable[[], bool] | None = None) -> WrittenReport:
    """Measure the scenes (from cache when possible), render the report in `fmt` and write it atomically."""
    from rehearse.export.files import check_output, write_text_atomic
    from rehearse.report.build import build_report

    output = Path(output)
    check_output(output, with_siblings=fmt == "md")  # refused before minutes of analysis, not after (CLI and app)
    report = build_report(project, scenes, images=fmt in ("html", "md"), progress=progress, should_stop=should_stop)
    if fmt == "html":
        from rehearse.report.html import render_html

        text = render_html(report)
    elif fmt == "md":
        from rehearse.report.tables import render_markdown

        image_dir = output.with_name(output.stem + "_files")
        text = render_markdown(report, image_dir, image_dir.name)
    elif fmt == "csv":
        from rehearse.report.tables import render_csv

        text = render_csv(report)
    else:
        from rehearse.report.tables import render_json

        text = render_json(report)
    write_text_atomic(output, text)
    flags = sum(len(s["flags"]) + len(s["wardrobe"]) for s in report.data["scenes"])
    return WrittenReport(output, len(scenes), flags, list(report.warnings))
