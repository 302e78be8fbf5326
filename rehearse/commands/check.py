"""`rehearse check`: validate a production's breakdown files and print one line per problem.

Exit codes: 0 clean (warnings allowed), 1 errors found, 2 usage error (missing path, no
production here, bad --format).
"""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from rehearse.breakdown.folders import PRODUCTION_FILE, find_production_folder
from rehearse.breakdown.loader import load_files, load_project
from rehearse.breakdown.project import Problem, display_path, scene_files_in


def add_arguments(parser: argparse.ArgumentParser) -> None:
    """Arguments of `rehearse check`."""
    parser.add_argument(
        "paths",
        nargs="*",
        metavar="PROJECT_DIR | FILES",
        help="a production folder (holding production.yaml or scenes/production.yaml), or scene "
        "files; default: the production in the current folder",
    )
    parser.add_argument(
        "--format",
        choices=("text", "json"),
        default="text",
        help="text: one compiler-style line per problem (default); json: one object",
    )


def run(args: argparse.Namespace) -> int:
    """Load, check, print; return the exit code."""
    cwd = Path.cwd()
    paths = [Path(p) for p in args.paths]
    missing = [p for p in paths if not p.exists()]
    if missing:
        print(f"rehearse check: usage error: {missing[0]}: no such file or folder", file=sys.stderr)
        return 2
    if not paths:
        root = find_production_folder(cwd)
        if root is None:
            print(
                "rehearse check: usage error: no production.yaml here, in scenes/ or in a parent folder; "
                "give a production folder or scene files (e.g. `rehearse check path/to/production`)",
                file=sys.stderr,
            )
            return 2
        project, problems = load_project(root)
        checked = _files_of(root)
    elif len(paths) == 1 and paths[0].is_dir():
        project, problems = load_project(paths[0])
        checked = _files_of(find_production_folder(paths[0]) or paths[0])
    else:
        project, problems = load_files(paths)
        checked = [f for p in paths for f in (_files_of(find_production_folder(p) or p) if p.is_dir() else [p])]

    problems = problems + _settings_problems(project.root if project is not None else find_production_folder(cwd))
    if project is not None and hasattr(project, "root"):
        from rehearse.breakdown.completeness import still_missing

        problems = [*problems, *still_missing(project)]  # e.g. after `rehearse import`: what to fill in next
    errors = sum(p.is_error for p in problems)
    warnings = len(problems) - errors
    scenes = project.scenes if project is not None else ()
    summary = {
        "files": len(checked),
        "scenes": len(scenes),
        "beats": sum(len(s.beats) for s in scenes),
        "takes": sum(len(s.takes) for s in scenes),
        "errors": errors,
        "warnings": warnings,
    }
    if args.format == "json":
        print(json.dumps(_as_json(problems, summary, cwd), indent=2))
    else:
        for problem in problems:
            print(problem.one_line(relative_to=cwd))
        print(_summary_line(summary, loaded=project is not None))
    return 1 if errors else 0


def _settings_problems(root: Path | None) -> list[Problem]:
    """The user config, the production's rehearse.yaml and REHEARSE_* variables, read as every command reads them."""
    from rehearse.config import load_settings
    from rehearse.errors import RehearseError

    try:
        load_settings(root)
    except RehearseError as error:
        return [Problem("error", error.message + (f" ({error.hint})" if error.hint else ""), error.location)]
    return []


def _summary_line(summary: dict, *, loaded: bool) -> str:
    counts = f"{_plural(summary['errors'], 'error')}, {_plural(summary['warnings'], 'warning')}"
    if not loaded:
        return f"{_plural(summary['files'], 'file')} checked, production not loaded: {counts}"
    return (
        f"{_plural(summary['scenes'], 'scene')}, {_plural(summary['beats'], 'beat')}, "
        f"{_plural(summary['takes'], 'take')}: {counts}"
    )


def _files_of(root: Path) -> list[Path]:
    production = root / PRODUCTION_FILE
    return ([production] if production.is_file() else []) + scene_files_in(root)


def _plural(count: int, noun: str) -> str:
    return f"{count} {noun}" if count == 1 else f"{count} {noun}s"


def _as_json(problems: list[Problem], summary: dict, cwd: Path) -> dict:
    return {
        "ok": summary["errors"] == 0,
        "errors": summary["errors"],
        "warnings": summary["warnings"],
        "problems": [
            {
                "severity": p.severity,
                "file": display_path(Path(p.location.path), cwd) if p.location.path is not None else None,
                "line": p.location.line,
                "column": p.location.column,
                "message": p.message,
            }
            for p in problems
        ],
        "summary": summary,
    }
