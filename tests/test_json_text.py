"""report/json_text.py writes the very bytes `json.dumps(value, indent=2)` writes."""

from __future__ import annotations

import enum
import json
import random
from typing import Any

import pytest

from prodready.report import json_text


class Word(enum.StrEnum):
    QUOTED = 'say "hi"\n'


class Number(enum.IntEnum):
    ONE = 1


STRINGS = ["", "plain", "é ü 😀", 'quote " backslash \\ slash /', "\n\r\t\b\f", "\x00\x1f\x7f",
           "\u2028\u2029", "\udcff", "\u202e", Word.QUOTED]
SCALARS = [*STRINGS, 0, -1, 10**30, 0.1, -0.0, 1e300, 1e-7, float("nan"), float("inf"),
           float("-inf"), True, False, None, Number.ONE]
KEYS = [*STRINGS, 1, 2.5, True, False, None, Number.ONE, float("nan")]


def document(rng: random.Random, depth: int = 0) -> Any:
    draw = rng.random()
    if depth > 4 or draw < 0.45:
        return rng.choice(SCALARS)
    if draw < 0.6:
        return rng.choice([[], {}, ()])
    if draw < 0.8:
        items = [document(rng, depth + 1) for _ in range(rng.randint(1, 5))]
        return tuple(items) if rng.random() < 0.2 else items
    return {rng.choice(KEYS): document(rng, depth + 1) for _ in range(rng.randint(1, 5))}


@pytest.mark.parametrize("seed", range(8))
def test_random_documents_are_written_as_json_dumps_writes_them(seed: int) -> None:
    rng = random.Random(seed)
    for _ in range(400):
        value = document(rng)
        assert json_text.dumps(value) == json.dumps(value, indent=2)


def test_a_report_shaped_document() -> None:
    value = {"findings": [{"rule_id": "PY006", "line": 3, "fix": None, "related": []},
                          {"rule_id": "PY003", "fix": {"safety": "safe"}, "related": [
                              {"path": "a.py", "line": 1}], "suppressed": False}],
             "score": {"overall": 87.5, "categories": {}}, "services": []}
    assert json_text.dumps(value) == json.dumps(value, indent=2)


def test_without_the_c_encoder_the_text_is_the_same(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(json_text, "c_make_encoder", None)
    monkeypatch.setattr(json_text, "_ENCODERS", {})
    rng = random.Random(99)
    for _ in range(300):
        value = document(rng)
        assert json_text.dumps(value) == json.dumps(value, indent=2)


@pytest.mark.parametrize("value", [{"a": object()}, [1, {2, 3}], {(1, 2): "tuple key"}])
def test_what_json_cannot_write_is_refused(value: Any) -> None:
    with pytest.raises(TypeError):
        json.dumps(value, indent=2)
    with pytest.raises(TypeError):
        json_text.dumps(value)
