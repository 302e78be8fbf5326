"""`rehearse report` on a production with a real recorded take: self-contained, escaped, parseable."""

from __future__ import annotations

import base64
import csv
import io
import json
import os
import re
import shutil
import subprocess
import sys
from html.parser import HTMLParser

import pytest

pytestmark = pytest.mark.models

PRODUCTION = """\
title: "Report <test> & co"
fps: 30
characters: [{id: dev, name: DEV, actor: "Sam <b>Lee</b>", consent: true}]
"""
SCENE = """\
id: "01"
heading: INT. HALLWAY - DAY
characters: [dev]
synopsis: "Dev smiles. [bold]not markup[/bold]"
beats:
  - {id: b1, summary: "He waits", hold: {duration: 0.5s, tolerance: 0.2s}}
  - {id: b2, summary: "He smiles <script>alert('beat')</script>"}
shots: [{id: 1A, size: CU, subject: dev, beats: [b1, b2]}]
takes:
  - shot: 1A
    number: 1
    file: takes/t1.mp4
    status: circled
    beat_marks: {b1: 0s, b2: 0.8s}
    notes: "<script>alert('xss')</script> & the cup moved"
"""


@pytest.fixture(scope="module")
def production(tmp_path_factory, shared_clips_dir):
    root = tmp_path_factory.mktemp("report")
    (root / "production.yaml").write_text(PRODUCTION)
    (root / "01.yaml").write_text(SCENE)
    (root / "takes").mkdir()
    shutil.copy(shared_clips_dir / "single_face.mp4", root / "takes" / "t1.mp4")
    return root


@pytest.fixture(scope="module")
def shared_clips_dir():
    from tests_support import shared_clips_or_skip

    return shared_clips_or_skip()


def _report(root, fmt, out):
    return subprocess.run(
        [sys.executable, "-m", "rehearse", "report", "01", "--format", fmt, "-o", str(out), "--project", str(root)],
        capture_output=True, text=True, timeout=600, env={**os.environ, "REHEARSE_CACHE_DIR": str(root / ".cache")},
    )


class _Collector(HTMLParser):
    def __init__(self):
        super().__init__()
        self.scripts = 0
        self.images: list[str] = []
        self.text: list[str] = []

    def handle_starttag(self, tag, attrs):
        self.scripts += tag == "script"
        if tag == "img":
            self.images.append(dict(attrs)["src"])

    def handle_data(self, data):
        self.text.append(data)


def test_html_is_self_contained_and_user_text_stays_text(production, tmp_path):
    done = _report(production, "html", tmp_path / "r.html")
    assert done.returncode == 0, done.stderr
    html = (tmp_path / "r.html").read_text()
    parsed = _Collector()
    parsed.feed(html)
    assert parsed.scripts == 0, "a <script> in a note must stay text"
    text = "".join(parsed.text)
    assert "<script>alert('xss')</script> & the cup moved" in text
    assert "[bold]not markup[/bold]" in text
    assert parsed.images, "the report carries its signal plot"
    for src in parsed.images:
        assert src.startswith("data:image/png;base64,")
        assert base64.b64decode(src.split(",", 1)[1])[:8] == b"\x89PNG\r\n\x1a\n"
    assert not re.search(r"""(src|href)=["']?(https?:|//|file:)""", html), "no external resources"
    assert "hold" in text and "b1" in text


def test_csv_and_json_read_back(production, tmp_path):
    done = _report(production, "csv", tmp_path / "r.csv")
    assert done.returncode == 0, done.stderr
    rows = list(csv.DictReader(io.StringIO((tmp_path / "r.csv").read_text())))
    holds = [r for r in rows if r["section"] == "hold"]
    assert {r["beat"] for r in holds} == {"b1", "b2"}
    done = _report(production, "json", tmp_path / "r.json")
    document = json.loads((tmp_path / "r.json").read_text())
    scene = document["scenes"][0]
    assert scene["takes"][0]["take"] == "1A-1" and scene["takes"][0]["face_coverage"] > 0.9
    assert [b["id"] for b in scene["beats"]] == ["b1", "b2"]


def test_markdown_writes_its_pictures_beside_it(production, tmp_path):
    done = _report(production, "md", tmp_path / "r.md")
    assert done.returncode == 0, done.stderr
    text = (tmp_path / "r.md").read_text()
    links = re.findall(r"\]\((r_files/[^)]+\.png)\)", text)
    assert links and all((tmp_path / link).exists() for link in links)
