"""The small subset of CEL the sandbox understands in a federation rule's `match.condition`.

The real API evaluates full CEL over the verified token's `claims`. The sandbox parses this subset
and refuses anything else when the rule is created or updated (400 naming the position), so a
rule the sandbox accepts is one it can evaluate exactly:

* literals: strings in double or single quotes (with backslash escapes), integers, `true`,
  `false`, `null`, and lists of literals `["a", "b"]`;
* claim access: `claims.name`, `claims["name-with-dashes"]`, chained for nested objects
  (`claims.kubernetes.namespace`); `claims` is the only variable;
* `has(claims.name)`: whether the claim is present;
* comparisons `==`, `!=`, `<`, `<=`, `>`, `>=`; membership `x in [..]` or `x in claims.list`;
* string methods `.startsWith(s)`, `.endsWith(s)`, `.contains(s)` (no `matches`: RE2 and
  Python regexes differ, so the sandbox would evaluate some patterns differently);
* `!`, `&&`, `||` and parentheses.

The whole expression must be boolean-valued (a comparison, a method call, `has`, a logical
operator or `!` at the top), must reference `claims`, and must not be constant-true: constant
subexpressions are folded, so `true || claims.a == "b"` is refused like `true`.

Evaluation follows CEL where it matters for matching: a missing claim or a type mismatch is an
error, `&&` and `||` absorb an error when the other side decides the result, and an expression
that still ends in an error does not match. Equality between different types is false (and a
boolean never equals a number, unlike in Python).
"""

from __future__ import annotations

import operator
import re
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, Final, Literal, TypeAlias

MAX_LENGTH: Final = 4096
MAX_DEPTH: Final = 32
MAX_OPERATORS: Final = 64
"""At most this many `&&`/`||`: evaluation recurses once per operator."""

Value: TypeAlias = str | int | float | bool | None

_TOKEN: Final = re.compile(
    r"""
    (?P<space>\s+)
  | (?P<string>"(?:[^"\\\n]|\\.)*"|'(?:[^'\\\n]|\\.)*')
  | (?P<number>\d+(?:\.\d+)?)
  | (?P<op>==|!=|<=|>=|&&|\|\||[<>!()\[\].,])
  | (?P<name>[A-Za-z_][A-Za-z0-9_]*)
    """,
    re.VERBOSE,
)
_ESCAPES: Final = {"n": "\n", "t": "\t", "r": "\r", "\\": "\\", '"': '"', "'": "'"}
_METHODS: Final = ("startsWith", "endsWith", "contains")
_COMPARISONS: Final = ("==", "!=", "<", "<=", ">", ">=", "in")
_ORDER: Final[dict[str, Callable[[Any, Any], bool]]] = {
    "<": operator.lt,
    "<=": operator.le,
    ">": operator.gt,
    ">=": operator.ge,
}


class CelError(ValueError):
    """The condition is outside the supported subset or malformed; `position` is 0-based."""

    def __init__(self, message: str, position: int) -> None:
        super().__init__(f"{message} (at position {position})")
        self.position = position


class _EvalError(Exception):
    """A CEL runtime error (missing claim, type mismatch): the condition does not match."""


# -- the syntax tree ------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Const:
    value: Value


@dataclass(frozen=True, slots=True)
class Claim:
    path: tuple[str, ...]
    """`claims.a.b` is ("a", "b"); `claims` alone is ()."""


@dataclass(frozen=True, slots=True)
class ListExpr:
    items: tuple[Node, ...]


@dataclass(frozen=True, slots=True)
class Has:
    claim: Claim


@dataclass(frozen=True, slots=True)
class Method:
    name: str
    target: Node
    argument: Node


@dataclass(frozen=True, slots=True)
class Compare:
    op: str
    left: Node
    right: Node


@dataclass(frozen=True, slots=True)
class Not:
    operand: Node


@dataclass(frozen=True, slots=True)
class Logical:
    op: Literal["&&", "||"]
    left: Node
    right: Node


Node: TypeAlias = Const | Claim | ListExpr | Has | Method | Compare | Not | Logical
_BOOLEAN_NODES: Final = (Has, Method, Compare, Not, Logical)


# -- parsing --------------------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class _Token:
    kind: str
    text: str
    position: int


def _tokens(source: str) -> list[_Token]:
    out: list[_Token] = []
    position = 0
    while position < len(source):
        match = _TOKEN.match(source, position)
        if match is None:
            raise CelError(f"unexpected character {source[position]!r}", position)
        kind = match.lastgroup or ""
        if kind != "space":
            out.append(_Token(kind, match.group(), position))
        position = match.end()
    out.append(_Token("end", "", len(source)))
    return out


def _unquote(text: str, position: int) -> str:
    body = text[1:-1]
    out: list[str] = []
    index = 0
    while index < len(body):
        char = body[index]
        if char == "\\":
            escaped = body[index + 1]
            if escaped not in _ESCAPES:
                raise CelError(f"unsupported escape \\{escaped} in a string", position + index + 1)
            out.append(_ESCAPES[escaped])
            index += 2
        else:
            out.append(char)
            index += 1
    return "".join(out)


