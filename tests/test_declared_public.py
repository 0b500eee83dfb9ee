"""A value its authors declare public beside it is not a committed secret."""

from __future__ import annotations

import pytest

from prodready.secretcontext import declared_public


@pytest.mark.parametrize(("lines", "index", "expected"), [
    (['api_key = "k"', '"""Fallback key when we fail to extract one from the website."""'],
     0, True),
    (["# publishable key, embedded in the checkout page", 'KEY = "k"'], 1, True),
    (['KEY = "k"  # not a secret: the site ships it to every browser'], 0, True),
    (["# the key of our account", 'KEY = "k"'], 1, False),
    # a note two statements away says nothing about this value
    (["# public key below", "x = 1", 'KEY = "k"'], 2, False),
    (['KEY = "k"', "x = 1", '"""A public key."""'], 0, False),
    (["# read from the environment in production", 'KEY = "k"'], 1, False),
])
def test_declared_public(lines, index, expected):
    assert declared_public(lines, index) is expected
