"""`rehearse watch --record` with --scene/--take-as: a SIGKILL mid-take leaves a playable recording up to the last
second, the take in the scene YAML (comments kept) and the log linked to it."""

from __future__ import annotations

import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from pathlib import Path

import pytest
from tests_support import SAMPLE_PRODUCTION
from tests_support.live_stream import UdpSender, free_udp_port, wait_until_bound

REPO = Path(__file__).resolve().parents[2]
TAKE = SAMPLE_PRODUCTION / "takes" / "01-1A-2.mp4"


def production_copy(tmp_path: Path) -> Path:
    root = tmp_path / "production"
    shutil.copytree(SAMPLE_PRODUCTION, root, ignore=shutil.ignore_patterns("*.mp4", "*.ts", ".rehearse"))
    return root


def watch(root: Path, port: int, *extra: str) -> subprocess.Popen:
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    return subprocess.Popen([sys.executable, "-m", "rehearse", "watch", f"udp://127.0.0.1:{port}", "--no-ui", *extra],
                            cwd=root, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.mark.slow
@pytest.mark.parametrize("suffix", [".ts", ".mp4"])
def test_a_killed_recording_plays_to_its_last_second_and_the_take_is_in_the_breakdown(tmp_path, suffix):
    import av

    root = production_copy(tmp_path)
    scene_file = root / "01-kitchen-night.yaml"
    before = scene_file.read_text()
    port = free_udp_port()
    extra = ("--record", "takes/01-1A-9.mp4") if suffix == ".mp4" else ()  # default: takes/SCENE-SHOT-N.ts
    watcher = watch(root, port, "--scene", "01", "--take-as", "1A-9", "--give-up", "30", *extra)
    wait_until_bound(port, lambda: watcher.poll() is None)
    deadline = time.monotonic() + 120
    sender = UdpSender(TAKE, port).start()
    while sender.frames_sent < 24 * 4:  # four seconds on the wire
        assert sender.error is None and time.monotonic() < deadline
        time.sleep(0.02)
    sent_s = sender.frames_sent / 24
    watcher.send_signal(signal.SIGKILL)
    watcher.communicate(timeout=30)
    sender.stop()

    recording = root / "takes" / f"01-1A-9{suffix}"
    with av.open(str(recording)) as container:
        times = [float(f.pts * f.time_base) for f in container.decode(container.streams.video[0])]
    played_s = times[-1] - times[0]
    print(f"\n{suffix}: killed after {sent_s:.2f} s sent: the recording plays {played_s:.2f} s ({len(times)} frames)")
    assert played_s >= sent_s - 1.0 - 0.5  # up to the last second (0.5 s: frames still in flight)
    # The take is in the YAML, everything else as it was (comments included).
    after = scene_file.read_text()
    assert after.startswith(before.rstrip("\n")[: before.rindex("takes:")])
    assert f"file: takes/01-1A-9{suffix}" in after and "number: 9" in after
    assert [line for line in before.splitlines() if line.lstrip().startswith("#")] == \
        [line for line in after.splitlines() if line.lstrip().startswith("#")]
    # The log session is bound to the take and linked to the recording at offset 0.
    with sqlite3.connect(root / ".rehearse" / "rehearse.db") as db:
        session = db.execute("SELECT id, scene_id, shot, take_number FROM log_session").fetchall()
        link = db.execute("SELECT session_id, take_file, offset_s FROM take_sync").fetchall()
    assert [row[1:] for row in session] == [("01", "1A", 9)]
    assert link == [(session[0][0], f"takes/01-1A-9{suffix}", 0.0)]


def test_a_take_already_in_the_scene_is_refused_before_anything_opens(tmp_path):
    root = production_copy(tmp_path)
    done = subprocess.run([sys.executable, "-m", "rehearse", "watch", "udp://127.0.0.1:9", "--no-ui",
                           "--scene", "01", "--take-as", "1A-2"], cwd=root, env={**os.environ, "PYTHONPATH": str(REPO)},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert "take 1A-2 is already in scene 01" in done.stderr and "record it as 1A-" in done.stderr


@pytest.mark.parametrize("consent", ["consent: false", None])
def test_a_take_of_an_actor_without_consent_is_not_watched(tmp_path, consent):
    """`--scene` binds the stream to a scene's actors: their consent is asked as for a recorded take."""
    root = production_copy(tmp_path)
    production = root / "production.yaml"
    text = production.read_text()
    assert text.count("consent: true") == 3
    # Ana is in scene 01: her consent withdrawn (false) or never given (the line removed).
    ana = text.index("actor: Lucia Ferrer")
    start = text.index("consent: true", ana)
    end = text.index("\n", start) + 1
    production.write_text(text[:start] + consent + "\n" + text[end:] if consent else
                          text[:text.rindex("\n", 0, start) + 1] + text[end:])
    done = subprocess.run([sys.executable, "-m", "rehearse", "watch", "udp://127.0.0.1:9", "--no-ui",
                           "--scene", "01", "--take-as", "1A-9"], cwd=root, env={**os.environ, "PYTHONPATH": str(REPO)},
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines() == [done.stderr.strip()]
    assert "take 1A-9 of scene 01 not watched: Lucia Ferrer (ana)" in done.stderr
    assert not list(root.rglob("*1A-9*"))  # refused before anything was recorded


def without_consent(root: Path, actor: str = "Lucia Ferrer") -> None:
    production = root / "production.yaml"
    text = production.read_text()
    start = text.index("consent: true", text.index(f"actor: {actor}"))
    production.write_text(text[:start] + "consent: false" + text[start + len("consent: true"):])


@pytest.mark.parametrize(("source", "expected"), [
    ("udp://127.0.0.1:9", "udp://127.0.0.1:9 not watched (no --scene: everyone in the production may be on camera): "
                          "Lucia Ferrer (ana) has `consent: false`"),
    ("takes/01-1A-2.mp4", "take 1A-2 not watched: Lucia Ferrer (ana) has `consent: false`"),
])
def test_watching_without_a_scene_asks_the_same_consent_as_analysis(tmp_path, source, expected):
    """Without --scene: a take's file asks its scene's cast (as `rehearse analyze` does); a camera or
    stream in a production may show anyone in it, so everyone's consent is asked. Nothing opens."""
    root = production_copy(tmp_path)
    shutil.copy(TAKE, root / "takes" / TAKE.name)
    without_consent(root)
    env = {**os.environ, "PYTHONPATH": str(REPO)}
    analyzed = subprocess.run([sys.executable, "-m", "rehearse", "analyze", "takes/01-1A-2.mp4"], cwd=root, env=env,
                              capture_output=True, text=True, timeout=120)
    assert "Lucia Ferrer (ana) has `consent: false`" in analyzed.stdout + analyzed.stderr  # the rule watched follows
    done = subprocess.run([sys.executable, "-m", "rehearse", "watch", source, "--no-ui", "--open-timeout", "1"],
                          cwd=root, env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1, done.stderr
    assert done.stderr.strip().splitlines() == [done.stderr.strip()], done.stderr
    assert expected in done.stderr, done.stderr
    assert "cannot open" not in done.stderr


def test_a_scene_whose_cast_consented_is_watched_though_another_actor_did_not(tmp_path):
    """Scene 01 is Maya and Ana: Tom (Daniel Osei, scenes 02 and 03) withholding consent does not stop watching it."""
    root = production_copy(tmp_path)
    without_consent(root, "Daniel Osei")
    done = subprocess.run([sys.executable, "-m", "rehearse", "watch", "udp://127.0.0.1:9", "--no-ui",
                           "--scene", "01", "--take-as", "1A-9", "--open-timeout", "1"], cwd=root,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1
    assert "cannot open the source" in done.stderr and "consent" not in done.stderr, done.stderr


@pytest.mark.slow
def test_a_file_watched_with_record_keeps_its_picture_and_sound_packets_unchanged(tmp_path):
    import av

    # MP4 to (fragmented) MP4: the same packet bytes. Into MPEG-TS FFmpeg rewrites the framing
    # (start codes, ADTS headers) without re-encoding, so bytes there would differ by design.
    recording = tmp_path / "copy.mp4"
    done = subprocess.run([sys.executable, "-m", "rehearse", "watch", str(TAKE), "--no-ui", "--record", str(recording)],
                          cwd=tmp_path, env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True,
                          timeout=300)
    assert done.returncode == 0, done.stderr

    def packets(path, kind):
        with av.open(str(path)) as container:
            stream = getattr(container.streams, kind)[0]
            return stream.codec_context.name, [bytes(p) for p in container.demux(stream) if p.size]

    for kind in ("video", "audio"):
        codec, original = packets(TAKE, kind)
        copied_codec, copied = packets(recording, kind)
        assert copied_codec == codec and copied, kind
        # Not re-encoded: the very same packets, in a run (sound from the first picture on; the
        # last packets may still be in flight when the file ends).
        starts = [i for i in range(len(original)) if original[i:i + len(copied)] == copied]
        assert starts, kind
        first = starts[0]
        assert first <= 3 and len(copied) >= len(original) - first - 3, (kind, first, len(copied), len(original))


@pytest.mark.slow
def test_a_source_that_never_opens_leaves_the_production_as_it_was(tmp_path):
    root = production_copy(tmp_path)
    before = (root / "01-kitchen-night.yaml").read_bytes()
    done = subprocess.run([sys.executable, "-m", "rehearse", "watch", f"udp://127.0.0.1:{free_udp_port()}", "--no-ui",
                           "--scene", "01", "--take-as", "1A-9", "--open-timeout", "2"], cwd=root,
                          env={**os.environ, "PYTHONPATH": str(REPO)}, capture_output=True, text=True, timeout=120)
    assert done.returncode == 1 and "nothing received in 2 s" in done.stderr
    assert (root / "01-kitchen-night.yaml").read_bytes() == before
    assert not (root / "takes" / "01-1A-9.ts").exists()
    database = root / ".rehearse" / "rehearse.db"
    if database.exists():
        with sqlite3.connect(database) as db:
            assert db.execute("SELECT COUNT(*) FROM log_session").fetchone() == (0,)
            assert db.execute("SELECT COUNT(*) FROM take_sync").fetchone() == (0,)
