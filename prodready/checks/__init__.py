"""Rule logic. Rule PY001 lives in prodready/checks/python/py001.py, and so on.

A rule module defines `SCOPE` (a prodready.model.Scope value) and `check(target, ctx)`.
"""
