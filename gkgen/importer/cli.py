"""``gkgen import PATH... [--agency ID] [--year N] [--into ROOT] [--force] [--json]``."""

from __future__ import annotations

import argparse
import json
import sys
from pathlib import Path

from gkgen import formats
from gkgen.importer import ImportResult, import_file
from gkgen.importer.agency import add_agency, find_agency, load_registry
from gkgen.provinces import PROVINCES

SUPPORTED = (".txt", ".text", ".html", ".htm", ".shtml", ".xhtml", ".docx", ".pdf", ".json", ".doc")


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


def _files(paths: list[str], out) -> tuple[list[Path], list[str]]:
    files: list[Path] = []
    problems: list[str] = []
    for p in paths:
        path = Path(p)
        if path.is_dir():
            inside = sorted(
                f
                for f in path.rglob("*")
                if f.is_file() and not any(part.startswith(".") for part in f.parts)
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


def run(args: argparse.Namespace) -> int:
    out = sys.stdout
    err = sys.stderr
    files, problems = _files(list(args.paths), out)
    for p in problems:
        print(f"错误：{p}", file=err)
    results: list[ImportResult] = []
    for path in files:
        try:
            results.append(import_file(path, agency_id=args.agency, year=args.year))
        except Exception as exc:  # never a traceback for an editor
            r = ImportResult(path)
            r.errors.append(f"导入时出现内部错误（{type(exc).__name__}: {exc}）；请把文件交给维护者")
            results.append(r)
    failed = bool(problems)
    if args.json:
        docs = []
        for r in results:
            if r.errors:
                failed = True
                for e in r.errors:
                    print(f"错误：{r.path}：{e}", file=err)
            docs.append(_json_doc(r))
        payload = docs[0] if len(docs) == 1 else docs
        out.write(json.dumps(payload, ensure_ascii=False, indent=1) + "\n")
        return 1 if failed or not results else 0
    root = Path(args.into)
    for r in results:
        if r.errors:
            failed = True
            print(f"✗ {r.path}", file=err)
            for e in r.errors:
                print(f"  错误：{e}", file=err)
            continue
        try:
            ok = _write(r, root, force=args.force, explicit_agency=args.agency, out=out, err=err)
        except Exception as exc:
            print(f"✗ {r.path}\n  错误：写入失败（{type(exc).__name__}: {exc}）", file=err)
            ok = False
        failed = failed or not ok
    if not results:
        failed = True
    return 1 if failed else 0


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


def _resolve_agency(r: ImportResult, root: Path, explicit: str | None) -> tuple[str, str | None]:
    """The agency id to file the report under, and a note if a registry entry was added."""
    doc_agency = r.doc["agency"]
    name = doc_agency.get("name")
    if explicit:
        if find_agency(root, explicit, None) is None:
            entry = dict(r.agency, id=explicit)
            path = add_agency(root, entry, _province_code(entry))
            return explicit, f"新机构 {explicit} 已加入名录 {path.relative_to(root).as_posix()}"
        return explicit, None
    known = find_agency(root, doc_agency.get("id"), name)
    if known is not None and (known.get("id") == doc_agency.get("id") or known.get("name") == name):
        return str(known["id"]), None
    ident = doc_agency.get("id") or "00-agency"
    taken = {str(i.get("id")) for _p, items in load_registry(root) for i in items}
    base, n = ident, 2
    while ident in taken:
        ident = f"{base}-{n}"[:64]
        n += 1
    entry = dict(r.agency, id=ident)
    if not entry.get("name"):
        entry["name"] = name or ident
    path = add_agency(root, entry, _province_code(entry))
    return (
        ident,
        f"新机构 {ident}（{entry['name']}）已加入名录 {path.relative_to(root).as_posix()}，请核对地区和层级",
    )


def _write(r: ImportResult, root: Path, *, force: bool, explicit_agency: str | None, out, err) -> bool:
    from gkgen import emit

    doc = r.doc
    year = doc["year"]
    # Refuse early, before touching the registry, if the report exists.
    provisional = explicit_agency or doc["agency"].get("id")
    known = find_agency(root, provisional, doc["agency"].get("name"))
    agency_guess = explicit_agency or (known or {}).get("id") or provisional
    target = root / "content" / "reports" / str(agency_guess) / f"{year}.yaml"
    if target.exists() and not force:
        print(f"✗ {r.path}\n  错误：{target} 已存在；确认要覆盖请加 --force", file=err)
        return False
    agency_id, note = _resolve_agency(r, root, explicit_agency)
    content = dict(doc)
    content["agency"] = dict(doc["agency"], id=agency_id)
    content["doubts"] = r.doubts
    content.setdefault("entered_by", f"gkgen import（据 {r.path.name} 导入，待逐项核对）")
    content.setdefault("notes", None)
    yaml_text = emit.report_yaml(content)
    md_text = emit.narrative_markdown(content.get("narrative") or {})
    folder = root / "content" / "reports" / agency_id
    folder.mkdir(parents=True, exist_ok=True)
    yaml_path, md_path = folder / f"{year}.yaml", folder / f"{year}.md"
    if yaml_path.exists() and not force:
        print(f"✗ {r.path}\n  错误：{yaml_path} 已存在；确认要覆盖请加 --force", file=err)
        return False
    _write_if_changed(yaml_path, yaml_text)
    _write_if_changed(md_path, md_text)
    _summary(r, agency_id, yaml_path.relative_to(root), note, out)
    return True


def _write_if_changed(path: Path, text: str) -> None:
    data = text.encode("utf-8")
    if not path.exists() or path.read_bytes() != data:
        path.write_bytes(data)


def _summary(r: ImportResult, agency_id: str, shown: Path, note: str | None, out) -> None:
    doc = r.doc
    fmt = formats.get(doc["format"])
    cells = doc.get("cells") or {}
    blank = sum(1 for v in cells.values() if v is None)
    print(f"✓ {r.path} → {shown.as_posix()}", file=out)
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
