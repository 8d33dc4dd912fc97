"""``gkgen import PATH... [--agency ID] [--year N] [--into ROOT] [--force] [--json] [--jobs N]``.

A folder imports every report file in it. Reading a file is the slow part (parsing, splitting
run-together digits against the rules) and needs nothing but the file, so files are read in
parallel worker processes; results are written one by one in the order of the files, against a
registry read once and written once (``registry``). The run ends with a table: each file, the
report it wrote and its doubts.
"""

from __future__ import annotations

import argparse
import json
import os
import sys
from collections.abc import Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from pathlib import Path

from gkgen import formats
from gkgen.authoring.importer import ImportResult, import_file
from gkgen.authoring.importer.registry import Registry, RegistryError
from gkgen.content.provinces import PROVINCES

SUPPORTED = (".txt", ".text", ".html", ".htm", ".shtml", ".xhtml", ".docx", ".pdf", ".json", ".doc")
ENTERED_BY = "本档案编辑组"


def _integer(text: str) -> int:
    return int(text)


_integer.__name__ = "整数"  # named in argparse's error message


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument(
        "paths", nargs="+", metavar="文件", help="报告文件或文件夹（.txt .html .docx .pdf .json）"
    )
    parser.add_argument(
        "--agency", metavar="机构编号", help="机构编号（默认按名称查找名录，或由地区和名称生成）"
    )
    parser.add_argument("--year", type=_integer, metavar="年度", help="报告年度（默认从标题或正文判断）")
    parser.add_argument("--into", metavar="目录", default=".", help="档案根目录（默认当前目录）")
    parser.add_argument("--force", action="store_true", help="覆盖已有的报告文件")
    parser.add_argument("--json", action="store_true", help="只把结果以 JSON 打印到标准输出，不写文件")
    parser.add_argument(
        "--entered-by", metavar="NAME", default=ENTERED_BY, help=f"录入人（写入报告，默认“{ENTERED_BY}”）"
    )
    parser.add_argument(
        "--jobs", type=int, metavar="N", default=None, help="同时读取文件的进程数（默认为处理器核数）"
    )


def _files(paths: list[str]) -> tuple[list[Path], list[str]]:
    files: list[Path] = []
    problems: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            # Hidden files and folders *inside* the folder are skipped ("../reports/" itself is fine).
            inside = sorted(
                f
                for f in path.rglob("*")
                if f.is_file() and not any(part.startswith(".") for part in f.relative_to(path).parts)
            )
            chosen = [f for f in inside if f.suffix.lower() in SUPPORTED]
            if not chosen:
                problems.append(f"{path}：文件夹中没有可导入的文件")
            files.extend(chosen)
        elif path.is_file():
            files.append(path)
        else:
            problems.append(f"{path}：文件不存在")
    return files, problems


def _read_one(job: tuple[Path, str | None, int | None]) -> ImportResult:
    path, agency, year = job
    try:
        return import_file(path, agency_id=agency, year=year)
    except Exception as exc:  # never a traceback for an editor
        r = ImportResult(path)
        r.errors.append(f"导入时出现内部错误（{type(exc).__name__}: {exc}）；请把文件交给维护者")
        return r


