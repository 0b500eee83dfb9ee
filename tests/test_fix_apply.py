"""The edit-application layer of `prodready fix`: overlap, verification, atomic writes."""

from __future__ import annotations

import os
import stat

from prodready.fix.apply import _verify, _write_atomic, apply_edits
from prodready.fix.edits import append_lines, insert_line_after, offset
from prodready.model import Edit


def test_non_overlapping_edits_apply_and_overlapping_wait():
    text = "abcdef"
    edits = [Edit("f", 0, 1, "X"), Edit("f", 0, 2, "YY"), Edit("f", 4, 4, "+")]
    new, applied = apply_edits(text, edits)
    assert new == "Xbcd+ef"
    assert [(e.start, e.end) for e in applied] == [(0, 1), (4, 4)]


def test_out_of_range_edit_is_ignored():
    new, applied = apply_edits("abc", [Edit("f", 2, 10, "x")])
    assert new == "abc" and applied == []


def test_offsets_and_line_insertion_keep_crlf():
    text = "a: 1\r\nb: 2\r\n"
    assert offset(text, 2, 1) == 6
    edit = insert_line_after("f", text, 1, "c: 3")
    assert apply_edits(text, [edit])[0] == "a: 1\r\nc: 3\r\nb: 2\r\n"
    no_newline = "x"
    assert apply_edits(no_newline, [append_lines("f", no_newline, ["y", "z"])])[0] == "x\ny\nz\n"


def test_verify_rejects_broken_python_and_yaml():
    assert _verify("app/x.py", "def f(:\n") is not None
    assert _verify("app/x.py", "x = 1\n") is None
    assert _verify("k8s/a.yaml", "a: [1\n") is not None


def test_atomic_write_keeps_bom_encoding_and_mode(tmp_path):
    target = tmp_path / "a.py"
    target.write_bytes("\ufeffx = 'é'\n".encode("utf-8"))
    os.chmod(target, 0o750)
    assert _write_atomic(target, "x = 'è'\n", "utf-8-sig", True, expected=target.read_bytes())
    assert target.read_bytes() == "\ufeffx = 'è'\n".encode("utf-8")
    assert stat.S_IMODE(target.stat().st_mode) == 0o750
    assert [p.name for p in tmp_path.iterdir()] == ["a.py"]  # no temp file left behind


def test_atomic_write_latin1(tmp_path):
    target = tmp_path / "b.py"
    target.write_bytes("# -*- coding: latin-1 -*-\nx = 'é'\n".encode("latin-1"))
    assert _write_atomic(target, "# -*- coding: latin-1 -*-\nx = 'ü'\n", "iso-8859-1", False,
                         expected=target.read_bytes())
    assert target.read_bytes() == "# -*- coding: latin-1 -*-\nx = 'ü'\n".encode("latin-1")


def _fix(root, select, unsafe=False):
    from prodready.config import Config
    from prodready.fix.apply import run_fix

    return run_fix(root, Config.model_validate({"select": select, "cache": False}),
                   unsafe=unsafe, jobs=1)


HANDLER = ("import logging\r\n\r\nlogger = logging.getLogger(__name__)\r\n\r\n\r\n"
           "def sync():\r\n    try:\r\n        push()\r\n    except Exception:\r\n"
           "        logger.info('sync failed')\r\n")


def test_python_fix_keeps_crlf_and_bom(tmp_path):
    target = tmp_path / "app" / "worker.py"
    target.parent.mkdir()
    target.write_bytes(b"\xef\xbb\xbf" + HANDLER.encode())
    outcome = _fix(tmp_path, ["PY001"])
    data = target.read_bytes()
    assert outcome.applied == {"PY001": 1}
    assert data.startswith(b"\xef\xbb\xbf")
    assert data.count(b"\r\n") == HANDLER.count("\r\n") and b"\n" not in data.replace(b"\r\n", b"")
    assert b"logger.exception('sync failed')" in data


def test_yaml_fix_keeps_crlf(tmp_path):
    manifest = ("apiVersion: batch/v1\r\nkind: CronJob\r\nmetadata:\r\n  name: report\r\n"
                "spec:\r\n  schedule: '0 3 * * *'\r\n")
    target = tmp_path / "k8s" / "cron.yaml"
    target.parent.mkdir()
    target.write_bytes(manifest.encode())
    _fix(tmp_path, ["K8S014"])
    data = target.read_bytes().decode()
    assert data == manifest + "  concurrencyPolicy: Forbid\r\n"


def test_read_only_file_is_left_alone_and_reported(tmp_path, monkeypatch):
    import os

    import prodready.fix.apply as apply_module

    target = tmp_path / "app" / "worker.py"
    target.parent.mkdir()
    target.write_text(HANDLER.replace("\r\n", "\n"))
    before = target.read_bytes()
    real_access = os.access
    # The permission check, not chmod: the suite may run as root, whom chmod does not stop.
    monkeypatch.setattr(apply_module.os, "access", lambda path, mode: False if (
        str(path) == str(target) and mode == os.W_OK) else real_access(path, mode))
    outcome = _fix(tmp_path, ["PY001"])
    assert target.read_bytes() == before
    assert [p for p, _ in outcome.skipped] == ["app/worker.py"]
    assert "read-only" in outcome.skipped[0][1]


def test_file_changed_during_the_run_is_left_alone(tmp_path, monkeypatch):
    import prodready.fix.apply as apply_module

    target = tmp_path / "app" / "worker.py"
    target.parent.mkdir()
    target.write_text(HANDLER.replace("\r\n", "\n"))
    real_verify = apply_module._verify

    def edit_meanwhile(path, text):  # another process writes the file between read and write
        target.write_text(HANDLER.replace("\r\n", "\n") + "# edited meanwhile\n")
        return real_verify(path, text)

    monkeypatch.setattr(apply_module, "_verify", edit_meanwhile)
    outcome = _fix(tmp_path, ["PY001"])
    assert target.read_text().endswith("# edited meanwhile\n")
    assert "logger.info" in target.read_text()
    assert any("changed during the run" in why for _, why in outcome.failed)
