"""`json.dumps(value, indent=2)`, the same text, written in one pass.

With an indent the standard library encodes through its pure-Python generators (its C
encoder only writes compact text), which is most of the time a JSON or SARIF report of
thousands of findings takes. This writes each container with one loop and each string
through the library's own C escaping, so every byte is the one `json.dumps` would write.
"""

from __future__ import annotations

import json
from itertools import repeat
from json.encoder import c_make_encoder  # type: ignore[attr-defined]
from json.encoder import encode_basestring_ascii as _string
from typing import Any

_INFINITY = float("inf")


def _float(value: float) -> str:
    if value != value:
        return "NaN"
    if value == _INFINITY:
        return "Infinity"
    if value == -_INFINITY:
        return "-Infinity"
    return float.__repr__(value)


_SCALARS: dict[type, Any] = {
    str: _string,
    int: int.__repr__,
    float: _float,
    bool: lambda value: "true" if value else "false",
    type(None): lambda value: "null",
}


def dumps(value: Any) -> str:
    """The text `json.dumps(value, indent=2)` returns (ASCII, keys in insertion order)."""
    out: list[str] = []
    _write(value, "\n", out)
    return "".join(out)


def _scalar(value: Any) -> str | None:
    """A scalar's text, in the order `json` tests the types (str and int subclasses too)."""
    encode = _SCALARS.get(type(value))
    if encode is not None:
        return str(encode(value))
    if isinstance(value, str):
        return str(_string(value))
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, int):
        return int.__repr__(value)
    if isinstance(value, float):
        return _float(value)
    return None


def _key(key: Any) -> str:
    if isinstance(key, str):
        return str(_string(key))
    if isinstance(key, float):
        text = _float(key)
    elif key is True or key is False or key is None:
        text = {True: "true", False: "false", None: "null"}[key]
    elif isinstance(key, int):
        text = int.__repr__(key)
    else:
        raise TypeError(f"keys must be str, int, float, bool or None, not {type(key).__name__}")
    return str(_string(text))


def _write(value: Any, newline: str, out: list[str]) -> None:
    """Append the text of `value`; `newline` is a line break and the current indent."""
    encode = _SCALARS.get(type(value))
    if encode is not None:
        out.append(encode(value))
        return
    keyed = isinstance(value, dict)
    if not keyed and not isinstance(value, list | tuple):
        text = _scalar(value)
        if text is None:
            raise TypeError(f"Object of type {type(value).__name__} is not JSON serializable")
        out.append(text)
        return
    if not value:
        out.append("{}" if keyed else "[]")
        return
    inner = newline + "  "
    compact = _ENCODERS.get(inner) or _compact(inner)
    opening, closing = ("{", "}") if keyed else ("[", "]")
    members = value.values() if keyed else value
    if all(type(v) in _SCALARS or (type(v) in _EMPTY and not v) for v in members) and (
            not keyed or all(type(k) is str for k in value)):
        # flat members only: the C encoder writes them with this level's separators
        out.append(opening + inner + "".join(compact(value, 0))[1:-1] + newline + closing)
        return
    lead = opening + inner
    run: list[Any] = []  # flat members waiting to be written together
    for key, item in (value.items() if keyed else zip(repeat(None), value)):
        kind = type(item)
        if (kind in _SCALARS or (kind in _EMPTY and not item)) and (
                not keyed or type(key) is str):
            run.append((key, item) if keyed else item)
            continue
        if run:
            out.append(lead + "".join(compact(dict(run) if keyed else run, 0))[1:-1])
            lead, run = "," + inner, []
        out.append(lead + _key(key) + ": " if keyed else lead)
        _write(item, inner, out)
        lead = "," + inner
    if run:
        out.append(lead + "".join(compact(dict(run) if keyed else run, 0))[1:-1])
    out.append(newline + closing)


_EMPTY = frozenset({list, dict})  # `[]` and `{}` are written alike at any indent
_ENCODERS: dict[str, Any] = {}


def _compact(inner: str) -> Any:
    """The C encoder writing members separated by `,` and a line at this indent (the text
    `json.dumps` writes between flat members), made once per indent."""
    if c_make_encoder is None:  # no C accelerator: the library's own generator
        encode = json.JSONEncoder(separators=("," + inner, ": ")).iterencode
    else:
        encode = c_make_encoder(None, None, _string, None, ": ", "," + inner, False, False,
                                True)
    _ENCODERS[inner] = encode
    return encode
