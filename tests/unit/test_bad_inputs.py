"""The bad-input suite: every command on every kind of bad input (issue 16 item 9).

One table of cases. Each runs a command in-process (through `rehearse.cli.main`, as the console
script does) on a fresh copy of a small production whose takes were analysed once, for real,
by MediaPipe (module fixture). Every case asserts:

- no traceback, whatever happens;
- the exit code: non-zero where the input is bad, 0 where the command must cope;
- one stderr line naming the offending file, variable or argument;
- the user's files byte-identical afterwards (everything in the production but `.rehearse/`,
  and files outside it that a case points at), and special files (FIFOs, links) still what
  they were.

Cases are generated from small tables (take files x commands, outputs x writers, settings x
commands, breakdowns x commands, arguments); `CASES` holds them all and a test asserts the
count stays at 200 or more.
"""

from __future__ import annotations

import hashlib
import os
import random
import shutil
import stat
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

import pytest

GOOD = "takes/good.mp4"
OTHER = "takes/other.mp4"
BAD = "takes/bad.mp4"
SCENE_FILE = "01-room.yaml"
PRODUCTION = (
    "title: Bad Inputs\nfps: 24\ncharacters:\n"
    "  - {id: maya, name: MAYA, actor: Jo Vale, consent: true}\n"
)
SCENE = (
    'id: "01"\nheading: INT. ROOM - DAY\ncharacters: [maya]\n'
    "beats:\n  - {id: b1, summary: Waits.}\n  - {id: b2, summary: Turns.}\n"
    "shots:\n  - {id: 1A, size: CU, subject: maya, beats: [b1, b2]}\n"
    "takes:\n"
    "  - {shot: 1A, number: 1, file: takes/good.mp4, beat_marks: {b1: 0s, b2: 0.5s}}\n"
    "  - {shot: 1A, number: 2, file: {second}}\n"
)


@dataclass(frozen=True)
class Case:
    """One command on one bad input."""

    id: str
    argv: tuple[str, ...]
    """The command line after `rehearse`; `{P}` is the production folder, `{O}` a folder outside it."""
    ok: bool
    """True: the command must cope (exit 0); False: it must fail (exit != 0)."""
    names: str | None
    """Text the stderr line must contain (the file, variable or argument at fault); None: no check."""
    setup: Callable[[Path, Path], None] | None = None
    """Prepares the bad input: (production folder, outside folder)."""
    env: tuple[tuple[str, str], ...] = ()
    """Environment variables for this case."""
    created: tuple[str, ...] = field(default=())
    """Files (relative to the production) the command may create or replace."""
    check: Callable[[Path, Path, str, str], None] | None = None
    """An extra assertion: (production, outside, stdout, stderr)."""


# -- making bad inputs -----------------------------------------------------------------------


def _text(relative: str, content: str | bytes) -> Callable[[Path, Path], None]:
    def make(root: Path, outside: Path) -> None:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        if isinstance(content, bytes):
            path.write_bytes(content)
        else:
            path.write_text(content)
    return make


def _second_take(file: str, make_file: Callable[[Path, Path], None] | None) -> Callable[[Path, Path], None]:
    """The scene's take 1A-2 points at `file`, made by `make_file`."""
    def make(root: Path, outside: Path) -> None:
        (root / SCENE_FILE).write_text(SCENE.replace("{second}", file))
        if make_file is not None:
            make_file(root, outside)
    return make


def _at(relative: str, kind: str) -> Callable[[Path, Path], None]:
    """A bad take file of `kind` at `relative` in the production."""
    def make(root: Path, outside: Path) -> None:
        path = root / relative
        path.parent.mkdir(parents=True, exist_ok=True)
        good = (root / GOOD).read_bytes()
        if kind == "empty":
            path.write_bytes(b"")
        elif kind == "text":
            path.write_text("INT. KITCHEN - NIGHT\nMAYA sits.\n")
        elif kind == "random":
            # Fixed bytes, not os.urandom: FFmpeg's probe takes about 1 random 50 kB file in 700 for
            # a raw H.263 stream and decodes a frame from it (6 of 4000 measured; a CI run met one).
            path.write_bytes(random.Random(0).randbytes(50_000))
        elif kind == "truncated":
            path.write_bytes(good[:1500])
        elif kind == "folder":
            path.mkdir()
        elif kind == "fifo":
            os.mkfifo(path)
        elif kind == "device":
            path.symlink_to("/dev/urandom")
        elif kind == "loop":
            path.symlink_to(path.name)
        elif kind == "dangling":
            path.symlink_to(root / "takes" / "gone.mp4")
        elif kind == "outside":
            (outside / "elsewhere.mp4").write_bytes(good)
            path.symlink_to(outside / "elsewhere.mp4")
        elif kind == "audio_only":
            from tests_support.videos import audio_only

            audio_only(path)
        elif kind != "missing":
            raise ValueError(kind)
    return make