class _Parser:
    def __init__(self, source: str) -> None:
        self.tokens = _tokens(source)
        self.index = 0
        self.depth = 0
        self.operators = 0

    @property
    def token(self) -> _Token:
        return self.tokens[self.index]

    def take(self, text: str | None = None, kind: str | None = None) -> _Token | None:
        token = self.token
        if (text is None or token.text == text) and (kind is None or token.kind == kind):
            if token.kind == "end":
                return None
            self.index += 1
            return token
        return None

    def expect(self, text: str) -> _Token:
        token = self.take(text)
        if token is None:
            raise CelError(f"expected {text!r}, found {self.describe()}", self.token.position)
        return token

    def describe(self) -> str:
        return "end of expression" if self.token.kind == "end" else repr(self.token.text)

    def nested(self) -> None:
        self.depth += 1
        if self.depth > MAX_DEPTH:
            raise CelError(f"nested more than {MAX_DEPTH} levels deep", self.token.position)

    def parse(self) -> Node:
        node = self.or_()
        if self.token.kind != "end":
            raise CelError(f"unexpected {self.describe()}", self.token.position)
        return node

    def or_(self) -> Node:
        node = self.and_()
        while self.take("||"):
            self.operator()
            node = Logical("||", node, self.and_())
        return node

    def and_(self) -> Node:
        node = self.unary()
        while self.take("&&"):
            self.operator()
            node = Logical("&&", node, self.unary())
        return node

    def operator(self) -> None:
        self.operators += 1
        if self.operators > MAX_OPERATORS:
            raise CelError(f"more than {MAX_OPERATORS} '&&'/'||' operators", self.token.position)

    def unary(self) -> Node:
        if self.take("!"):
            self.nested()
            node: Node = Not(self.unary())
            self.depth -= 1
            return node
        return self.comparison()

    def comparison(self) -> Node:
        left = self.postfix()
        token = self.token
        if token.text in _COMPARISONS and token.kind in ("op", "name"):
            self.index += 1
            right = self.postfix()
            if token.text == "in" and not isinstance(right, ListExpr | Claim):
                raise CelError("the right side of 'in' must be a list or a claim", token.position)
            return Compare(token.text, left, right)
        return left

    def postfix(self) -> Node:
        node = self.primary()
        while self.token.text in (".", "["):
            start = self.token.position
            if self.take("["):
                key = self.take(kind="string")
                if key is None or not isinstance(node, Claim):
                    raise CelError('only claims["name"] indexing with a string is supported', start)
                self.expect("]")
                node = Claim((*node.path, _unquote(key.text, key.position)))
                continue
            self.expect(".")
            name = self.take(kind="name")
            if name is None:
                raise CelError(f"expected a name after '.', found {self.describe()}", self.token.position)
            if self.take("("):
                if name.text not in _METHODS:
                    raise CelError(
                        f"unsupported function {name.text!r}; supported: {', '.join(_METHODS)}",
                        name.position,
                    )
                argument = self.or_()
                self.expect(")")
                node = Method(name.text, node, argument)
            elif isinstance(node, Claim):
                node = Claim((*node.path, name.text))
            else:
                raise CelError("fields can only be selected on claims", name.position)
        return node

    def primary(self) -> Node:
        token = self.token
        if self.take("("):
            self.nested()
            node = self.or_()
            self.expect(")")
            self.depth -= 1
            return node
        if self.take("["):
            items: list[Node] = []
            if not self.take("]"):
                while True:
                    item = self.primary()
                    if not isinstance(item, Const):
                        raise CelError("list items must be literals", token.position)
                    items.append(item)
                    if self.take("]"):
                        break
                    self.expect(",")
            return ListExpr(tuple(items))
        if self.take(kind="string"):
            return Const(_unquote(token.text, token.position))
        if self.take(kind="number"):
            return Const(float(token.text) if "." in token.text else int(token.text))
        if self.take(kind="name"):
            if token.text in ("true", "false"):
                return Const(token.text == "true")
            if token.text == "null":
                return Const(None)
            if token.text == "claims":
                return Claim(())
            if token.text == "has":
                self.expect("(")
                claim = self.postfix()
                self.expect(")")
                if not isinstance(claim, Claim) or not claim.path:
                    raise CelError("has() takes a claim such as has(claims.name)", token.position)
                return Has(claim)
            raise CelError(
                f"unknown name {token.text!r}: a condition may reference only the 'claims' variable",
                token.position,
            )
        raise CelError(f"unexpected {self.describe()}", token.position)


# -- static checks --------------------------------------------------------------------------------


_UNKNOWN: Final = object()


