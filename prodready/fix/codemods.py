"""Python fixes as libcst codemods, run by `prodready fix` only on files that have one.

Detection stays on `ast` (fast); a check describes the change as a `Codemod` anchored at the
start position of a node. Here the file is parsed once with libcst, every anchored node is
rewritten, and the module is printed back: libcst keeps comments, spacing and quoting of
everything it did not touch, so the diff shows only the intended change.
"""

from __future__ import annotations

from collections.abc import Sequence

import libcst as cst
from libcst.metadata import MetadataWrapper, PositionProvider

from ..model import Codemod


class CodemodError(Exception):
    pass


def run_codemods(text: str, mods: Sequence[Codemod]) -> tuple[str, list[Codemod]]:
    """The rewritten source and the codemods that found their node."""
    try:
        wrapper = MetadataWrapper(cst.parse_module(text))
    except cst.ParserSyntaxError as exc:
        raise CodemodError(f"libcst cannot parse the file: {exc.message}") from None
    transformer = _Transformer(mods, wrapper.resolve(PositionProvider))
    new = wrapper.module.visit(transformer)
    return new.code, transformer.applied


class _Transformer(cst.CSTTransformer):
    def __init__(self, mods: Sequence[Codemod], positions: object) -> None:
        super().__init__()
        self.by_anchor: dict[tuple[int, int], list[Codemod]] = {}
        for mod in mods:
            self.by_anchor.setdefault((mod.line, mod.column), []).append(mod)
        self.positions = positions
        self.applied: list[Codemod] = []

    def _mods(self, node: cst.CSTNode, *ops: str) -> list[Codemod]:
        try:
            start = self.positions[node].start  # type: ignore[index]
        except KeyError:
            return []
        return [m for m in self.by_anchor.get((start.line, start.column), ()) if m.op in ops]

    # -- calls: rename the method, add a keyword argument -------------------------------
    def leave_Call(self, original: cst.Call, updated: cst.Call) -> cst.Call:
        callee = _callee(original)
        for mod in self._mods(original, "rename-method", "add-keyword"):
            if mod.callee and mod.callee != callee:
                continue
            if mod.op == "rename-method" and isinstance(updated.func, cst.Attribute):
                updated = updated.with_changes(
                    func=updated.func.with_changes(attr=cst.Name(mod.arg)))
                self.applied.append(mod)
            elif mod.op == "add-keyword":
                name, _, value = mod.arg.partition("=")
                if any(a.keyword is not None and a.keyword.value == name for a in updated.args):
                    continue
                updated = updated.with_changes(args=_append_keyword(updated.args, name, value))
                self.applied.append(mod)
        return updated

    # -- statements: a dynamic import becomes a static one ------------------------------
    def leave_SimpleStatementLine(self, original: cst.SimpleStatementLine,
                                  updated: cst.SimpleStatementLine
                                  ) -> cst.SimpleStatementLine | cst.FlattenSentinel:
        mods = self._mods(original.body[0], "static-import") if original.body else []
        if not mods or len(original.body) != 1:
            return updated
        replacement = cst.parse_statement(mods[0].arg + "\n")
        assert isinstance(replacement, cst.SimpleStatementLine)
        self.applied.append(mods[0])
        return replacement.with_changes(leading_lines=updated.leading_lines,
                                        trailing_whitespace=updated.trailing_whitespace)

    # -- handlers: log what was swallowed ------------------------------------------------
    def leave_ExceptHandler(self, original: cst.ExceptHandler, updated: cst.ExceptHandler
                            ) -> cst.ExceptHandler:
        mods = self._mods(original, "log-exception")
        if not mods or not isinstance(updated.body, cst.IndentedBlock):
            return updated
        log = cst.parse_statement(mods[0].arg + "\n")
        body = list(updated.body.body)
        if len(body) == 1 and _is_placeholder(body[0]):
            first = body[0]
            assert isinstance(first, cst.SimpleStatementLine) and isinstance(
                log, cst.SimpleStatementLine)
            body = [log.with_changes(leading_lines=first.leading_lines,
                                     trailing_whitespace=first.trailing_whitespace)]
        else:
            body.insert(len(body) - 1 if body and _ends_flow(body[-1]) else len(body), log)
        self.applied.append(mods[0])
        return updated.with_changes(body=updated.body.with_changes(body=body))

    # -- modules: register a router on the app ------------------------------------------
    def leave_Module(self, original: cst.Module, updated: cst.Module) -> cst.Module:
        mods = [m for ms in self.by_anchor.values() for m in ms if m.op == "register-router"]
        if not mods:
            return updated
        mod = mods[0]
        import_line, _, register_line = mod.arg.partition("\n")
        body = list(updated.body)
        anchor = next((i for i, stmt in enumerate(original.body)
                       if self.positions[stmt].start.line == mod.line), None)  # type: ignore[index]
        if anchor is None:
            return updated
        body.insert(anchor + 1, cst.parse_statement(register_line + "\n"))
        last_import = max((i for i, stmt in enumerate(body[:anchor + 1]) if _is_import(stmt)),
                          default=-1)
        body.insert(last_import + 1, cst.parse_statement(import_line + "\n"))
        self.applied.append(mod)
        return updated.with_changes(body=body)


def _append_keyword(args: Sequence[cst.Arg], name: str, value: str) -> list[cst.Arg]:
    new = cst.Arg(keyword=cst.Name(name), value=cst.parse_expression(value),
                  equal=cst.AssignEqual(whitespace_before=cst.SimpleWhitespace(""),
                                        whitespace_after=cst.SimpleWhitespace("")))
    if not args:
        return [new]
    items = list(args)
    last = items[-1]
    if isinstance(last.comma, cst.Comma):
        # a trailing comma (often one argument per line): the new argument takes over the
        # trailing comma and its layout, the old last argument gets its neighbour's comma
        separator = items[-2].comma if len(items) > 1 and isinstance(
            items[-2].comma, cst.Comma) else cst.Comma(whitespace_after=cst.SimpleWhitespace(" "))
        items[-1] = last.with_changes(comma=separator)
        new = new.with_changes(comma=last.comma)
    else:
        # the space or line break before `)` follows the new last argument
        items[-1] = last.with_changes(
            comma=cst.Comma(whitespace_after=cst.SimpleWhitespace(" ")),
            whitespace_after_arg=cst.SimpleWhitespace(""))
        new = new.with_changes(whitespace_after_arg=last.whitespace_after_arg)
    return [*items, new]


def _callee(call: cst.Call) -> str:
    func = call.func
    if isinstance(func, cst.Attribute):
        return func.attr.value
    return func.value if isinstance(func, cst.Name) else ""


def _is_placeholder(stmt: cst.BaseStatement) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and len(stmt.body) == 1 and (
        isinstance(stmt.body[0], cst.Pass) or (
            isinstance(stmt.body[0], cst.Expr) and isinstance(stmt.body[0].value, cst.Ellipsis)))


def _ends_flow(stmt: cst.BaseStatement) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and bool(stmt.body) and isinstance(
        stmt.body[-1], cst.Return | cst.Continue | cst.Break)


def _is_import(stmt: cst.BaseStatement) -> bool:
    return isinstance(stmt, cst.SimpleStatementLine) and any(
        isinstance(s, cst.Import | cst.ImportFrom) for s in stmt.body)
