"""One-shot scripts run once and end the process; modules of definitions do not."""

from __future__ import annotations

import pytest

from prodready.artifacts.python import parse_python
from prodready.checks.python._script import one_shot_script


@pytest.mark.parametrize(("text", "expected"), [
    ("#!/usr/bin/env python\nimport requests\nrequests.get('http://x')\n", True),
    ("import sys\nif not ready():\n    sys.exit(1)\n", True),
    ("while True:\n    try:\n        connect()\n        break\n    except Exception:\n"
     "        exit(0)\n", True),
    # a module of definitions, imported by the service
    ("from sqlalchemy import create_engine\nengine = create_engine(URL)\n", False),
    ("#!/usr/bin/env python\ndef main():\n    pass\n\nmain()\n", False),
    ("import sys\nclass Config:\n    pass\nsys.exit(0)\n", False),
    ("# a comment, then code\nimport requests\nrequests.get('http://x')\n", False),
])
def test_one_shot_script(text, expected):
    assert one_shot_script(parse_python("tool.py", text)) is expected
