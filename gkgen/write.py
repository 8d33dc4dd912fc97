"""Writing the site: into a staging folder, swapped in only when the whole build succeeded.

- A path may be written once per build (two pages claiming one URL is a bug).
- Paths are relative, checked, and never leave the staging folder.
- Files whose bytes did not change keep the previous build's file (and mtime),
  so rsync and CDN caches stay effective.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path, PurePosixPath


class OutputError(Exception):
    pass


class SiteWriter:
    def __init__(self, out: Path):
        self.out = out.resolve()
        self.staging = self.out.parent / f".{self.out.name}.staging-{os.getpid()}"
        self.written: set[str] = set()

    def __enter__(self) -> SiteWriter:
        if self.staging.exists():
            shutil.rmtree(self.staging)
        self.staging.mkdir(parents=True)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if exc_type is not None:
            shutil.rmtree(self.staging, ignore_errors=True)

    def path_for(self, rel: str) -> Path:
        pure = PurePosixPath(rel)
        if pure.is_absolute() or ".." in pure.parts or not pure.parts or "\\" in rel:
            raise OutputError(f"refusing to write outside the site: {rel!r}")
        return self.staging.joinpath(*pure.parts)

    def write(self, rel: str, data: bytes | str) -> None:
        if rel in self.written:
            raise OutputError(f"two outputs claim the same path: {rel}")
        self.written.add(rel)
        path = self.path_for(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    def commit(self) -> None:
        """Swap the staging folder in; keep the old file wherever the bytes are the same."""
        if self.out.is_dir():
            _keep_unchanged(self.out, self.staging)
            trash = self.out.parent / f".{self.out.name}.old-{os.getpid()}"
            self.out.rename(trash)
            self.staging.rename(self.out)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            if self.out.exists():
                raise OutputError(f"output path exists and is not a folder: {self.out}")
            self.staging.rename(self.out)


def _keep_unchanged(old: Path, new: Path) -> None:
    for dirpath, _dirs, files in os.walk(new):
        for name in files:
            new_file = Path(dirpath, name)
            old_file = old / new_file.relative_to(new)
            try:
                if (
                    old_file.stat().st_size == new_file.stat().st_size
                    and old_file.read_bytes() == new_file.read_bytes()
                ):
                    os.replace(old_file, new_file)
            except (FileNotFoundError, NotADirectoryError, IsADirectoryError):
                continue
