"""The one output writer: atomic, permissions kept, symlinks written through, refusals in one line."""

from __future__ import annotations

import os
import stat

import pytest

from rehearse.export.files import OutputError, check_output, write_text_atomic


def test_replacing_a_file_keeps_its_permissions_and_leaves_no_temp(tmp_path):
    target = tmp_path / "report.html"
    target.write_text("old")
    os.chmod(target, 0o640)
    write_text_atomic(target, "new")
    assert target.read_text() == "new"
    assert stat.S_IMODE(target.stat().st_mode) == 0o640
    assert sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_a_new_file_gets_the_umask_mode_and_its_missing_parents(tmp_path):
    old = os.umask(0o027)
    try:
        path = write_text_atomic(tmp_path / "a" / "b" / "out.csv", "x")
    finally:
        os.umask(old)
    assert stat.S_IMODE(path.stat().st_mode) == 0o640


def test_a_symlink_is_written_through_and_stays_a_link(tmp_path):
    (tmp_path / "real.edl").write_text("old")
    (tmp_path / "latest.edl").symlink_to("real.edl")
    write_text_atomic(tmp_path / "latest.edl", "new")
    assert (tmp_path / "latest.edl").is_symlink() and (tmp_path / "real.edl").read_text() == "new"


def test_a_write_that_fails_halfway_keeps_the_old_file(tmp_path):
    from rehearse.export.files import atomic_output

    target = tmp_path / "report.html"
    target.write_text("old")
    with pytest.raises(RuntimeError), atomic_output(target) as temporary:
        temporary.write_text("half a rep")
        raise RuntimeError("the renderer died")
    assert target.read_text() == "old" and sorted(p.name for p in tmp_path.iterdir()) == ["report.html"]


def test_a_read_only_folder_is_one_line(tmp_path):
    """A folder the user may not write into: one line naming the file, nothing written. Root may
    write anywhere, so as root the folder is made immutable (chattr +i) instead of mode 0555."""
    import shutil
    import subprocess

    locked = tmp_path / "locked"
    locked.mkdir()
    locked.chmod(0o555)
    immutable = False
    if os.geteuid() == 0:
        if shutil.which("chattr") is None or subprocess.run(["chattr", "+i", str(locked)]).returncode != 0:
            pytest.skip("running as root without chattr +i: no folder is read-only to root here")
        immutable = True
    try:
        with pytest.raises(OutputError) as caught:
            write_text_atomic(locked / "x.csv", "x")
        assert list(locked.iterdir()) == []
    finally:
        if immutable:
            subprocess.run(["chattr", "-i", str(locked)], check=True)
        locked.chmod(0o755)
    line = caught.value.one_line()
    assert "permission denied" in line and "x.csv" in line and "\n" not in line


def test_refusals_name_the_file(tmp_path):
    video = tmp_path / "take.mov"
    video.write_bytes(b"\x00\x00\x00\x14ftypqt  " + bytes(100))
    for path, words in [(video, "video"), (tmp_path, "folder"), (tmp_path / "x.yaml", None)]:
        if words is None:
            path.write_text("a: 1\n")
            words = "YAML"
        with pytest.raises(OutputError) as caught:
            check_output(path)
        assert words in caught.value.one_line() and path.name in caught.value.one_line()
