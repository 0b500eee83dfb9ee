"""Parsers: one per kind of file, each producing a typed artifact with exact positions."""