TAKE_KINDS = {
    # kind: (words in the error, does analysis refuse it before decoding?)
    "missing": "not found", "empty": "empty", "text": "not a video", "random": "not a video",
    "truncated": "", "folder": "not a regular video file", "fifo": "not a regular video file",
    "device": "not a regular video file", "loop": "not a regular video file",
    "dangling": "not a regular video file", "audio_only": "no video stream",
}


def _take_cases() -> list[Case]:
    cases = []
    for kind, words in TAKE_KINDS.items():
        made = _at(BAD, kind)
        named = "bad.mp4"
        # named on the command line
        cases += [
            Case(f"analyze-file-{kind}", ("analyze", BAD), False, named, made),
            Case(f"analyze-batch-{kind}", ("analyze", BAD, GOOD), False, named, made,
                 check=lambda root, out, stdout, stderr: _assert_good_take_ran(stdout)),
            Case(f"events-file-{kind}", ("events", BAD), False, named, made),
            Case(f"events-abs-{kind}", ("events", "{P}/" + BAD), False, named, made),
            Case(f"render-file-{kind}", ("render", BAD, "-o", "out.mp4"), False, named, made, created=("out.mp4",)),
            Case(f"drift-files-{kind}", ("drift", "--takes", GOOD, BAD), False, named, made),
        ]
        # named in the breakdown as take 1A-2
        breakdown = _second_take(BAD, made)
        cases += [
            # check does not decode: it names the file when the file itself is not one analysis can open
            Case(f"check-breakdown-{kind}", ("check",), True,
                 "takes/bad.mp4" if kind == "missing" or words.startswith("not a regular") else None, breakdown),
            Case(f"analyze-scene-{kind}", ("analyze", "01"), kind == "missing", named, breakdown,
                 check=lambda root, out, stdout, stderr: _assert_good_take_ran(stdout)),
            Case(f"events-take-{kind}", ("events", "1A-2"), False, named, breakdown),
            Case(f"drift-scene-{kind}", ("drift", "01"), True, None, breakdown),
            Case(f"report-{kind}", ("report", "01", "--format", "json", "-o", "r.json"), True, None, breakdown,
                 created=("r.json",)),
            Case(f"export-{kind}", ("export", "01", "--format", "edl", "-o", "x.edl"), True, None, breakdown,
                 created=("x.edl",)),
        ]
    # a breakdown take outside the production folder
    outside = _second_take(BAD, _at(BAD, "outside"))
    cases += [
        Case("check-breakdown-outside", ("check",), True, "outside the production folder", outside),
        Case("analyze-scene-outside", ("analyze", "01"), False, "outside the production folder", outside),
        Case("events-take-outside", ("events", "01/1A-2"), False, "outside the production folder", outside),
        Case("analyze-dotdot", ("analyze", "01"), False, "outside the production folder",
             _second_take("../outside/elsewhere.mp4", lambda r, o: shutil.copy(r / GOOD, o / "elsewhere.mp4"))),
        Case("analyze-nul-byte", ("analyze", "takes/a\x00b.mp4"), False, "NUL"),
        Case("events-stdin", ("events", "/dev/stdin"), False, "piped input is not supported"),
        Case("events-dash", ("events", "-"), False, "piped input is not supported"),
        Case("analyze-dev-urandom", ("analyze", "/dev/urandom"), False, "not a regular video file"),
        Case("events-dev-zero", ("events", "/dev/zero"), False, "not a regular video file"),
        Case("drift-files-other-missing", ("drift", "--takes", GOOD, "missing.mp4"), False, "missing.mp4"),
        Case("drift-files-reference-missing", ("drift", "--takes", "missing.mp4", GOOD), False, "missing.mp4"),
    ]
    return cases