def _fold(node: Node) -> object:
    """The node's value when it does not depend on the claims, else `_UNKNOWN`."""
    if isinstance(node, Const):
        return node.value
    if isinstance(node, Claim | Has):
        return _UNKNOWN
    if isinstance(node, ListExpr):
        return [item.value for item in node.items if isinstance(item, Const)]
    if isinstance(node, Not):
        inner = _fold(node.operand)
        return not inner if isinstance(inner, bool) else _UNKNOWN
    if isinstance(node, Logical):
        left, right = _fold(node.left), _fold(node.right)
        decisive = node.op == "||"  # true decides ||, false decides &&
        if left is decisive or right is decisive:
            return decisive
        if isinstance(left, bool) and isinstance(right, bool):
            return left and right if node.op == "&&" else left or right
        return _UNKNOWN
    parts = (node.left, node.right) if isinstance(node, Compare) else (node.target, node.argument)
    if any(_fold(part) is _UNKNOWN for part in parts):
        return _UNKNOWN
    try:
        return _evaluate(node, {})
    except _EvalError:
        return _UNKNOWN


def compile_condition(source: str) -> Node:
    """The parsed condition, or `CelError` with the reason it is refused."""
    if len(source) > MAX_LENGTH:
        raise CelError(f"longer than {MAX_LENGTH} characters", MAX_LENGTH)
    node = _Parser(source).parse()
    folded = _fold(node)
    if folded is True:
        raise CelError("a constant-true condition matches every token and is not allowed", 0)
    if folded is not _UNKNOWN:
        raise CelError("the condition is constant: it must depend on the token's claims", 0)
    if not isinstance(node, _BOOLEAN_NODES):
        raise CelError("must evaluate to a boolean (a comparison, has(), a method call or a logical)", 0)
    return node


# -- evaluation -----------------------------------------------------------------------------------


def _claim(claims: Mapping[str, object], path: Sequence[str]) -> object:
    value: object = claims
    for name in path:
        if not isinstance(value, Mapping) or name not in value:
            raise _EvalError(f"no such claim {'.'.join(path)}")
        value = value[name]
    return value


def _same_kind(left: object, right: object) -> bool:
    def kind(value: object) -> str:
        if isinstance(value, bool):
            return "bool"
        if isinstance(value, int | float):
            return "number"
        return type(value).__name__

    return kind(left) == kind(right)


def _compare(op: str, left: object, right: object) -> bool:
    if op == "in":
        if not isinstance(right, list):
            raise _EvalError("'in' needs a list")
        return any(_same_kind(left, item) and left == item for item in right)
    if op in ("==", "!="):
        equal = _same_kind(left, right) and left == right
        return equal if op == "==" else not equal
    if isinstance(left, str) and isinstance(right, str):
        return _ORDER[op](left, right)
    if _is_number(left) and _is_number(right):
        return _ORDER[op](left, right)
    raise _EvalError(f"cannot order {type(left).__name__} and {type(right).__name__}")


def _is_number(value: object) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _evaluate(node: Node, claims: Mapping[str, object]) -> object:
    if isinstance(node, Const):
        return node.value
    if isinstance(node, Claim):
        return _claim(claims, node.path)
    if isinstance(node, ListExpr):
        return [item.value for item in node.items if isinstance(item, Const)]
    if isinstance(node, Has):
        try:
            _claim(claims, node.claim.path)
        except _EvalError:
            return False
        return True
    if isinstance(node, Method):
        target, argument = _evaluate(node.target, claims), _evaluate(node.argument, claims)
        if not isinstance(target, str) or not isinstance(argument, str):
            raise _EvalError(f"{node.name}() works on strings")
        if node.name == "startsWith":
            return target.startswith(argument)
        if node.name == "endsWith":
            return target.endswith(argument)
        return argument in target
    if isinstance(node, Compare):
        return _compare(node.op, _evaluate(node.left, claims), _evaluate(node.right, claims))
    if isinstance(node, Not):
        value = _evaluate(node.operand, claims)
        if not isinstance(value, bool):
            raise _EvalError("'!' needs a boolean")
        return not value
    return _logical(node, claims)


def _logical(node: Logical, claims: Mapping[str, object]) -> bool:
    """CEL's commutative `&&`/`||`: an error on one side is absorbed if the other side decides."""
    decisive = node.op == "||"
    results: list[bool | _EvalError] = []
    for side in (node.left, node.right):
        try:
            value = _evaluate(side, claims)
            if not isinstance(value, bool):
                raise _EvalError(f"'{node.op}' needs booleans")
        except _EvalError as error:
            results.append(error)
            continue
        if value is decisive:
            return decisive
        results.append(value)
    for result in results:
        if isinstance(result, _EvalError):
            raise result
    return not decisive


def matches(node: Node, claims: Mapping[str, object]) -> bool:
    """Whether a compiled condition holds for these claims (an evaluation error does not match)."""
    try:
        return _evaluate(node, claims) is True
    except _EvalError:
        return False


def referenced_claims(node: Node) -> set[str]:
    """The top-level claim names a condition reads (`claims.a.b` reads `a`)."""
    if isinstance(node, Claim):
        return set(node.path[:1])
    if isinstance(node, Has):
        return referenced_claims(node.claim)
    if isinstance(node, ListExpr | Const):
        return set()
    if isinstance(node, Not):
        return referenced_claims(node.operand)
    if isinstance(node, Method):
        return referenced_claims(node.target) | referenced_claims(node.argument)
    return referenced_claims(node.left) | referenced_claims(node.right)
