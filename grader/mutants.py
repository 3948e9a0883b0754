"""Mutants of a reference solution: one small AST change each, as a mutation-testing tool makes them.

Operators: arithmetic and comparison operators swapped, integer and float constants moved by one,
booleans flipped, unary minus / `~` / `not` dropped, `and`/`or` swapped, one term of a binary
operation dropped, operands of a non-commutative operation swapped, one argument of a call dropped.
Docstrings, f-strings (messages), imports, annotations and decorators are left alone. This module imports no torch.
"""

from __future__ import annotations

import ast
import copy
import difflib
from collections.abc import Iterator
from dataclasses import dataclass

ARITH_SWAPS: dict[type, tuple[type, ...]] = {
    ast.Add: (ast.Sub,), ast.Sub: (ast.Add,), ast.Mult: (ast.Div,), ast.Div: (ast.Mult,),
    ast.FloorDiv: (ast.Div,), ast.Pow: (ast.Mult,), ast.Mod: (ast.FloorDiv,),
    ast.BitAnd: (ast.BitOr,), ast.BitOr: (ast.BitAnd,),
}
COMPARE_SWAPS: dict[type, tuple[type, ...]] = {
    ast.Lt: (ast.LtE, ast.Gt), ast.LtE: (ast.Lt, ast.GtE), ast.Gt: (ast.GtE, ast.Lt), ast.GtE: (ast.Gt, ast.LtE),
    ast.Eq: (ast.NotEq,), ast.NotEq: (ast.Eq,), ast.Is: (ast.IsNot,), ast.IsNot: (ast.Is,),
    ast.In: (ast.NotIn,), ast.NotIn: (ast.In,),
}
NON_COMMUTATIVE = (ast.Sub, ast.Div, ast.FloorDiv, ast.MatMult, ast.Pow, ast.Mod)
DROPPABLE_TERMS = (ast.Add, ast.Sub, ast.Mult, ast.Div, ast.MatMult)


@dataclass(frozen=True)
class Mutant:
    """One mutated source: what changed, where (1-based line), and the new source."""

    index: int
    operator: str
    line: int
    description: str
    source: str

    def diff(self, original: str) -> str:
        """A unified diff of the mutant against `original`, for reports."""
        lines = difflib.unified_diff(original.splitlines(), self.source.splitlines(), "reference.py",
                                     f"mutant {self.index}", lineterm="", n=1)
        return "\n".join(list(lines)[2:])


def _skipped_nodes(tree: ast.AST) -> set[int]:
    """ids of nodes never mutated: docstrings, imports, annotations, decorators and their subtrees."""
    skip: set[int] = set()

    def mark(node: ast.AST | None) -> None:
        if node is not None:
            skip.update(id(n) for n in ast.walk(node))

    for node in ast.walk(tree):
        if isinstance(node, (ast.Import, ast.ImportFrom)):
            mark(node)
        if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef, ast.ClassDef, ast.Module)):
            body = node.body
            if body and isinstance(body[0], ast.Expr) and isinstance(body[0].value, ast.Constant) \
                    and isinstance(body[0].value.value, str):
                mark(body[0])
            for deco in getattr(node, "decorator_list", []):
                mark(deco)
            if isinstance(node, (ast.FunctionDef, ast.AsyncFunctionDef)):
                mark(node.returns)
                for arg in node.args.args + node.args.kwonlyargs + node.args.posonlyargs:
                    mark(arg.annotation)
        if isinstance(node, ast.AnnAssign):
            mark(node.annotation)
        if isinstance(node, ast.Expr) and isinstance(node.value, ast.Constant):  # stray string statements
            mark(node)
        if isinstance(node, ast.JoinedStr):  # f-strings are messages: changing them changes no result
            mark(node)
    return skip