def _assert_good_take_ran(stdout: str) -> None:
    assert "1A-1" in stdout or "good.mp4" in stdout, f"the good take was not in the results:\n{stdout}"


# -- outputs ---------------------------------------------------------------------------------

WRITERS = {
    "report-html": ("report", "01", "--format", "html", "-o"),
    "report-md": ("report", "01", "--format", "md", "-o"),
    "report-csv": ("report", "01", "--format", "csv", "-o"),
    "report-json": ("report", "01", "--format", "json", "-o"),
    "export-edl": ("export", "01", "--format", "edl", "-o"),
    "export-otio": ("export", "01", "--format", "otio", "-o"),
    "export-ale": ("export", "01", "--format", "ale", "-o"),
    "export-eaf": ("export", "01", "--format", "eaf", "--only", "beats", "-o"),
    "log-export": ("log", "export", "01", "-o"),
    "render": ("render", GOOD, "-o"),
}


def _fifo(relative: str) -> Callable[[Path, Path], None]:
    return lambda root, outside: os.mkfifo(root / relative)


def _link(relative: str, target: str) -> Callable[[Path, Path], None]:
    return lambda root, outside: (root / relative).symlink_to(target)


def _assert_link_kept(root: Path, outside: Path, stdout: str, stderr: str) -> None:
    link = root / "latest.out"
    assert link.is_symlink(), "the symlink was replaced by a file"
    assert (root / "exports" / "real.out").stat().st_size > 0


OUTPUTS = [
    # (id, -o value, setup, ok for text writers, ok for render, names, created)
    ("take-video", GOOD, None, False, False, "good.mp4", ()),
    ("production-yaml", "production.yaml", None, False, False, "production.yaml", ()),
    ("scene-yaml", SCENE_FILE, None, False, False, SCENE_FILE, ()),
    ("rehearse-yaml", "rehearse.yaml", _text("rehearse.yaml", "events: {}\n"), False, False, "rehearse.yaml", ()),
    ("cache-entry", ".rehearse/cache/entry.json", None, False, False, ".rehearse/cache", ()),
    ("database", ".rehearse/rehearse.db", None, False, False, "rehearse.db", ()),
    ("screenplay", "script.fountain", _text("script.fountain", "INT. ROOM - DAY\n"), False, False, "script.fountain", ()),
    ("empty", "", None, False, False, "empty output path", ()),
    ("folder", "takes", None, False, False, "takes", ()),
    ("folder-slash", "takes/", None, False, False, "takes", ()),
    ("fifo", "pipe.out", _fifo("pipe.out"), False, False, "pipe.out", ()),
    ("dev-full", "/dev/full", None, False, False, "/dev/full", ()),
    ("symlink-loop", "loop.out", _link("loop.out", "loop.out"), False, False, "loop.out", ()),
    ("symlink-to-breakdown", "latest.out", _link("latest.out", "production.yaml"), False, False, "latest.out", ()),
    ("parent-is-file", "production.yaml/x.out", None, False, False, "production.yaml", ()),
    ("nul-byte", "a\x00b.out", None, False, False, "NUL", ()),
    ("missing-parent", "new/deeper/out.mp4", None, True, True, None, ("new/deeper/out.mp4",)),
]


