"""A federation rule's `match.condition`: CEL over the verified token's `claims`, parsed and
evaluated by cel-python (`celpy`). This module only decides which conditions a rule may hold.

Refused when the rule is created or updated (`CelError`, 400 naming the position):

* anything cel-python cannot parse, and string escapes CEL does not define (cel-python's lexer
  lets `"\\q"` through);
* a name other than `claims`, a function other than `has(claims.x)` and the string methods
  `startsWith`, `endsWith`, `contains` (the subset the sandbox has always accepted: no `matches`,
  `size`, macros or conversions);
* `x in y` unless `y` is a list literal or a claim;
* a condition that is not boolean-shaped (a comparison, `has()`, a method call, `!`, `&&`, `||`
  at the top), or that is constant once the parts that do not read `claims` are evaluated (so
  `true || claims.a == "b"` is refused like `true`);
* more than 4096 characters, 64 `&&`/`||` operators or 32 levels of `(`/`!` nesting.

Evaluation is cel-python's: a missing claim or a type mismatch is an error, `&&` and `||` absorb
an error when the other side decides, and a condition that still ends in an error does not match.
Equality and `in` follow CEL's heterogeneous equality (see `_same`), which cel-python 0.5 lacks.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any, Final, TypeAlias

import celpy
from celpy import celtypes
from celpy.adapter import json_to_cel
from celpy.celparser import CELParseError
from celpy.evaluation import CELEvalError, operator_in
from lark import Token, Tree, UnexpectedCharacters, UnexpectedToken

Node: TypeAlias = "Tree[Token]"
MAX_LENGTH: Final = 4096
MAX_DEPTH: Final = 32
MAX_OPERATORS: Final = 64
_METHODS: Final = ("startsWith", "endsWith", "contains")
_PASS_THROUGH: Final = frozenset(
    ("expr", "conditionalor", "conditionaland", "relation", "addition", "multiplication", "unary", "member")
) | {"primary", "paren_expr"}
"""Grammar levels that, with a single child, are just that child."""
_BOOLEAN_TOPS: Final = ("conditionalor", "conditionaland", "relation", "member_dot_arg", "ident_arg")
"""What a boolean-valued condition can have at its top, besides `!`."""
_ESCAPE: Final = re.compile(r"\\(.)", re.DOTALL)
_CEL_ESCAPES: Final = frozenset("abfnrtv\"'\\`?01234567xuU")
_ENVIRONMENT: Final = celpy.Environment()  # cel-python raises the recursion limit to 2500 here


def _same(a: object, b: object) -> bool:
    """CEL's heterogeneous equality, which cel-python 0.5 lacks: numbers compare by value (`1 ==
    1.0`), a boolean never equals a number (cel-python's booleans are ints), other types differ."""
    if isinstance(a, int | float) and isinstance(b, int | float):
        plain = [float(x) if isinstance(x, float) else int(x) for x in (a, b)]
        return isinstance(a, celtypes.BoolType) == isinstance(b, celtypes.BoolType) and plain[0] == plain[1]
    return type(a) is type(b) and a == b


def _error(*values: object) -> CELEvalError | None:
    return next((value for value in values if isinstance(value, CELEvalError)), None)


_FUNCTIONS: Final[dict[str, Any]] = {
    "_==_": lambda a, b: _error(a, b) or celtypes.BoolType(_same(a, b)),
    "_!=_": lambda a, b: _error(a, b) or celtypes.BoolType(not _same(a, b)),
    "_in_": lambda a, b: (
        _error(a, b)
        or (celtypes.BoolType(any(_same(a, x) for x in b)) if isinstance(b, list) else operator_in(a, b))
    ),
}


class CelError(ValueError):
    """The condition is refused; `position` is 0-based."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at position {position})")
        self.position = position


@dataclass(frozen=True, slots=True)
class Condition:
    source: str
    runner: celpy.Runner
    claims: frozenset[str]
    """The top-level claim names the condition reads (`claims.a.b` reads `a`)."""


def _position(node: Node | Token) -> int:
    token = node if isinstance(node, Token) else next(node.scan_values(lambda v: isinstance(v, Token)))
    return token.start_pos or 0


def _unwrap(node: Node) -> Node:
    while node.data in _PASS_THROUGH and len(node.children) == 1 and isinstance(node.children[0], Tree):
        node = node.children[0]
    return node


def _trees(node: Node) -> list[Node]:
    return [child for child in node.children if isinstance(child, Tree)]


def _arguments(node: Node) -> list[Node]:
    lists = [child for child in _trees(node) if child.data == "exprlist"]
    return _trees(lists[0]) if lists else []


def _constant(node: Node) -> object:
    """The value of a part that does not read `claims` (an error is returned, not raised)."""
    try:
        return _ENVIRONMENT.program(node, functions=_FUNCTIONS).evaluate({})
    except Exception as error:  # cel-python raises or returns its errors
        return error


def _reads_claims(node: Node) -> bool:
    return any(tree.data == "ident" for tree in node.iter_subtrees())


def _claim_name(node: Node) -> str | None:
    """The claim a `claims.x` / `claims["x"]` selection names, if `node` selects on `claims`."""
    target, key = _trees(node)[0], node.children[1]
    if _unwrap(target).data != "ident":
        return None
    if isinstance(key, Token):  # claims.x
        return str(key)
    name = _constant(key)
    return str(name) if isinstance(name, str) else None


def _is_claim(node: Node) -> bool:
    node = _unwrap(node)
    if node.data in ("member_dot", "member_index"):
        return _is_claim(_trees(node)[0])
    return bool(node.data == "ident")


def _check(node: Node, claims: set[str]) -> None:
    """Refuses names, functions and `in` operands outside the subset; collects the claims read."""
    kind = node.data
    if kind in ("ident", "ident_arg", "dot_ident", "dot_ident_arg"):
        name = str(next(child for child in node.children if isinstance(child, Token)))
        if kind == "ident" and name == "claims":
            return
        if kind != "ident_arg" or name != "has":
            raise CelError(
                f"unknown name {name!r}: a condition may reference only the 'claims' variable",
                _position(node),
            )
        arguments = _arguments(node)
        selected = _unwrap(arguments[0]) if len(arguments) == 1 else None
        if selected is None or selected.data != "member_dot" or not _is_claim(selected):
            raise CelError("has() takes a claim such as has(claims.name)", _position(node))
    elif kind == "member_dot_arg":
        name = str(node.children[1])
        if name not in _METHODS:
            raise CelError(
                f"unsupported function {name!r}; supported: {', '.join(_METHODS)}", _position(node)
            )
        if len(_arguments(node)) != 1:
            raise CelError(f"{name}() takes one argument", _position(node))
    elif kind == "relation" and len(node.children) == 2 and _trees(node)[0].data == "relation_in":
        right = _unwrap(_trees(node)[1])
        if right.data != "list_lit" and not _is_claim(right):
            raise CelError("the right side of 'in' must be a list or a claim", _position(right))
    claim = _claim_name(node) if kind in ("member_dot", "member_index") else None
    if claim is not None:
        claims.add(claim)
    for child in _trees(node):
        _check(child, claims)


def _fold(node: Node) -> object:
    """The condition's value when it does not depend on the claims, else None."""
    node = _unwrap(node)
    if not _reads_claims(node):
        value = _constant(node)
        return bool(value) if isinstance(value, celtypes.BoolType) else None
    children = _trees(node)
    if node.data in ("conditionalor", "conditionaland") and len(children) == 2:
        decisive = node.data == "conditionalor"  # true decides ||, false decides &&
        left, right = _fold(children[0]), _fold(children[1])
        if decisive in (left, right):
            return decisive
        if isinstance(left, bool) and isinstance(right, bool):
            return not decisive
    if node.data == "unary" and children[0].data == "unary_not":
        inner = _fold(children[1])
        return None if inner is None else not inner
    return None


def _limits(tree: Node) -> None:
    """Size limits, checked without recursion (the tree of a long condition is deep)."""
    operators = 0
    stack: list[tuple[Node, int]] = [(tree, 0)]
    while stack:
        node, depth = stack.pop()
        children = _trees(node)
        if node.data in ("conditionalor", "conditionaland") and len(children) == 2:
            operators += 1
            if operators > MAX_OPERATORS:
                raise CelError(f"more than {MAX_OPERATORS} '&&'/'||' operators", _position(children[1]))
        if node.data in ("paren_expr", "unary_not"):
            depth += 1
            if depth > MAX_DEPTH:
                raise CelError(f"nested more than {MAX_DEPTH} levels deep", _position(node))
        stack.extend((child, depth) for child in children)
    for token in tree.scan_values(lambda v: isinstance(v, Token) and v.type.endswith("STRING_LIT")):
        for escape in [] if token.startswith(("r", "R")) else _ESCAPE.finditer(token):
            if escape.group(1) not in _CEL_ESCAPES:
                raise CelError(f"unsupported escape \\{escape.group(1)} in a string", token.start_pos or 0)


def _parse(source: str) -> Node:
    try:
        return _ENVIRONMENT.compile(source)
    except CELParseError as error:
        cause = error.__context__
        if isinstance(cause, UnexpectedCharacters):
            position = cause.pos_in_stream or 0
            raise CelError(f"unexpected character {source[position]!r}", position) from None
        if isinstance(cause, UnexpectedToken) and cause.token.type != "$END":
            raise CelError(f"unexpected {str(cause.token)!r}", cause.token.start_pos or 0) from None
        raise CelError("unexpected end of expression", len(source)) from None


def compile_condition(source: str) -> Condition:
    """The checked condition, or `CelError` with the reason it is refused."""
    if len(source) > MAX_LENGTH:
        raise CelError(f"longer than {MAX_LENGTH} characters", MAX_LENGTH)
    tree = _parse(source)
    _limits(tree)
    claims: set[str] = set()
    _check(tree, claims)
    folded = _fold(tree)
    if folded is True:
        raise CelError("a constant-true condition matches every token and is not allowed", 0)
    if folded is not None or not _reads_claims(tree):
        raise CelError("the condition is constant: it must depend on the token's claims", 0)
    top = _unwrap(tree)
    if top.data not in _BOOLEAN_TOPS and not (top.data == "unary" and _trees(top)[0].data == "unary_not"):
        raise CelError("must evaluate to a boolean (a comparison, has(), a method call or a logical)", 0)
    return Condition(source, _ENVIRONMENT.program(tree, functions=_FUNCTIONS), frozenset(claims))


def matches(condition: Condition, claims: Mapping[str, object]) -> bool:
    """Whether the condition holds for these claims (an evaluation error does not match)."""
    try:
        result = condition.runner.evaluate({"claims": json_to_cel(dict(claims))})
    except Exception:  # cel-python raises or returns its errors: either way, no match
        return False
    return isinstance(result, celtypes.BoolType) and bool(result)