def _read_all(
    files: list[Path], agency: str | None, year: int | None, jobs: int | None
) -> Iterator[ImportResult]:
    """Results in the order of ``files``; in worker processes when there are enough files."""
    jobs = jobs or os.cpu_count() or 1
    work = [(f, agency, year) for f in files]
    if jobs <= 1 or len(files) < 8:
        yield from map(_read_one, work)
        return
    with ProcessPoolExecutor(max_workers=jobs) as pool:
        yield from pool.map(_read_one, work, chunksize=max(1, min(64, len(files) // (jobs * 8))))


@dataclass
class Outcome:
    """One line of the closing table."""

    path: Path
    written: str | None  # the report file written, relative to the archive root
    doubts: int
    error: str | None = None


def run(args: argparse.Namespace) -> int:
    out, err = sys.stdout, sys.stderr
    files, problems = _files(list(args.paths))
    for p in problems:
        print(f"错误：{p}", file=err)
    if args.json:
        return _print_json(files, args, problems, out, err)
    root = Path(args.into)
    try:
        registry = Registry.open(root)
    except RegistryError as exc:
        for d in exc.diagnostics:
            print(d.format(), file=err)
        print("机构名录有错误，未导入任何文件；请先改正名录", file=err)
        return 1
    outcomes: list[Outcome] = []
    try:
        for r in _read_all(files, args.agency, args.year, args.jobs):
            outcomes.append(_write(r, root, registry, args, out, err))
    finally:
        registry.flush()  # the bodies of the reports written so far, even if the run is interrupted
    if len(outcomes) > 1:
        _print_table(outcomes, out)
    failed = bool(problems) or not outcomes or any(o.error for o in outcomes)
    return 1 if failed else 0


def _print_json(files: list[Path], args, problems: list[str], out, err) -> int:
    failed = bool(problems)
    docs = []
    for r in _read_all(files, args.agency, args.year, args.jobs):
        if r.errors:
            failed = True
            for e in r.errors:
                print(f"错误：{r.path}：{e}", file=err)
        docs.append(_json_doc(r))
    payload = docs[0] if len(docs) == 1 else docs
    out.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
    return 1 if failed or not docs else 0


def _json_doc(r: ImportResult) -> dict:
    doc = dict(r.doc) if r.doc else {"source_file": str(r.path)}
    doc["doubts"] = dict(r.doubts)
    doc["warnings"] = list(r.warnings)
    if r.errors:
        doc["errors"] = list(r.errors)
    return doc


def _province_code(entry: dict) -> str | None:
    code = entry.get("region_code")
    if isinstance(code, str) and len(code) >= 2 and code[:2].isdigit():
        return code[:2]
    for full, _short, c in PROVINCES:
        if entry.get("province") == full:
            return c
    return None


def _resolve_agency(r: ImportResult, root: Path, registry: Registry, explicit: str | None):
    """The agency id to file the report under, and a note if a registry entry was added."""
    doc_agency = r.doc["agency"]
    name = doc_agency.get("name")
    if explicit:
        if registry.find(explicit, None) is None:
            entry = dict(r.agency, id=explicit)
            path = registry.add(entry, _province_code(entry))
            return explicit, f"新机构 {explicit} 已加入名录 {path.relative_to(root).as_posix()}"
        return explicit, None
    known = registry.find(doc_agency.get("id"), name)
    if known is not None:
        return str(known["id"]), None
    ident = registry.free_id(doc_agency.get("id") or "00-agency")
    entry = dict(r.agency, id=ident)
    if not entry.get("name"):
        entry["name"] = name or ident
    path = registry.add(entry, _province_code(entry))
    return (
        ident,
        f"新机构 {ident}（{entry['name']}）已加入名录 {path.relative_to(root).as_posix()}，请核对地区和层级",
    )


def _write(r: ImportResult, root: Path, registry: Registry, args, out, err) -> Outcome:
    from gkgen.authoring import emit

    if r.errors:
        print(f"✗ {r.path}", file=err)
        for e in r.errors:
            print(f"  错误：{e}", file=err)
        return Outcome(r.path, None, len(r.doubts), r.errors[0])
    doc = r.doc
    year = doc["year"]
    # Refuse early, before touching the registry, if the report exists.
    known = registry.find(args.agency or doc["agency"].get("id"), doc["agency"].get("name"))
    agency_guess = args.agency or (known or {}).get("id") or doc["agency"].get("id")
    target = root / "content" / "reports" / str(agency_guess) / f"{year}.yaml"
    if target.exists() and not args.force:
        message = f"{target} 已存在；确认要覆盖请加 --force"
        print(f"✗ {r.path}\n  错误：{message}", file=err)
        return Outcome(r.path, None, len(r.doubts), message)
    try:
        agency_id, note = _resolve_agency(r, root, registry, args.agency)
        content = dict(doc)
        content["agency"] = dict(doc["agency"], id=agency_id)
        content["doubts"] = r.doubts
        content.setdefault("entered_by", args.entered_by)
        content.setdefault("notes", None)
        yaml_text = emit.report_yaml(content)
        md_text = emit.narrative_markdown(content.get("narrative") or {})
        folder = root / "content" / "reports" / agency_id
        folder.mkdir(parents=True, exist_ok=True)
        yaml_path, md_path = folder / f"{year}.yaml", folder / f"{year}.md"
        if yaml_path.exists() and not args.force:
            message = f"{yaml_path} 已存在；确认要覆盖请加 --force"
            print(f"✗ {r.path}\n  错误：{message}", file=err)
            return Outcome(r.path, None, len(r.doubts), message)
        _write_if_changed(yaml_path, yaml_text)
        _write_if_changed(md_path, md_text)
    except (OSError, ValueError, TypeError) as exc:
        message = f"写入失败（{type(exc).__name__}: {exc}）"
        print(f"✗ {r.path}\n  错误：{message}", file=err)
        return Outcome(r.path, None, len(r.doubts), message)
    shown = yaml_path.relative_to(root).as_posix()
    _summary(r, agency_id, shown, note, out)
    return Outcome(r.path, shown, len(r.doubts))


def _write_if_changed(path: Path, text: str) -> None:
    data = text.encode("utf-8")
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)


def _summary(r: ImportResult, agency_id: str, shown: str, note: str | None, out) -> None:
    doc = r.doc
    fmt = formats.get(doc["format"])
    cells = doc.get("cells") or {}
    blank = sum(1 for v in cells.values() if v is None)
    print(f"✓ {r.path} → {shown}", file=out)
    name = doc["agency"].get("name") or agency_id
    print(
        f"  机构：{name}（{agency_id}）  年度：{doc['year']}  格式：{fmt.name if fmt else doc['format']}",
        file=out,
    )
    if fmt is not None and fmt.has_tables:
        print(f"  表格：{len(cells)} 个单元格，其中空白 {blank} 个；存疑 {len(r.doubts)} 个", file=out)
    if note:
        print(f"  {note}", file=out)
    for code, reason in list(r.doubts.items())[:12]:
        print(f"  存疑 {code}：{reason}", file=out)
    if len(r.doubts) > 12:
        print(f"  ……另有 {len(r.doubts) - 12} 个存疑单元格（见 YAML 中的 # 存疑 注释）", file=out)
    for w in r.warnings:
        print(f"  注意：{w}", file=out)


def _print_table(outcomes: list[Outcome], out) -> None:
    """The closing table of a bulk import: every file, what it became, its doubts."""
    print("\n导入结果", file=out)
    print("| 文件 | 写入的报告 | 存疑单元格 |", file=out)
    print("|---|---|---|", file=out)
    for o in outcomes:
        written = o.written or f"未导入：{o.error}"
        print(f"| {o.path.name} | {written} | {o.doubts if o.written else '—'} |", file=out)
    written = [o for o in outcomes if o.written]
    doubts = sum(o.doubts for o in written)
    print(
        f"\n共 {len(outcomes)} 个文件：写入 {len(written)} 份报告，未导入 {len(outcomes) - len(written)} 个；"
        f"存疑单元格 {doubts} 个（{sum(1 for o in written if o.doubts)} 份报告）",
        file=out,
    )