def _output_cases() -> list[Case]:
    cases = []
    for writer, argv in WRITERS.items():
        render = writer == "render"
        for name, value, setup, text_ok, render_ok, names, created in OUTPUTS:
            if value.endswith("out.mp4") and not render:
                value = value.replace("out.mp4", "out.txt")
                created = tuple(c.replace("out.mp4", "out.txt") for c in created)
            if writer == "report-md":
                created = (*created, *(str(Path(c).parent / (Path(c).stem + "_files")) for c in created))
            ok = render_ok if render else text_ok
            if writer == "export-eaf" and name.startswith("folder"):
                ok, names = True, None  # -o FOLDER is how EAF writes one file per take
            cases.append(Case(f"{writer}-to-{name}", (*argv, value), ok, names, setup, created=created))
        if not render:
            cases.append(Case(f"{writer}-through-symlink", (*argv, "latest.out"), True, None,
                              lambda root, out: ((root / "exports").mkdir(), (root / "exports" / "real.out").write_text("old"),
                                                 (root / "latest.out").symlink_to("exports/real.out")),
                              created=("exports/real.out", "latest.out_files", "exports/real_files"),
                              check=_assert_link_kept))
    cases += [
        Case("render-no-container", ("render", GOOD, "-o", "out.xyz"), False, "out.xyz"),
        Case("render-no-extension", ("render", GOOD, "-o", "out"), False, "out"),
        Case("render-onto-other-take", ("render", GOOD, "-o", OTHER), False, "other.mp4"),
        Case("render-dev-null", ("render", GOOD, "-o", "/dev/null"), False, "/dev/null"),
        Case("export-edl-dev-null", ("export", "01", "--format", "edl", "-o", "/dev/null"), True, None),
        Case("report-json-dev-null", ("report", "01", "--format", "json", "-o", "/dev/null"), True, None),
        Case("report-md-dev-null", ("report", "01", "--format", "md", "-o", "/dev/null"), False, "/dev/null"),
        Case("export-eaf-dev-null", ("export", "01", "--format", "eaf", "-o", "/dev/null"), False, "/dev/null"),
        Case("export-onto-take-outside", ("export", "01", "--format", "edl", "-o", "{O}/clip.mov"), False, "clip.mov",
             lambda root, outside: (outside / "clip.mov").write_bytes((root / GOOD).read_bytes())),
        Case("report-onto-video-by-content", ("report", "01", "--format", "csv", "-o", "notes.txt"), False, "notes.txt",
             lambda root, outside: (root / "notes.txt").write_bytes((root / GOOD).read_bytes())),
        Case("report-onto-yaml-outside", ("report", "01", "--format", "csv", "-o", "{O}/other.yaml"), False, "other.yaml",
             lambda root, outside: (outside / "other.yaml").write_text("title: x\n")),
        Case("report-into-user-cache", ("report", "01", "--format", "csv", "-o", "{O}/ucache/x.csv"), False, "cache",
             None, env=(("REHEARSE_CACHE_DIR", "{O}/ucache"),)),
    ]
    return cases


# -- settings --------------------------------------------------------------------------------

SETTINGS_COMMANDS = {
    "check": ("check",), "analyze": ("analyze", GOOD), "events": ("events", "1A-1"),
    "report": ("report", "01", "--format", "csv", "-o", "r.csv"), "export": ("export", "01", "--format", "ale", "-o", "x.ale"),
    "drift": ("drift", "01"),
}
SETTINGS = [
    # (id, setup, env, ok, names)
    ("yaml-syntax", _text("rehearse.yaml", "events: [unclosed\n"), (), False, "rehearse.yaml"),
    ("wrong-type", _text("rehearse.yaml", "# comment\nanalysis:\n  max_frame_width: wide\n"), (), False, "rehearse.yaml:3"),
    ("unknown-key", _text("rehearse.yaml", "events:\n  blinkk: {}\n"), (), False, "rehearse.yaml"),
    ("not-a-mapping", _text("rehearse.yaml", "- a\n- b\n"), (), False, "rehearse.yaml"),
    ("binary", _text("rehearse.yaml", b"\xff\xfe\x00garbage"), (), False, "rehearse.yaml"),
    ("folder", lambda r, o: (r / "rehearse.yaml").mkdir(), (), False, "rehearse.yaml"),
    ("device", lambda r, o: (r / "rehearse.yaml").symlink_to("/dev/urandom"), (), False, "rehearse.yaml"),
    ("fifo", lambda r, o: os.mkfifo(r / "rehearse.yaml"), (), False, "rehearse.yaml"),
    ("config-fifo", lambda r, o: os.mkfifo(o / "user.yaml"), (("REHEARSE_CONFIG", "{O}/user.yaml"),), False, "user.yaml"),
    ("config-missing", None, (("REHEARSE_CONFIG", "{O}/nope.yaml"),), False, "nope.yaml"),
    ("config-bad", lambda r, o: (o / "user.yaml").write_text("cache_dir: [1, 2]\n"), (("REHEARSE_CONFIG", "{O}/user.yaml"),),
     False, "user.yaml"),
    ("env-bad-value", None, (("REHEARSE_EVENTS__BLINK__MIN_DURATION_S", "soon"),), False, "REHEARSE_EVENTS__BLINK"),
    ("env-unknown", None, (("REHEARSE_CACHEDIR", "/tmp/x"),), True, "REHEARSE_CACHE_DIR"),
    ("env-cache-empty", None, (("REHEARSE_CACHE_DIR", ""),), True, "REHEARSE_CACHE_DIR"),
    ("env-keymap-digit", None, (("REHEARSE_KEYMAP__MARK_BEAT", "1"),), True, None),
]


