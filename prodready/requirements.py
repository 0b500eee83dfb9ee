"""Distribution names in requirement lists, compared the way package indexes compare them."""

from __future__ import annotations

import re

# The name a requirement starts with (`cherrypy-cors==1.7.0` -> cherrypy-cors).
REQUIREMENT_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]*")


def canonical_name(name: str) -> str:
    """`Flask_Cors`, `flask.cors` and `flask-cors` are one distribution."""
    return re.sub(r"[-_.]+", "-", name).lower()
