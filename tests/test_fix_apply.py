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
    _write_atomic(target, "x = 'è'\n", "utf-8-sig", True)
    assert target.read_bytes() == "\ufeffx = 'è'\n".encode("utf-8")
    assert stat.S_IMODE(target.stat().st_mode) == 0o750
    assert [p.name for p in tmp_path.iterdir()] == ["a.py"]  # no temp file left behind


def test_atomic_write_latin1(tmp_path):
    target = tmp_path / "b.py"
    target.write_bytes("# -*- coding: latin-1 -*-\nx = 'é'\n".encode("latin-1"))
    _write_atomic(target, "# -*- coding: latin-1 -*-\nx = 'ü'\n", "iso-8859-1", False)
    assert target.read_bytes() == "# -*- coding: latin-1 -*-\nx = 'ü'\n".encode("latin-1")