def _settings_cases() -> list[Case]:
    cases = []
    for name, setup, env, ok, names in SETTINGS:
        for command, argv in SETTINGS_COMMANDS.items():
            if name == "env-keymap-digit" and command != "check":
                continue
            created = tuple(a for a in argv if a in ("r.csv", "x.ale"))
            cases.append(Case(f"settings-{name}-{command}", argv, ok, names, setup, env=env, created=created))
    cases.append(Case("settings-cache-dir-is-a-file", ("analyze", GOOD, "--force"), True, "analysis not cached",
                      lambda root, outside: (outside / "cachefile").write_text("x"),
                      env=(("REHEARSE_CACHE_DIR", "{O}/cachefile"),)))
    return cases


# -- breakdowns ------------------------------------------------------------------------------

BREAKDOWN_COMMANDS = {
    "check": ("check",), "check-files": ("check", SCENE_FILE), "analyze": ("analyze",), "events": ("events", GOOD),
    "report": ("report", "--all", "--format", "csv", "-o", "r.csv"), "export": ("export", "01", "--format", "edl", "-o", "x.edl"),
    "drift": ("drift", "01"), "actor": ("actor", "list"),
}
BREAKDOWNS = [
    ("production-syntax", _text("production.yaml", "title: [\n"), "production.yaml"),
    ("production-empty", _text("production.yaml", ""), "production.yaml"),
    ("production-binary", _text("production.yaml", b"\x00\x01\x02\xff"), "production.yaml"),
    ("scene-tabs", _text(SCENE_FILE, 'id: "01"\nheading: X\nbeats:\n\t- {id: b1}\n'), SCENE_FILE),
    ("scene-unknown-key", _text(SCENE_FILE, SCENE.replace("{second}", OTHER) + "colour: red\n"), SCENE_FILE),
    ("scene-bomb", _text(SCENE_FILE, "a: &a [x,x,x,x,x,x,x,x,x]\nb: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]\n"
                         "c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]\nd: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]\n"
                         "e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]\nf: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]\n"
                         "g: [*f,*f,*f,*f,*f,*f,*f,*f,*f]\n"), SCENE_FILE),
    ("scene-python-tag", _text(SCENE_FILE, "id: !!python/object/apply:os.system ['true']\n"), SCENE_FILE),
    ("scene-fifo", lambda r, o: ((r / SCENE_FILE).unlink(), os.mkfifo(r / SCENE_FILE)), SCENE_FILE),
    ("scene-device", lambda r, o: ((r / SCENE_FILE).unlink(), (r / SCENE_FILE).symlink_to("/dev/urandom")), SCENE_FILE),
    ("scene-bad-mark", _text(SCENE_FILE, SCENE.replace("{second}", OTHER).replace("b2: 0.5s", "b2: soon")), SCENE_FILE),
]


def _breakdown_cases() -> list[Case]:
    cases = []
    for name, setup, names in BREAKDOWNS:
        for command, argv in BREAKDOWN_COMMANDS.items():
            created = tuple(a for a in argv if a in ("r.csv", "x.edl"))
            cases.append(Case(f"breakdown-{name}-{command}", argv, False, names, setup, created=created))
    gone = lambda root, outside: (root / "production.yaml").unlink()  # noqa: E731
    for command in ("analyze", "report", "export", "drift"):
        cases.append(Case(f"breakdown-no-production-{command}", BREAKDOWN_COMMANDS[command], False,
                          "no production here", gone, created=("r.csv", "x.edl")))
    return cases


