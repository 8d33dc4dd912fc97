"""The gkgen command line."""

from __future__ import annotations

import argparse
import os
import re
import sys
import traceback
from pathlib import Path

from gkgen import __version__
from gkgen.authoring.importer import cli as importer_cli
from gkgen.content.diagnostics import visible

# argparse's own words (usage, headings, -h's help, error messages), in Chinese. argparse looks them up
# through its module-level gettext functions at the moment it prints, so replacing those two names
# translates every parser of the program, the importer's included.
ARGPARSE_ZH = {
    "usage: ": "用法：",
    "positional arguments": "位置参数",
    "options": "选项",
    "optional arguments": "选项",
    "show this help message and exit": "显示本帮助并退出",
    "%(prog)s: error: %(message)s\n": "%(prog)s：错误：%(message)s\n",
    "the following arguments are required: %s": "缺少必需的参数：%s",
    "unrecognized arguments: %s": "无法识别的参数：%s",
    "invalid choice: %(value)r (choose from %(choices)s)": "无效的选择：%(value)r（可选：%(choices)s）",
    "argument %(argument_name)s: %(message)s": "参数 %(argument_name)s：%(message)s",
    "invalid %(type)s value: %(value)r": "无效的值：%(value)r（应为%(type)s）",
    "expected one argument": "需要一个值",
    "expected at least one argument": "至少需要一个值",
    "expected at most one argument": "至多一个值",
    "expected %s argument": "需要 %s 个值",
    "expected %s arguments": "需要 %s 个值",
    "ambiguous option: %(option)s could match %(matches)s": "选项不明确：%(option)s 可以是 %(matches)s",
    "not allowed with argument %s": "不能与参数 %s 同时使用",
    "one of the arguments %s is required": "参数 %s 必须给出其中之一",
    "ignored explicit argument %r": "忽略了多余的值 %r",
    "unexpected option string: %s": "意外的选项：%s",
    "unknown parser %(parser_name)r (choices: %(choices)s)": "未知的命令 %(parser_name)r（可选：%(choices)s）",
    "can't open '%(filename)s': %(error)s": "无法打开“%(filename)s”：%(error)s",
}


def _zh(message: str) -> str:
    return ARGPARSE_ZH.get(message, message)


def _zh_plural(singular: str, plural: str, n: int) -> str:
    return _zh(singular if n == 1 else plural)


argparse._ = _zh  # type: ignore[attr-defined]
argparse.ngettext = _zh_plural  # type: ignore[attr-defined]


class _Formatter(argparse.HelpFormatter):
    """Section headings end with a full-width colon (选项：), as Chinese text does."""

    def format_help(self) -> str:
        return re.sub(r"(?m)^(\S[^\n:]*):$", r"\1：", super().format_help())


class _Parser(argparse.ArgumentParser):
    def __init__(self, *args, **kwargs) -> None:
        kwargs.setdefault("formatter_class", _Formatter)
        super().__init__(*args, **kwargs)


def integer(text: str) -> int:
    return int(text)


integer.__name__ = "整数"  # argparse names the type in its error: “无效的 整数 值”


def _root(p: argparse.ArgumentParser, help: str) -> None:
    p.add_argument("--root", type=Path, default=Path("."), metavar="目录", help=help)


def _parser() -> argparse.ArgumentParser:
    parser = _Parser(prog="gkgen", description="政府信息公开工作年度报告档案：校验与生成静态网站")
    parser.add_argument(
        "--version", action="version", version=f"gkgen {__version__}", help="显示版本号并退出"
    )
    sub = parser.add_subparsers(
        dest="command", required=True, title="命令", metavar="命令", parser_class=_Parser
    )

    b = sub.add_parser("build", help="校验 content/ 并生成网站", description="校验 content/ 并生成网站")
    _root(b, "档案根目录（含 content/），默认当前目录")
    b.add_argument("--out", type=Path, default=None, metavar="目录", help="输出目录，默认 <档案根目录>/site")
    b.add_argument("--base-url", default=None, metavar="网址", help="网站的基础网址或路径（覆盖 gkgen.yaml）")
    b.add_argument(
        "--no-cache", action="store_true", help="不使用 .gkgen-cache/ 中上次构建的结果，全部重新生成"
    )
    b.add_argument("--timings", action="store_true", help="打印各阶段耗时")

    c = sub.add_parser("check", help="只校验，不生成网站", description="只校验，不生成网站")
    _root(c, "档案根目录（含 content/），默认当前目录")

    what = "生成一份空白报告（全部表格行与叙述骨架）供录入"
    n = sub.add_parser("new", help=what, description=what)
    n.add_argument(
        "--agency", required=True, metavar="机构编号", help="机构编号（须已在 content/agencies/ 名录中）"
    )
    n.add_argument("--year", required=True, type=integer, metavar="年度", help="报告所述年度")
    n.add_argument("--format", default=None, metavar="格式", help="表格格式（默认按年度：2019 或 2021）")
    _root(n, "档案根目录，默认当前目录")

    what = "构建并在本机预览，修改后自动重建并刷新浏览器"
    s = sub.add_parser("serve", help=what, description=what)
    _root(s, "档案根目录，默认当前目录")
    s.add_argument(
        "--host", default="127.0.0.1", metavar="地址", help="监听的地址，默认 127.0.0.1（只限本机）"
    )
    s.add_argument("--port", type=integer, default=8000, metavar="端口", help="端口，默认 8000")
    what = "把已发布的报告（txt/html/docx/pdf/json）导入为档案内容"
    i = sub.add_parser("import", help=what, description=what)
    importer_cli.add_arguments(i)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    try:
        return _run(args)
    except KeyboardInterrupt:
        return 130
    except Exception as exc:  # never a traceback for users; GKGEN_DEBUG=1 shows it for developers
        if os.environ.get("GKGEN_DEBUG"):
            traceback.print_exc()
        print(
            f"gkgen: 内部错误：{type(exc).__name__}: {visible(str(exc))}"
            "（设置 GKGEN_DEBUG=1 查看详情，并请报告此问题）",
            file=sys.stderr,
        )
        return 2


def _run(args: argparse.Namespace) -> int:
    from gkgen import build

    if args.command == "check":
        return build.check(args.root)
    if args.command == "build":
        out = args.out if args.out is not None else args.root / "site"
        stats = build.Stats()
        code = build.build(args.root, out, base_url=args.base_url, incremental=not args.no_cache, stats=stats)
        if args.timings:
            print(f"耗时：{stats.line()}", file=sys.stderr)
        return code
    if args.command == "new":
        from gkgen.authoring import new

        return new.run(args.root, args.agency, args.year, args.format)
    if args.command == "serve":
        from gkgen import serve

        return serve.serve(args.root, args.host, args.port)
    if args.command == "import":
        return importer_cli.run(args)
    raise AssertionError(args.command)


if __name__ == "__main__":  # python -m gkgen.cli, as python -m gkgen
    raise SystemExit(main())
