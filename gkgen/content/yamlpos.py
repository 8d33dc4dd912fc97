"""YAML that remembers where each value was written.

PyYAML's composer (libyaml's, when available) gives every node its line and
column; we keep them in a map from the value's path (e.g. ``("requests",
"new", 3)``) to its position, so that a validation error points an editor at
the exact character to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal

import yaml

_UNTAGGED = "gkgen:untagged"  # what a node without an explicit tag (!!str, !foo) is given


def _untagged(self, kind, value, implicit) -> str:
    """Give every node without an explicit tag one mark, so that any explicit tag can be refused."""
    return _UNTAGGED


# libyaml's composer is several times faster; the pure-Python one gives the same nodes. Either calls
# ``resolve`` only for nodes written without a tag, so ours marks them and leaves explicit tags visible.
_Composer = type("_Composer", (getattr(yaml, "CBaseLoader", yaml.BaseLoader),), {"resolve": _untagged})
_Events = getattr(yaml, "CBaseLoader", yaml.BaseLoader)

Path = tuple  # a tuple of mapping keys (str) and sequence indexes (int)

MAX_DEPTH = 32  # a report nests four levels; deeper is a mistake or an attack on the recursion
MAX_NUMERAL = 30  # characters: longer "numbers" are refused before Python converts them

# Scalars are resolved as YAML 1.2's core schema does, for decimals only: no YAML 1.1 octal (010 → 8),
# sexagesimal (1:30 → 90), underscores (1_000), hexadecimal, exponents or .inf/.nan. What looks like a
# number but is not written as a plain decimal is reported instead of guessed at.
_NULLS = frozenset(("", "~", "null", "Null", "NULL"))
_TRUE = frozenset(("true", "True", "TRUE"))
_FALSE = frozenset(("false", "False", "FALSE"))
_INT = re.compile(r"[-+]?(?:0|[1-9][0-9]*)")
_DECIMAL = re.compile(r"[-+]?(?:0|[1-9][0-9]*)\.[0-9]+")
# What YAML 1.1 or 1.2 readers take for a number (int, float, octal, hex, binary, sexagesimal, inf, nan).
_NUMBER_LIKE = re.compile(
    r"[-+]?(?:[0-9][0-9_]*(?::[0-5]?[0-9])+(?:\.[0-9_]*)?"
    r"|0[xX][0-9a-fA-F_]+|0[oO][0-7_]+|0[bB][01_]+"
    r"|[0-9_]*\.?[0-9_]+(?:[eE][-+]?[0-9]+)?|[0-9][0-9_]*\.(?:[eE][-+]?[0-9]+)?"
    r"|\.(?:inf|Inf|INF|nan|NaN|NAN))"
)


@dataclass(frozen=True)
class Position:
    line: int  # 1-based
    col: int  # 1-based


@dataclass(frozen=True)
class Problem:
    """Something wrong with one value as written, found while reading it (the value itself is kept as text)."""

    position: Position
    rule: str
    message: str
    hint: str | None = None


class YamlSyntaxError(Exception):
    """A file that cannot be read at all; ``hint`` says what to do when the generic one would mislead."""

    def __init__(self, message: str, position: Position, hint: str | None = None):
        super().__init__(message)
        self.message = message
        self.position = position
        self.hint = hint


class Numeral(str):
    """A plain scalar that looks like a number but is not a plain decimal (010, 0x10, 1:30, 1e5, .nan).

    It stays text, so that nothing reads it as 8, 16 or 90; a Problem at its position says why."""


@dataclass(frozen=True)
class Document:
    """A parsed YAML document: plain Python values, and the node tree that knows where each was written.

    Positions are looked up in the node tree only when a diagnostic needs one,
    so that loading a valid file costs no bookkeeping.
    """

    value: object
    root: yaml.Node | None
    duplicate_keys: tuple[tuple[str, Position], ...]
    problems: tuple[Problem, ...] = ()

    @property
    def flagged(self) -> frozenset[Position]:
        """Positions of values a Problem already explains (no second diagnostic is needed there)."""
        return frozenset(p.position for p in self.problems)

    def _node(self, path: Path) -> tuple[yaml.Node | None, yaml.Node | None]:
        """The value node at ``path`` (or its nearest ancestor) and the key node of its last step."""
        node, key_node = self.root, None
        for step in path:
            child = None
            if isinstance(node, yaml.MappingNode):
                for k, v in node.value:  # the last one wins, as in the value
                    if isinstance(k, yaml.ScalarNode) and k.value == step:
                        key_node, child = k, v
            elif (
                isinstance(node, yaml.SequenceNode) and isinstance(step, int) and 0 <= step < len(node.value)
            ):
                child, key_node = node.value[step], None
            if child is None:
                return node, None
            node = child
        return node, key_node

    def position(self, path: Path) -> Position:
        """Where the value at ``path`` was written, or the nearest written ancestor."""
        node, _ = self._node(path)
        return _mark(node) if node is not None else Position(1, 1)

    def key_position(self, path: Path) -> Position:
        node, key_node = self._node(path)
        if key_node is not None:
            return _mark(key_node)
        return _mark(node) if node is not None else Position(1, 1)


def _mark(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def _scalar(node: yaml.ScalarNode, problems: list[Problem]) -> object:
    """Turn a scalar node into a value: quoted scalars are text; plain ones are null, a boolean, an int,
    an exact Decimal (24252.311082 stays 24252.311082) or text. Timestamps stay text, so a date is
    checked as typed; a numeral that is not a plain decimal is kept as text and reported."""
    text = node.value
    if node.style:  # quoted or block scalar ('' or None means plain: libyaml and PyYAML differ)
        return text
    if text.isascii() and text.isdigit() and (text[0] != "0" or text == "0") and len(text) <= MAX_NUMERAL:
        return int(text)  # the fast path: the digits that fill report tables
    if text in _NULLS:
        return None
    if text in _TRUE or text in _FALSE:
        return text in _TRUE
    if not _NUMBER_LIKE.fullmatch(text):
        return text
    problem = _numeral_problem(text)
    if problem is None:
        return int(text) if _INT.fullmatch(text) else Decimal(text)
    message, hint = problem
    problems.append(Problem(_mark(node), "number", message, hint))
    return Numeral(text)


def _numeral_problem(text: str) -> tuple[str, str] | None:
    """Why a number-like plain scalar is not accepted as a number, or None if it is a plain decimal."""
    quote = "若这是文字而不是数字，请加引号"
    if len(text) > MAX_NUMERAL:
        return (
            f"数字过长（{len(text)} 个字符）：{text[:12]}…",
            f"年度报告中的数字不会超过 {MAX_NUMERAL} 位；请核对原报告",
        )
    if _INT.fullmatch(text) or _DECIMAL.fullmatch(text):
        return None
    unsigned = text.lstrip("+-")
    if unsigned[1:2] in ("x", "X", "o", "O", "b", "B") and unsigned[0] == "0":
        reason = "是十六进制、八进制或二进制写法"
    elif ":" in text:
        reason = "含冒号，会被部分 YAML 读取器当作六十进制数（1:30 = 90）"
    elif "_" in text:
        reason = "含下划线分隔符"
    elif "e" in text.lower() and not unsigned.startswith("."):
        reason = "是科学计数法"
    elif unsigned.lower() in (".inf", ".nan"):
        reason = "不是有限的数"
    elif unsigned[:1] == "0" and unsigned[1:2].isdigit():
        reason = "以 0 开头（会被部分 YAML 读取器当作八进制数：010 = 8）"
    else:
        reason = "不是完整的十进制写法（如 .5 应写 0.5）"
    return f"`{text}` 不是普通的十进制数字：{reason}", f"请照原报告写十进制数字（如 10、2.5）；{quote}"


# libyaml's messages, said in the editors' language (the original stays in brackets for searching).
_MESSAGES = (
    ("did not find expected ',' or ']'", "列表缺少逗号或右方括号 ]"),
    ("did not find expected ',' or '}'", "映射缺少逗号或右花括号 }"),
    ("found character that cannot start any token", "出现了不能用在此处的字符（常见：Tab 缩进、全角符号）"),
    ("mapping values are not allowed here", "此处不能出现冒号“: ”（冒号后要有空格；文字中含冒号请加引号）"),
    ("did not find expected key", "缩进不一致或缺少键"),
    ("did not find expected node content", "缺少值"),
    ("found duplicate anchor", "锚点重复"),
    ("found undefined alias", "使用了未定义的别名 *"),
    ("could not find expected ':'", "缺少冒号“:”"),
    ("found unexpected end of stream", "文件意外结束（引号或括号未闭合）"),
    ("exceeded maximum nesting depth", "嵌套层次过深"),
    ("expected a single document", "文件中只能有一个 YAML 文档（删除多余的 --- 行）"),
    ("expected <block end>, but found", "缩进不一致"),
)


def _in_chinese(problem: str, context: str | None) -> str:
    for english, chinese in _MESSAGES:
        if english in problem:
            return f"{chinese}（{problem}）"
    return f"{context}, {problem}" if context else problem


def parse(text: str) -> Document:
    """Parse one YAML document; raise YamlSyntaxError with the position of the problem.

    Content is plain data: an explicit tag (!!str, !!python/object, !foo) or an alias (*a, which can
    expand a few lines into billions of values) makes the file unreadable, at the position written."""
    try:
        root = yaml.compose(text, Loader=_Composer)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        position = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
        raise YamlSyntaxError(_in_chinese(exc.problem or str(exc), exc.context), position) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(str(exc), Position(1, 1)) from None

    duplicates: list[tuple[str, Position]] = []
    problems: list[Problem] = []
    seen: set[int] = set()  # ids of the nodes met: a node met twice was reached through an alias

    def build(node: yaml.Node, depth: int) -> object:
        _refuse_tag_alias_depth(node, depth, seen, text)
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node, problems)
        if isinstance(node, yaml.SequenceNode):
            return [build(item, depth + 1) for item in node.value]
        result: dict = {}
        for key_node, value_node in node.value:
            key = build(key_node, depth + 1) if isinstance(key_node, yaml.ScalarNode) else None
            if not isinstance(key_node, yaml.ScalarNode):
                raise YamlSyntaxError(
                    "键只能是文字，不能是列表或映射", _mark(key_node), "检查是否多写了“? ”或括号"
                )
            key = key if isinstance(key, str) else str(key)
            if key in result:
                duplicates.append((key, _mark(key_node)))
            result[key] = build(value_node, depth + 1)
        return result

    value = build(root, 0) if root is not None else None
    return Document(value, root, tuple(duplicates), tuple(problems))


def _refuse_tag_alias_depth(node: yaml.Node, depth: int, seen: set[int], text: str) -> None:
    if node.tag != _UNTAGGED:
        tag = node.tag.replace("tag:yaml.org,2002:", "!!")
        raise YamlSyntaxError(
            f"不允许使用 YAML 标签 `{tag}`",
            _mark(node),
            '请删除标签：数字直接写（如 5），文字加引号（如 "5"）',
        )
    if id(node) in seen:
        raise YamlSyntaxError(
            "不允许使用 YAML 锚点和别名（& 与 *）",
            _first_alias(text) or _mark(node),
            "请把每个值照原报告直接写出，不要引用别处的值",
        )
    seen.add(id(node))
    if depth > MAX_DEPTH:
        raise YamlSyntaxError(f"嵌套超过 {MAX_DEPTH} 层", _mark(node), "报告文件最多嵌套四层：表格 → 行 → 值")


def _first_alias(text: str) -> Position | None:
    """Where the first alias (*name) is written: read again only when the tree showed one."""
    try:
        for event in yaml.parse(text, Loader=_Events):
            if isinstance(event, yaml.AliasEvent):
                return Position(event.start_mark.line + 1, event.start_mark.column + 1)
    except yaml.YAMLError:  # pragma: no cover - the text was composed once already
        pass
    return None