# -- arguments -------------------------------------------------------------------------------


def _argument_cases() -> list[Case]:
    cases = []
    for command in ("analyze", "events", "drift", "report", "export", "actor"):
        base = {"analyze": ("analyze",), "events": ("events", "1A-1"), "drift": ("drift", "01"),
                "report": ("report", "01", "-o", "r.csv", "--format", "csv"),
                "export": ("export", "01", "--format", "edl", "-o", "x.edl"), "actor": ("actor", "list")}[command]
        cases.append(Case(f"{command}-project-is-a-file", (*base, "--project", "{P}/" + GOOD), False, "not a folder"))
        cases.append(Case(f"{command}-project-missing", (*base, "--project", "{O}/nowhere"), False, "nowhere"))
    for command, argv in {
        "analyze": ("analyze", "07"), "drift": ("drift", "07"), "report": ("report", "07", "-o", "r.csv"),
        "export": ("export", "07", "--format", "edl", "-o", "x.edl"), "log-export": ("log", "export", "07"),
        "events": ("events", "9Z-9"), "actor-neutral": ("actor", "neutral", "9Z-9", "0", "1"),
        "log-sync": ("log", "sync", "01", "9Z-9", "--offset", "1"),
    }.items():
        cases.append(Case(f"{command}-unknown-name", argv, False, "07" if "07" in argv else "9Z-9"))
    outside_take = "take outside"
    cases += [
        Case("report-scene-twice", ("report", "01", "01", "--format", "json", "-o", "r.json"), True, None,
             created=("r.json",), check=lambda root, out, stdout, stderr: _assert_reported_once(root / "r.json")),
        Case("log-unknown-action", ("log", "frobnicate", "01"), False, "frobnicate"),
        Case("log-without-terminal", ("log", "01"), False, "terminal"),
        Case("actor-neutral-past-the-end", ("actor", "neutral", "1A-1", "0", "99"), False, "after the take"),
        Case("actor-neutral-reversed", ("actor", "neutral", "1A-1", "2", "1"), False, "empty or negative"),
        Case("actor-neutral-bad-time", ("actor", "neutral", "1A-1", "0", "soon"), False, "soon"),
        Case("actor-show-unknown", ("actor", "show", "Nobody"), False, "Nobody"),
        Case("check-missing-path", ("check", "nowhere"), False, "nowhere"),
        Case("open-missing-folder", ("open", "{O}/nowhere"), False, "nowhere"),
        Case("analyze-jobs-zero", ("analyze", "--jobs", "0"), False, "--jobs"),
        Case("render-missing-o", ("render", GOOD), False, "-o"),
        Case("drift-takes-one-file", ("drift", "--takes", GOOD), False, "reference"),
        Case("drift-reference-unknown", ("drift", "01", "--reference", "9Z-9"), False, "9Z-9"),
        Case("drift-scene-and-takes", ("drift", "01", "--takes", GOOD, OTHER), False, "not both"),
        Case("export-unknown-group", ("export", "01", "--format", "edl", "--only", "gossip", "-o", "x.edl"), False, "gossip"),
        Case("log-sync-needs-offset", ("log", "sync", "01", "1A-1"), False, None),
        Case(outside_take.replace(" ", "-"), ("events", "{O}/loose.mp4"), True, None,
             lambda root, outside: shutil.copy(root / GOOD, outside / "loose.mp4")),
    ]
    # one way to name a take: label, scene/label, file from here, from takes/, absolute
    for name, argv, cwd in [
        ("label", ("events", "1A-1"), "."), ("scene-label", ("events", "01/1A-1"), "."),
        ("file", ("events", GOOD), "."), ("from-takes-folder", ("events", "good.mp4"), "takes"),
        ("absolute", ("events", "{P}/" + GOOD), "."), ("relative-to-production", ("events", GOOD, "--project", "{P}"), "{O}"),
        ("render-label", ("render", "1A-1", "-o", "r.mp4"), "."),
        ("neutral-file", ("actor", "neutral", GOOD, "0", "0.5"), "."),
        ("neutral-absolute", ("actor", "neutral", "{P}/" + GOOD, "0", "0.5"), "."),
        ("log-sync-absolute", ("log", "sync", "01", "{P}/" + GOOD, "--offset", "1"), "."),
        ("drift-reference-scene-label", ("drift", "01", "--reference", "01/1A-1"), "."),
        ("drift-reference-absolute", ("drift", "01", "--reference", "{P}/" + GOOD), "."),
        ("drift-reference-from-takes", ("drift", "01", "--reference", "good.mp4"), "takes"),
    ]:
        ok = not name.startswith("log-sync")  # no session logged yet: names the take, then says so
        check = _assert_reference_is_1a1 if name.startswith("drift-reference") else None
        cases.append(Case(f"take-named-{name}", argv, ok, None if ok else "no logged session",
                          _cwd(cwd), created=("r.mp4",), check=check))
    return cases


