"""The agency registry as the importer sees it: read once, looked up in memory, written once.

A bulk import used to re-read and re-parse every registry file for each report it looked up,
and rewrite a province's file for each body it added, so a folder of 10,000 files slowed as the
archive grew. Here the registry is read through the build's own reader (``gkgen.content.agencies``, the
one that reports a broken file with its line instead of skipping it), indexed by id and by every
name a body has gone by, and the bodies an import adds are written at the end, one write per
registry file.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path

from gkgen.authoring.importer.agency import add_agency, registry_file_for
from gkgen.content.agencies import load_agencies, refused_files, registry_files
from gkgen.content.diagnostics import ERROR, Diagnostic
from gkgen.model import Agency


class RegistryError(Exception):
    """The registry has errors: nothing may be imported against it until they are fixed."""

    def __init__(self, diagnostics: list[Diagnostic]):
        super().__init__("机构名录有错误")
        self.diagnostics = diagnostics


@dataclass
class Registry:
    root: Path
    by_id: dict[str, dict] = field(default_factory=dict)
    by_name: dict[str, list[str]] = field(default_factory=dict)  # any name → ids
    pending: list[tuple[dict, str | None]] = field(default_factory=list)  # (entry, province code)

    @classmethod
    def open(cls, root: Path) -> Registry:
        registry = cls(root)
        refused = [d for d in refused_files(root) if d.severity == ERROR]
        if refused:  # a symlinked registry file could lead the writes below outside the archive
            raise RegistryError(refused)
        if not registry_files(root):
            return registry  # a new archive: the import starts its registry
        agencies, diagnostics = load_agencies(root)
        errors = [d for d in diagnostics if d.severity == ERROR]
        if errors:
            raise RegistryError(errors)
        for agency in agencies.values():
            registry._index(_entry(agency))
        return registry

    def _index(self, entry: dict) -> None:
        self.by_id[entry["id"]] = entry
        for name in (entry.get("name"), entry.get("short_name"), *entry.get("former", ())):
            if name:
                self.by_name.setdefault(str(name), []).append(entry["id"])

    def find(self, agency_id: str | None, name: str | None) -> dict | None:
        """By id; else by a name the body has (full, short or former); else by a shorter name
        that one body's full name ends with ("老城区东南隅街道办事处" is "洛阳市老城区东南隅街道办事处")."""
        if agency_id and agency_id in self.by_id:
            return self.by_id[agency_id]
        if not name:
            return None
        ids = self.by_name.get(name)
        if ids:
            return self.by_id[ids[0]]
        near = [
            e
            for e in self.by_id.values()
            if (len(name) >= 5 and str(e.get("name") or "").endswith(name))
            or (len(str(e.get("short_name") or "")) >= 4 and name.endswith(str(e["short_name"])))
        ]
        return near[0] if len(near) == 1 else None

    def free_id(self, wanted: str) -> str:
        ident, n = wanted, 2
        while ident in self.by_id:
            ident = f"{wanted}-{n}"[:64]
            n += 1
        return ident

    def add(self, entry: dict, province_code: str | None) -> Path:
        """Add a body now (later look-ups find it); its registry file is written by ``flush``."""
        self._index(dict(entry))
        self.pending.append((dict(entry), province_code))
        return registry_file_for(self.root, entry, province_code)

    def flush(self) -> None:
        """Write the bodies added, one write per registry file."""
        by_file: dict[Path, list[dict]] = {}
        for entry, code in self.pending:
            by_file.setdefault(registry_file_for(self.root, entry, code), []).append(entry)
        for path, entries in by_file.items():
            add_agency(path, entries)
        self.pending.clear()


def _entry(agency: Agency) -> dict:
    return {
        "id": agency.id,
        "name": agency.name,
        "short_name": agency.short_name,
        "province": agency.province,
        "city": agency.city,
        "county": agency.county,
        "region_code": agency.region_code,
        "level": agency.level,
        "notes": agency.notes,
        "former": tuple(name for name, _until in agency.former_names),
    }
