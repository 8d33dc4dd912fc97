"""The gkgen command line."""

from __future__ import annotations

import argparse
import os
import sys
import traceback
from pathlib import Path

from gkgen import __version__
from gkgen.diagnostics import visible
from gkgen.importer import cli as importer_cli


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(
        prog="gkgen", description="政府信息公开工作年度报告档案：校验与生成静态网站"
    )
    parser.add_argument("--version", action="version", version=f"gkgen {__version__}")
    sub = parser.add_subparsers(dest="command", required=True)

    b = sub.add_parser("build", help="校验 content/ 并生成网站")
    b.add_argument("--root", type=Path, default=Path("."), help="档案根目录（含 content/），默认当前目录")
    b.add_argument("--out", type=Path, default=None, help="输出目录，默认 <root>/site")
    b.add_argument("--base-url", default=None, help="网站的基础网址或路径（覆盖 gkgen.yaml）")
    b.add_argument(
        "--no-cache", action="store_true", help="不使用 .gkgen-cache/ 中上次构建的结果，全部重新生成"
    )
    b.add_argument("--timings", action="store_true", help="打印各阶段耗时")

    c = sub.add_parser("check", help="只校验，不生成网站")
    c.add_argument("--root", type=Path, default=Path("."), help="档案根目录（含 content/），默认当前目录")

    n = sub.add_parser("new", help="生成一份空白报告（全部表格行与叙述骨架）供录入")
    n.add_argument("--agency", required=True, help="机构编号（须已在 content/agencies/ 名录中）")
    n.add_argument("--year", required=True, type=int, help="报告所述年度")
    n.add_argument("--format", default=None, help="表格格式（默认按年度：2019 或 2021）")
    n.add_argument("--root", type=Path, default=Path("."), help="档案根目录，默认当前目录")

    s = sub.add_parser("serve", help="构建并在本机预览，修改后自动重建并刷新浏览器")
    s.add_argument("--root", type=Path, default=Path("."), help="档案根目录，默认当前目录")
    s.add_argument("--host", default="127.0.0.1")
    s.add_argument("--port", type=int, default=8000)
    i = sub.add_parser("import", help="把已发布的报告（txt/html/docx/pdf/json）导入为档案内容")
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
        from gkgen import new

        return new.run(args.root, args.agency, args.year, args.format)
    if args.command == "serve":
        from gkgen import serve

        return serve.serve(args.root, args.host, args.port)
    if args.command == "import":
        return importer_cli.run(args)
    raise AssertionError(args.command)
