"""Site configuration: gkgen.yaml at the archive root, validated like content."""

from __future__ import annotations

import re
from dataclasses import dataclass, replace
from pathlib import Path

from gkgen import yamlpos
from gkgen.checks import Checker
from gkgen.diagnostics import ERROR, Diagnostic
from gkgen.files import read_text

FILE = "gkgen.yaml"
_BASE_URL = re.compile(r"^(https?://[^\s/]+)?(/[^\s]*)?$")


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
    if path.exists():
        text_file, problem = read_text(path, FILE)
        if problem:
            return config, [problem]
        try:
            doc = yamlpos.parse(text_file.text)
        except yamlpos.YamlSyntaxError as exc:
            return config, [
                Diagnostic(
                    FILE, exc.position.line, exc.position.col, ERROR, "yaml", f"YAML 语法错误：{exc.message}"
                )
            ]
        checker = Checker(doc, FILE)
        checker.duplicate_keys()
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
                    f"base_url 应为 https://主机/路径/ 或 /路径/：{values['base_url']}",
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
                Diagnostic("--base-url", 0, 0, ERROR, "config", f"--base-url 无效：{base_url}")
            )
        else:
            config = replace(config, base_url=base_url)
    return replace(config, base_url=normalize_base_url(config.base_url)), diagnostics
