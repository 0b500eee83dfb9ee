"""Applying fixes: non-overlapping text edits, verified by re-parsing, written atomically."""
