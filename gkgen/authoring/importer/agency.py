"""Agency ids, levels and the registry files the importer appends to."""

from __future__ import annotations

import re
from pathlib import Path

import yaml  # only to write values as YAML scalars

from gkgen.content.agencies import registry_files
from gkgen.content.provinces import PROVINCES

# What a body's name ends with that is no part of its own short name, longest first.
_ORGAN_SUFFIXES = (
    "人民政府办公室", "街道办事处", "管理委员会", "人民政府", "综合实验区", "办事处", "委员会",
    "管委会", "政府", "街道",
)  # fmt: skip
_TOWN_SUFFIXES = ("乡", "镇", "苏木")


def short_name(name: str, prefix_len: int = 0) -> str:
    """The body's own name without its places and organ words: 开封市鼓楼区五一街道办事处 → 五一,
    幸福乡人民政府 → 幸福, 平潭综合实验区管理委员会 → 平潭; a government named only by its place
    (淮安市人民政府) → the place's short form (淮安)."""
    from gkgen.authoring.importer.region import short_place

    places = name[:prefix_len]
    core = name[prefix_len:]
    for _ in range(2):
        if core in _ORGAN_SUFFIXES:
            break
        for s in _ORGAN_SUFFIXES:
            if core.endswith(s) and len(core) - len(s) >= 2:
                core = core[: -len(s)]
                break
    for s in _TOWN_SUFFIXES:
        if core.endswith(s) and len(core) - len(s) >= 2:
            core = core[: -len(s)]
            break
    if core in _ORGAN_SUFFIXES or not core:
        # the place's own government: "淮安市人民政府" → 淮安
        from gkgen.authoring.importer.region import mentions

        found = mentions(places, in_name=True)
        if found:
            core = short_place(found[-1].name) + (core if core not in ("人民政府", "政府", "") else "")
        elif not core:
            core = name
    return core


def derive_id(name: str, region_code: str | None, prefix_len: int = 0) -> str:
    """``<region code>-<pinyin of the short name>`` (ASCII, 3–64 chars)."""
    slug = _pinyin(short_name(name, prefix_len)) if name else ""
    prefix = region_code or "00"
    ident = f"{prefix}-{slug}" if slug else f"{prefix}-agency"
    ident = re.sub(r"-+", "-", ident).strip("-")[:64].rstrip("-")
    return ident


def _pinyin(text: str) -> str:
    try:
        from pypinyin import lazy_pinyin
    except ImportError:  # pragma: no cover - a declared dependency
        return re.sub(r"[^a-z0-9]+", "-", text.lower()).strip("-")
    parts = lazy_pinyin(text, errors=lambda s: [s.lower()])
    return re.sub(r"[^a-z0-9]+", "", "".join(parts).lower())


def province_slug(province: str) -> str:
    """河南省 → henan, 内蒙古自治区 → neimenggu (for the registry's file names)."""
    for short in sorted((short for _full, short, _code in PROVINCES), key=len, reverse=True):
        if province.startswith(short):
            return _pinyin(short)
    return _pinyin(province)


_GOVERNMENT = re.compile(r"(?:人民政府|政府|管理委员会|管委会)$")


def level_of(name: str | None, rank: int = 0) -> tuple[str, bool]:
    """The body's level and whether the name says it plainly.

    ``rank`` is that of the smallest region the body belongs to (1 province, 2 city,
    3 county, 0 unknown), from ``region.infer``."""
    if not name:
        return "其他", False
    if "驻" in name:
        return ("省级部门" if rank == 1 else "市级部门" if rank == 2 else "其他"), False
    if re.search(r"(?:街道办事处|街道|办事处)$", name):
        return "街道", True
    if re.search(r"(?:[乡镇]|苏木)(?:人民政府|政府)?$", name):
        return "乡镇", True
    place_gov = bool(_GOVERNMENT.search(name)) and not name.endswith("政府办公室")
    zone = bool(re.search(r"(?:区|县|市|旗|州|盟)$", name))  # a place's own report: its government's
    if rank == 0:
        # no region known: the name's own words
        if place_gov and re.search(r"(?:省|自治区)(?:人民政府|政府)$", name):
            return "省级政府", True
        if place_gov and re.search(r"(?:区|县|旗)(?:人民政府|政府)$", name):
            return "区县政府", False
        if place_gov and re.search(r"市(?:人民政府|政府)$", name):
            return "市级政府", False
        if zone:
            return "区县政府", False
        return "其他", False
    kind = "政府" if place_gov or zone else "部门"
    level = {1: "省级", 2: "市级", 3: "区县"}[rank] + kind
    sure = place_gov and not name.endswith(("管理委员会", "管委会"))
    if not place_gov:
        sure = bool(re.search(r"(?:局|委员会|委|办公室|办|厅|中心|院|处|署|部|所|队|站|会)$", name))
    return level, sure


# --------------------------------------------------------------------------- registry files

_FIELDS = ("id", "name", "short_name", "province", "city", "county", "region_code", "level", "notes")


def registry_file_for(root: Path, entry: dict, province_code: str | None) -> Path:
    """The registry file a new body goes into: its province's (``41-henan.yaml``), among the files the
    build reads (``gkgen.content.agencies.registry_files``: never a symlink)."""
    folder = root / "content" / "agencies"
    code = province_code or "00"
    existing = [p for p in registry_files(root) if p.name.startswith(f"{code}-")]
    if existing:
        return existing[0]
    if province_code and entry.get("province"):
        return folder / f"{code}-{province_slug(str(entry['province']))}.yaml"
    return folder / f"{code}-import.yaml"


_ENTRY_START = re.compile(r"^- id:\s*['\"]?([^'\"\s#]+)['\"]?\s*(?:#.*)?$", re.M)


def add_agency(path: Path, entries: list[dict]) -> Path:
    """Insert ``entries`` into the registry file ``path``, each at its place in id order, leaving
    the rest of the file's text as it is (comments, order, quoting). One read, one write."""
    path.parent.mkdir(parents=True, exist_ok=True)
    text = path.read_text(encoding="utf-8") if path.exists() else ""
    starts = [(m.group(1), m.start()) for m in _ENTRY_START.finditer(text)]
    if not starts:
        records = sorted((_record(e) for e in entries), key=lambda r: str(r["id"]))
        path.write_text(text + _dump(records) if text.strip() else _dump(records), encoding="utf-8")
        return path
    inserts: dict[int, list[str]] = {}
    for record in sorted((_record(e) for e in entries), key=lambda r: str(r["id"])):
        at = next((offset for ident, offset in starts if ident > record["id"]), len(text))
        inserts.setdefault(at, []).append(_dump([record]))
    out, last = [], 0
    if not text.endswith("\n"):
        text += "\n"
    for at in sorted(inserts):
        at = min(at, len(text))
        out += [text[last:at], *inserts[at]]
        last = at
    out.append(text[last:])
    path.write_text("".join(out), encoding="utf-8")
    return path


def _record(entry: dict) -> dict:
    return {f: entry.get(f) for f in _FIELDS}


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