def _edits(node: ast.AST) -> Iterator[tuple[str, str, ast.AST]]:
    """(operator, description, replacement node) for every mutation of `node` itself."""
    if isinstance(node, ast.BinOp):
        for new in ARITH_SWAPS.get(type(node.op), ()):
            yield "arith", f"{type(node.op).__name__} -> {new.__name__}", ast.BinOp(node.left, new(), node.right)
        if isinstance(node.op, NON_COMMUTATIVE):
            yield "swap", f"operands of {type(node.op).__name__} swapped", ast.BinOp(node.right, node.op, node.left)
        if isinstance(node.op, DROPPABLE_TERMS):
            yield "drop-term", "right term dropped", node.left
            if isinstance(node.op, (ast.Add, ast.Mult)):
                yield "drop-term", "left term dropped", node.right
    elif isinstance(node, ast.Compare) and len(node.ops) == 1:
        for new in COMPARE_SWAPS.get(type(node.ops[0]), ()):
            yield "compare", f"{type(node.ops[0]).__name__} -> {new.__name__}", \
                ast.Compare(node.left, [new()], node.comparators)
    elif isinstance(node, ast.Constant):
        value = node.value
        if isinstance(value, bool):
            yield "constant", f"{value} -> {not value}", ast.Constant(not value)
        elif isinstance(value, (int, float)):
            for delta in (1, -1):
                yield "constant", f"{value!r} -> {value + delta!r}", ast.Constant(value + delta)
    elif isinstance(node, ast.UnaryOp) and isinstance(node.op, (ast.USub, ast.Invert, ast.Not)):
        yield "unary", f"{type(node.op).__name__} dropped", node.operand
    elif isinstance(node, ast.BoolOp):
        new = ast.Or() if isinstance(node.op, ast.And) else ast.And()
        yield "boolean", f"{type(node.op).__name__} -> {type(new).__name__}", ast.BoolOp(new, node.values)
    elif isinstance(node, ast.Call):
        for i, kw in enumerate(node.keywords):
            if kw.arg is not None:
                yield "drop-arg", f"argument {kw.arg}= dropped", \
                    ast.Call(node.func, node.args, node.keywords[:i] + node.keywords[i + 1:])
        if len(node.args) > 1:
            for i in range(len(node.args)):
                if not isinstance(node.args[i], ast.Starred):
                    yield "drop-arg", f"positional argument {i + 1} dropped", \
                        ast.Call(node.func, node.args[:i] + node.args[i + 1:], node.keywords)


class _Replace(ast.NodeTransformer):
    def __init__(self, target: int, replacement: ast.AST):
        self.target, self.replacement = target, replacement

    def visit(self, node: ast.AST) -> ast.AST:
        if getattr(node, "_mutant_id", None) == self.target:
            return ast.copy_location(self.replacement, node)
        return self.generic_visit(node)


def mutants(source: str) -> list[Mutant]:
    """Every single-edit mutant of `source` whose text differs from the original (deduplicated)."""
    tree = ast.parse(source)
    skip = _skipped_nodes(tree)
    original = ast.unparse(tree)
    sites: list[ast.AST] = []
    for node in ast.walk(tree):
        if id(node) not in skip and (isinstance(node, (ast.BinOp, ast.Compare, ast.Constant, ast.UnaryOp,
                                                         ast.BoolOp, ast.Call))):
            node._mutant_id = len(sites)  # type: ignore[attr-defined]
            sites.append(node)
    out: list[Mutant] = []
    seen = {original}
    for site in sites:
        for operator, description, replacement in _edits(site):
            new_tree = _Replace(site._mutant_id, copy.deepcopy(replacement)).visit(copy.deepcopy(tree))  # type: ignore[attr-defined]
            text = ast.unparse(ast.fix_missing_locations(new_tree))
            if text in seen:
                continue
            seen.add(text)
            out.append(Mutant(len(out) + 1, operator, getattr(site, "lineno", 0), description, text))
    return out


def normalised(source: str) -> str:
    """The source as the mutator prints it, so diffs show only the mutation."""
    return ast.unparse(ast.parse(source))
