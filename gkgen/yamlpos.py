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
    _Loader = yaml.CSafeLoader
except AttributeError:  # pragma: no cover - depends on how PyYAML was built
    _Loader = yaml.SafeLoader

Path = tuple  # a tuple of mapping keys (str) and sequence indexes (int)

_INT_TAG = "tag:yaml.org,2002:int"
_FLOAT_TAG = "tag:yaml.org,2002:float"
_BOOL_TAG = "tag:yaml.org,2002:bool"
_NULL_TAG = "tag:yaml.org,2002:null"
_STR_TAG = "tag:yaml.org,2002:str"
_DECIMAL_TEXT = re.compile(r"^[-+]?(\d[\d_]*)?\.?\d[\d_]*([eE][-+]?\d+)?$")


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
    """A parsed YAML document: plain Python values plus where each was written."""

    value: object
    values_at: dict[Path, Position]  # position of each value node
    keys_at: dict[Path, Position]  # position of each mapping key (path includes the key)
    duplicate_keys: tuple[tuple[Path, Position], ...]

    def position(self, path: Path) -> Position:
        """Where the value at ``path`` was written, or the nearest written ancestor."""
        while path:
            if path in self.values_at:
                return self.values_at[path]
            path = path[:-1]
        return self.values_at.get((), Position(1, 1))

    def key_position(self, path: Path) -> Position:
        return self.keys_at.get(path) or self.position(path)


def _mark(node: yaml.Node) -> Position:
    return Position(node.start_mark.line + 1, node.start_mark.column + 1)


def _scalar(node: yaml.ScalarNode) -> object:
    """Turn a scalar node into a value, keeping decimals exact.

    Floats become Decimal built from the text as written (24252.311082 stays
    24252.311082). Timestamps stay text, so a date is checked as the editor
    typed it.
    """
    tag, text = node.tag, node.value
    if tag == _NULL_TAG:
        return None
    if tag == _BOOL_TAG:
        return text.lower() in ("true", "yes", "on", "y")
    if tag == _INT_TAG:
        return _Loader.construct_yaml_int(_CONSTRUCTOR, node)
    if tag == _FLOAT_TAG:
        cleaned = text.replace("_", "")
        if _DECIMAL_TEXT.match(cleaned):
            try:
                return Decimal(cleaned)
            except InvalidOperation:  # pragma: no cover - regex admits only valid decimals
                pass
        return text  # .inf, .nan: left as text, refused by validation
    return text


_CONSTRUCTOR = _Loader("")


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
        root = yaml.compose(text, Loader=_Loader)
    except yaml.MarkedYAMLError as exc:
        mark = exc.problem_mark or exc.context_mark
        position = Position(mark.line + 1, mark.column + 1) if mark else Position(1, 1)
        raise YamlSyntaxError(_in_chinese(exc.problem or str(exc), exc.context), position) from None
    except yaml.YAMLError as exc:
        raise YamlSyntaxError(str(exc), Position(1, 1)) from None

    values_at: dict[Path, Position] = {}
    keys_at: dict[Path, Position] = {}
    duplicates: list[tuple[Path, Position]] = []

    def build(node: yaml.Node, path: Path) -> object:
        values_at[path] = _mark(node)
        if isinstance(node, yaml.ScalarNode):
            return _scalar(node)
        if isinstance(node, yaml.SequenceNode):
            return [build(item, (*path, i)) for i, item in enumerate(node.value)]
        if isinstance(node, yaml.MappingNode):
            result: dict = {}
            for key_node, value_node in node.value:
                key = _scalar(key_node) if isinstance(key_node, yaml.ScalarNode) else repr(key_node)
                key = str(key) if not isinstance(key, str) else key
                key_path = (*path, key)
                if key in result:
                    duplicates.append((key_path, _mark(key_node)))
                keys_at[key_path] = _mark(key_node)
                result[key] = build(value_node, key_path)
            return result
        raise YamlSyntaxError(f"unsupported YAML node {node.tag}", _mark(node))  # pragma: no cover

    value = build(root, ()) if root is not None else None
    return Document(value, values_at, keys_at, tuple(duplicates))
