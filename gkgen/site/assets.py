"""Static assets (CSS, JS) from templates/static/, written under content-hashed names.

A hashed name (``static/style.3f2a9c1b.css``) changes whenever the bytes change,
so pages can be cached forever and a new build never serves stale CSS.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from gkgen.outputs.write import SiteWriter

STATIC = Path(__file__).resolve().parents[2] / "templates" / "static"


@dataclass(frozen=True)
class Asset:
    name: str  # the source name, e.g. "style.css"
    path: str  # the output path from the site root, e.g. "static/style.3f2a9c1b.css"
    data: bytes


def hashed_name(name: str, data: bytes) -> str:
    digest = hashlib.sha256(data).hexdigest()[:8]
    pure = PurePosixPath(name)
    return str(pure.with_name(f"{pure.stem}.{digest}{pure.suffix}"))


class Assets:
    """Every file under ``static``, by source name, with its hashed output path."""

    def __init__(self, static: Path = STATIC, base_path: str = "/"):
        self.base_path = base_path
        self.files: dict[str, Asset] = {}
        for path in sorted(p for p in static.rglob("*") if p.is_file()):
            name = path.relative_to(static).as_posix()
            data = path.read_bytes()
            self.files[name] = Asset(name, f"static/{hashed_name(name, data)}", data)

    def path(self, name: str) -> str:
        """The output path of an asset, from the site root (KeyError for an unknown asset)."""
        return self.files[name].path

    def url(self, name: str) -> str:
        """The URL of an asset under the site's base path, as templates link it."""
        return self.base_path + self.path(name)

    def write(self, writer: SiteWriter) -> None:
        for name in sorted(self.files):
            asset = self.files[name]
            writer.write(asset.path, asset.data)
