"""Site configuration: gkgen.yaml at the archive root, validated like content."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from gkgen.content import yamlpos
from gkgen.content.checks import Checker, syntax_diagnostic
from gkgen.content.diagnostics import ERROR, Diagnostic
from gkgen.content.files import read_text

FILE = "gkgen.yaml"
# base_url goes into every link, the sitemap and the JSON: a host name and path segments of URL-safe
# characters only. No spaces or control characters, no other scheme (javascript:), no "//" (a path that
# starts with it is another host), no "." or ".." segments; a missing trailing slash is added.
_LABEL = r"[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?"
_HOST = rf"{_LABEL}(?:\.{_LABEL})*(?::[0-9]{{1,5}})?"
_SEGMENT = r"(?!\.\.?(?:/|\Z))[A-Za-z0-9._~%-]+"
_BASE_URL = re.compile(rf"(?:https?://{_HOST})?/(?:{_SEGMENT}/)*(?:{_SEGMENT})?\Z|https?://{_HOST}\Z")
_BASE_URL_HINT = "例如 https://example.org/gk-archive/ 或 /gk-archive/（路径只含字母、数字和 . _ ~ % -）"


@dataclass(frozen=True)
class Config:
    title: str = "政府信息公开工作年度报告档案"
    description: str = "各级行政机关政府信息公开工作年度报告的公共档案：统一版式、可检索、可比较、可下载。"
    base_url: str = "/"  # absolute URL or path prefix the site is served under
    language: str = "zh-CN"
    contact: str | None = None
    license: str = "数据来自各行政机关公开发布的年度报告；本档案的整理与代码以 MIT 许可发布。"

    @property
    def base_path(self) -> str:
        """The path part of base_url, always starting and ending with '/'."""
        match = re.match(r"^https?://[^/]+", self.base_url)
        path = self.base_url[match.end() :] if match else self.base_url
        return "/" + path.strip("/") + "/" if path.strip("/") else "/"

    @property
    def absolute_base(self) -> str | None:
        """base_url with scheme and host, ending with '/', or None if only a path is known."""
        match = re.match(r"^https?://[^/]+", self.base_url)
        return match.group(0) + self.base_path if match else None


_FIELDS = ("title", "description", "base_url", "language", "contact", "license")


def normalize_base_url(value: str) -> str:
    return value if value.endswith("/") else value + "/"


def load_config(root: Path, base_url: str | None = None) -> tuple[Config, list[Diagnostic]]:
    path = root / FILE
    config = Config()
    diagnostics: list[Diagnostic] = []
    if path.exists() and not path.is_symlink():  # a symlink is reported by files.archive_path_problems
        text_file, problem = read_text(path, FILE)
        if problem:
            return config, [problem]
        try:
            doc = yamlpos.parse(text_file.text)
        except yamlpos.YamlSyntaxError as exc:
            return config, [syntax_diagnostic(exc, FILE)]
        checker = Checker(doc, FILE)
        checker.document_problems()
        data = checker.mapping(doc.value if doc.value is not None else {}, (), FILE)
        if data is not None:
            checker.keys(data, (), (), _FIELDS, "站点配置")
            values = {}
            for key in _FIELDS:
                if key in data:
                    value = checker.text(data[key], (key,), key, nullable=key == "contact")
                    if value is not None or key == "contact":
                        values[key] = value
            if "base_url" in values and not _BASE_URL.match(values["base_url"]):
                checker.error(
                    ("base_url",),
                    "value",
                    f"base_url 应为 http(s) 网址或以 / 开头的路径，实际是 {values['base_url']!r}",
                    _BASE_URL_HINT,
                )
                values.pop("base_url")
            if "language" in values and not values["language"].startswith("zh"):
                checker.error(
                    ("language",), "value", "language 应为中文（如 zh-CN）：Pagefind 只对 zh 页面分词"
                )
                values.pop("language")
            config = replace(config, **values)
        diagnostics = checker.diagnostics
    if base_url is not None:
        if not _BASE_URL.match(base_url):
            diagnostics.append(
                Diagnostic(
                    "--base-url",
                    0,
                    0,
                    ERROR,
                    "config",
                    f"--base-url 应为 http(s) 网址或以 / 开头的路径，实际是 {base_url!r}",
                    _BASE_URL_HINT,
                )
            )
        else:
            config = replace(config, base_url=base_url)
    return replace(config, base_url=normalize_base_url(config.base_url)), diagnostics
