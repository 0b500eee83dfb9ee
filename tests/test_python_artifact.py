"""Python sources parse once; newer syntax the running parser lacks is handled or reported."""

from __future__ import annotations

import ast

import pytest

from prodready.artifacts.python import PythonSyntaxError, parse_python
from prodready.testing import scan_files

PEP758 = ("import logging\nlogger = logging.getLogger(__name__)\n\n\ndef sync():\n"
          "    try:\n        push()\n    except ValueError, KeyError:\n        pass\n"
          "    try:\n        push()\n    except Exception, BaseException:\n"
          "        logger.debug('failed')\n")


def test_unparenthesised_except_of_python_314_is_understood():
    src = parse_python("app/a.py", PEP758)
    handlers = src.nodes(ast.ExceptHandler)
    assert sorted((h.lineno, h.col_offset) for h in handlers) == [(8, 4), (12, 4)]
    assert src.text == PEP758  # positions and snippets come from the file as written


def test_rules_run_on_such_files():
    findings = scan_files({"app/a.py": PEP758}, ["PY001", "PY002"])
    assert [(f.rule_id, f.line, f.column) for f in findings] == [("PY001", 12, 5)]


def test_other_syntax_errors_still_name_the_problem():
    with pytest.raises(PythonSyntaxError, match="line 1"):
        parse_python("app/b.py", "def f(:\n")


def test_python_312_type_parameters_and_aliases_are_understood():
    src = parse_python("app/types.py", (
        "import requests\n\ntype Handler[T] = Callable[[T], None]\n\n\n"
        "class Box[T]:\n    def get(self) -> T: ...\n\n\n"
        "def first[T](items: list[T]) -> T:\n    return requests.get('x')\n"))
    assert {f.name for f in src.nodes(ast.FunctionDef)} == {"get", "first"}
    assert [c.name for c in src.nodes(ast.ClassDef)] == ["Box"]
    findings = scan_files({"app/types.py": src.text}, ["PY006"])
    assert [(f.rule_id, f.line) for f in findings] == [("PY006", 11)]
