"""Agency ids, levels and the registry files the importer appends to."""

from __future__ import annotations

import re
from pathlib import Path

import yaml

_SUFFIXES = ("人民政府办公室", "人民政府", "政府办公室", "办事处", "街道办事处", "委员会", "管理委员会")


def derive_id(name: str, region_code: str | None) -> str:
    """``<region code>-<pinyin of the name>`` (ASCII, 3–64 chars)."""
    slug = _pinyin(_core_name(name))
    prefix = region_code or "00"
    ident = f"{prefix}-{slug}" if slug else f"{prefix}-agency"
    ident = re.sub(r"-+", "-", ident).strip("-")[:64].rstrip("-")
    return ident


def _core_name(name: str) -> str:
    core = name
    for s in sorted(_SUFFIXES, key=len, reverse=True):
        if core.endswith(s) and len(core) > len(s):
            core = core[: -len(s)]
            break
    return core


def _pinyin(text: str) -> str:
    try:
        from pypinyin import lazy_pinyin
    except ImportError:  # pragma: no cover - a declared dependency
        return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    parts = lazy_pinyin(text, errors=lambda s: [s.lower()])
    return re.sub(r"[^a-z0-9]+", "", "".join(parts).lower())


def level_of(name: str | None) -> str:
    if not name:
        return "其他"
    if re.search(r"(街道|办事处)$", name):
        return "街道"
    if re.search(r"[乡镇](?:人民政府)?$", name):
        return "乡镇"
    if re.search(r"(省|自治区)(?:人民政府)?$", name) or name in (
        "北京市人民政府",
        "上海市人民政府",
        "天津市人民政府",
        "重庆市人民政府",
    ):
        return "省级政府"
    if re.search(r"(区|县|旗|县级市)(?:人民)?政府$", name):
        return "区县政府"
    if re.search(r"市(?:人民)?政府$", name):
        return "市级政府"
    if re.search(r"[区县旗]", name):
        return "区县部门"
    if "市" in name:
        return "市级部门"
    if re.search(r"(省|自治区)", name):
        return "省级部门"
    return "其他"


# --------------------------------------------------------------------------- registry


def load_registry(root: Path) -> list[tuple[Path, list[dict]]]:
    folder = root / "content" / "agencies"
    out = []
    for path in sorted(folder.glob("*.yaml")) if folder.is_dir() else []:
        try:
            items = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        except (OSError, yaml.YAMLError):
            continue
        if isinstance(items, list):
            out.append((path, [i for i in items if isinstance(i, dict)]))
    return out


def find_agency(root: Path, agency_id: str | None, name: str | None) -> dict | None:
    for _path, items in load_registry(root):
        for item in items:
            if agency_id and item.get("id") == agency_id:
                return item
    if not name:
        return None
    items = [i for _p, its in load_registry(root) for i in its]
    for item in items:
        if name in (item.get("name"), item.get("short_name")):
            return item
    # "老城区东南隅街道办事处" is "洛阳市老城区东南隅街道办事处": the same body, named shorter
    near = [
        i
        for i in items
        if (len(name) >= 5 and str(i.get("name") or "").endswith(name))
        or (len(str(i.get("short_name") or "")) >= 4 and name.endswith(str(i.get("short_name"))))
    ]
    return near[0] if len(near) == 1 else None


_FIELDS = ("id", "name", "short_name", "province", "city", "county", "region_code", "level", "notes")


def add_agency(root: Path, entry: dict, province_code: str | None) -> Path:
    """Append ``entry`` to the registry file of its province (ids kept sorted)."""
    folder = root / "content" / "agencies"
    folder.mkdir(parents=True, exist_ok=True)
    code = province_code or "00"
    existing = sorted(folder.glob(f"{code}-*.yaml"))
    path = existing[0] if existing else folder / f"{code}-import.yaml"
    items: list[dict] = []
    if path.exists():
        loaded = yaml.safe_load(path.read_text(encoding="utf-8")) or []
        items = [i for i in loaded if isinstance(i, dict)] if isinstance(loaded, list) else []
        text = path.read_text(encoding="utf-8")
    else:
        text = ""
    record = {f: entry.get(f) for f in _FIELDS}
    if not items or not text.strip():
        items.append(record)
        items.sort(key=lambda i: str(i.get("id")))
        path.write_text(_dump(items), encoding="utf-8")
        return path
    # Insert the new entry's text at its sorted place, leaving the rest of the file as it is.
    ids = [str(i.get("id")) for i in items]
    block = _dump([record])
    position = next((i for i, x in enumerate(ids) if x > record["id"]), None)
    if position is None:
        new_text = text.rstrip("\n") + "\n" + block
    else:
        marker = re.compile(rf"^- id:\s*['\"]?{re.escape(ids[position])}['\"]?\s*$", re.M)
        m = marker.search(text)
        new_text = text[: m.start()] + block + text[m.start() :] if m else text.rstrip("\n") + "\n" + block
    path.write_text(new_text, encoding="utf-8")
    return path


def _dump(items: list[dict]) -> str:
    lines = []
    for item in items:
        first = True
        for f in _FIELDS:
            value = item.get(f)
            if f == "region_code" and value is not None:
                text = f'"{value}"'
            else:
                text = yaml.safe_dump(value, allow_unicode=True, default_flow_style=True, width=10**9).strip()
                text = text.removesuffix("\n...").removesuffix("...").strip()
            lines.append(f"{'- ' if first else '  '}{f}: {text}")
            first = False
    return "\n".join(lines) + "\n"
