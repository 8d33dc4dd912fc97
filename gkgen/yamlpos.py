"""YAML that remembers where each value was written.

PyYAML's composer (libyaml's, when available) gives every node its line and
column; we keep them in a map from the value's path (e.g. ``("requests",
"new", 3)``) to its position, so that a validation error points an editor at
the exact character to fix.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

import yaml

try:  # libyaml is several times faster; the pure-Python composer gives the same nodes
    _Composer = yaml.CBaseLoader  # composes without resolving tags: we resolve plain scalars below
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Composer = yaml.BaseLoader
    _Loader = yaml.SafeLoader

Path = tuple  # a tuple of mapping keys (str) and sequence indexes (int)

_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_NULL_TAG = "tag:yaml.org,2002:null"
_DECIMAL_TEXT = re.compile(r"^[-+]?(\d[\d_]*)?\.?\d[\d_]*([eE][-+]?\d+)?$")
_RESOLVER = _Loader("")  # PyYAML's YAML 1.1 implicit resolver and constructors, for the uncommon scalars
_PLAIN = (True, False)


@dataclass(frozen=True)
class Position:
    line: int  # 1-based
    col: int  # 1-based


class YamlSyntaxError(Exception):
    def __init__(self, message: str, position: Position):
        super().__init__(message)
        self.message = message
        self.position = position


@dataclass(frozen=True)
class Document:
    """A parsed YAML document: plain Python values, and the node tree that knows where each was written.

    Positions are looked up in the node tree only when a diagnostic needs one,
    so that loading a valid file costs no bookkeeping.
    """

    value: object
    root: yaml.Node | None
    duplicate_keys: tuple[tuple[str, Position], ...]

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


def _scalar(node: yaml.ScalarNode) -> object:
    """Turn a scalar node into a value, keeping decimals exact.

    Quoted scalars are text. Plain ones are resolved as PyYAML's safe loader
    would (YAML 1.1), with a fast path for the digits that fill report tables;
    floats become Decimal built from the text as written (24252.311082 stays
    24252.311082) and timestamps stay text, so a date is checked as typed.
    """
    text = node.value
    if node.style:  # quoted or block scalar ('' or None means plain: libyaml and PyYAML differ)
        return text
    if text.isdigit() and text.isascii() and (text[0] != "0" or text == "0"):
        return int(text)
    tag = _RESOLVER.resolve(yaml.ScalarNode, text, _PLAIN)
    if tag == _NULL_TAG:
        return None
    if tag == _BOOL_TAG:
        return text.lower() in ("true", "yes", "on", "y")
    if tag == _INT_TAG:
        return _RESOLVER.construct_yaml_int(yaml.ScalarNode(tag, text))
    if tag == _FLOAT_TAG:
        cleaned = text.replace("_", "")
        if _DECIMAL_TEXT.match(cleaned):
            try:
                return Decimal(cleaned)
            except InvalidOperation:  # pragma: no cover - the regex admits only valid decimals
                pass
    return text  # str, timestamps, .inf/.nan (refused by validation)


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
    ("expected <block end>, but found", "缩进不一致"),
)


def _in_chinese(problem: str, context: str | None) -> str:
    for english, chinese in _MESSAGES:
        if english in problem:
            return f"{chinese}（{problem}）"
    return f"{context}, {problem}" if context else problem


def parse(text: str) -> Document:
    """Parse one YAML document; raise YamlSyntaxError with the position of the problem."""
    try:
        root = yaml.compose(text, Loader=_Composer)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        position = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
        raise YamlSyntaxError(_in_chinese(exc.problem or str(exc), exc.context), position) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(str(exc), Position(1, 1)) from None

    duplicates: list[tuple[str, Position]] = []

    def build(node: yaml.Node) -> object:
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return [build(item) for item in node.value]
        result: dict = {}
        for key_node, value_node in node.value:
            key = build(key_node) if isinstance(key_node, yaml.ScalarNode) else repr(key_node)
            key = key if isinstance(key, str) else str(key)
            if key in result:
                duplicates.append((key, _mark(key_node)))
            result[key] = build(value_node)
        return result

    value = build(root) if root is not None else None
    return Document(value, root, tuple(duplicates))