def _assert_reference_is_1a1(root: Path, outside: Path, stdout: str, stderr: str) -> None:
    assert "reference take 1A-1" in stdout, stdout


def _cwd(where: str) -> Callable[[Path, Path], None] | None:
    return None if where == "." else (lambda root, outside: os.environ.__setitem__("_BAD_INPUT_CWD", where))


def _assert_reported_once(path: Path) -> None:
    import json

    scenes = json.loads(path.read_text())["scenes"]
    assert [s["id"] for s in scenes] == ["01"]


def _import_cases() -> list[Case]:
    def huge(root: Path, outside: Path) -> None:
        (outside / "huge.fountain").write_text("INT. ROOM - DAY\n\n" + "Action line.\n" * 400_000)

    def many(root: Path, outside: Path) -> None:
        (outside / "many.fountain").write_text("".join(f"INT. ROOM {i} - DAY\n\nShe waits.\n\n" for i in range(2100)))

    return [
        Case("import-missing", ("import", "{O}/none.fountain", "-o", "{O}/new"), False, "none.fountain"),
        Case("import-folder", ("import", "{O}", "-o", "{O}/new"), False, "folder"),
        Case("import-fifo", ("import", "{O}/pipe.fountain", "-o", "{O}/new"), False, "pipe.fountain",
             lambda root, outside: os.mkfifo(outside / "pipe.fountain")),
        Case("import-device", ("import", "/dev/urandom", "-o", "{O}/new"), False, "/dev/urandom"),
        Case("import-huge", ("import", "{O}/huge.fountain", "-o", "{O}/new"), False, "huge.fountain", huge),
        Case("import-too-many-scenes", ("import", "{O}/many.fountain", "-o", "{O}/new"), False, "many.fountain", many),
        Case("import-binary", ("import", "{O}/b.fountain", "-o", "{O}/new"), False, "b.fountain",
             lambda root, outside: (outside / "b.fountain").write_bytes(b"\xff\xfe\x00\x81" * 10)),
        Case("import-over-production", ("import", "{P}/script.fountain", "-o", "{P}"), False, "already exists",
             _text("script.fountain", "INT. ROOM - DAY\n\nMAYA\nHello.\n")),
        Case("import-empty-output", ("import", "{P}/script.fountain", "-o", ""), False, "empty output folder",
             _text("script.fountain", "INT. ROOM - DAY\n\nMAYA\nHello.\n")),
        Case("import-into-a-fifo", ("import", "{P}/script.fountain", "-o", "{O}/pipe"), False, "pipe",
             lambda root, outside: ((root / "script.fountain").write_text("INT. ROOM - DAY\n\nMAYA\nHi.\n"),
                                    os.mkfifo(outside / "pipe"))),
        Case("import-into-a-file", ("import", "{P}/script.fountain", "-o", "{P}/" + GOOD), False, "good.mp4",
             _text("script.fountain", "INT. ROOM - DAY\n\nMAYA\nHello.\n")),
    ]


CASES = _take_cases() + _output_cases() + _settings_cases() + _breakdown_cases() + _argument_cases() + _import_cases()


# -- the production, analysed once -----------------------------------------------------------


@pytest.fixture(scope="module")
def analysed(tmp_path_factory) -> Path:
    """A production with two recorded takes of a small real video, analysed by MediaPipe once."""
    from tests_support.videos import textured_frames

    from rehearse.cli import main
    from rehearse.video.writer import write_video

    root = tmp_path_factory.mktemp("bad-inputs") / "film"
    (root / "takes").mkdir(parents=True)
    write_video(root / GOOD, textured_frames(24, 96, 64), fps=24)
    shutil.copy(root / GOOD, root / OTHER)
    (root / "production.yaml").write_text(PRODUCTION)
    (root / SCENE_FILE).write_text(SCENE.replace("{second}", OTHER))
    previous = Path.cwd()
    os.chdir(root)
    try:
        assert main(["analyze"]) == 0
    finally:
        os.chdir(previous)
    return root


def _snapshot(*folders: Path) -> dict[Path, tuple[str, str]]:
    """Every user file: path -> (kind, content hash or link target)."""
    found: dict[Path, tuple[str, str]] = {}
    for folder in folders:
        for dirpath, dirnames, filenames in os.walk(folder):
            dirnames[:] = [d for d in dirnames if d != ".rehearse" and not os.path.islink(os.path.join(dirpath, d))]
            for name in [*filenames, *(d for d in os.listdir(dirpath) if os.path.islink(os.path.join(dirpath, d)))]:
                path = Path(dirpath) / name
                mode = os.lstat(path).st_mode
                if stat.S_ISLNK(mode):
                    found[path] = ("link", os.readlink(path))
                elif stat.S_ISREG(mode):
                    found[path] = ("file", hashlib.sha256(path.read_bytes()).hexdigest())
                else:
                    found[path] = ("special", oct(stat.S_IFMT(mode)))
    return found


@pytest.mark.timeout(120)
@pytest.mark.parametrize("case", CASES, ids=[c.id for c in CASES])
def test_bad_input(case: Case, analysed: Path, tmp_path: Path, monkeypatch, capsys):
    from rehearse.cli import main

    root = tmp_path / "film"
    outside = tmp_path / "outside"
    outside.mkdir()
    shutil.copytree(analysed, root, symlinks=True)
    monkeypatch.setenv("XDG_CONFIG_HOME", str(tmp_path / "config"))
    monkeypatch.setenv("XDG_CACHE_HOME", str(tmp_path / "usercache"))
    for name in [n for n in os.environ if n.startswith("REHEARSE_")]:
        monkeypatch.delenv(name)
    monkeypatch.delenv("_BAD_INPUT_CWD", raising=False)

    def fill(text: str) -> str:
        return text.replace("{P}", str(root)).replace("{O}", str(outside))

    for name, value in case.env:
        monkeypatch.setenv(name, fill(value))
    if case.setup is not None:
        case.setup(root, outside)
    cwd = fill(os.environ.pop("_BAD_INPUT_CWD", "."))
    monkeypatch.chdir(root / cwd if not os.path.isabs(cwd) else cwd)
    before = _snapshot(root, outside)

    try:
        code = main([fill(a) for a in case.argv])
    except SystemExit as exit_:  # argparse usage errors
        code = exit_.code if isinstance(exit_.code, int) else 2
    out, err = capsys.readouterr()

    assert "Traceback" not in out + err, f"traceback:\n{err}"
    if case.ok:
        assert code == 0, f"exit {code}, expected 0:\n{err}"
    else:
        assert code != 0, f"exit 0, expected a failure:\n{out}\n{err}"
    if case.names is not None:
        # problems are one line each: on stderr, or on stdout for `check` (its report is the output)
        lines = [line for line in (err if case.argv[0] != "check" else out + err).splitlines() if fill(case.names) in line]
        assert lines, f"no line names {case.names!r}:\n{out}\n{err}"
    allowed = {root / c for c in case.created}
    after = _snapshot(root, outside)
    for path, was in before.items():
        if path in allowed or any(a in path.parents for a in allowed):
            continue
        assert after.get(path) == was, f"{path} changed: {was} -> {after.get(path)}"
    if case.check is not None:
        case.check(root, outside, out, err)


def test_the_suite_has_two_hundred_cases_or_more():
    assert len(CASES) >= 200, len(CASES)
    assert len({c.id for c in CASES}) == len(CASES), "case ids must be unique"
