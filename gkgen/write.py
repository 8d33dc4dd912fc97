"""Writing the site: into a staging folder, swapped in only when the whole build succeeded.

- A path may be written once per build (two pages claiming one URL is a bug).
- Paths are relative, checked, and never leave the staging folder.
- An output whose inputs did not change is hard-linked from the previous site
  (no rendering, same bytes, same mtime); a re-rendered file whose bytes came
  out the same keeps the previous file too. rsync and CDN caches stay effective.
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
        self.previous = self.out if self.out.is_dir() else None
        self.written: set[str] = set()
        self.fresh: set[str] = set()  # written in this build (not linked from the previous site)

    def __enter__(self) -> SiteWriter:
        for stale in self.out.parent.glob(f".{self.out.name}.staging-*"):
            shutil.rmtree(stale, ignore_errors=True)  # left by a build that was killed
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

    def claim(self, rel: str) -> Path:
        """Reserve ``rel`` for a file written by someone else (a worker process); return its path."""
        if rel in self.written:
            raise OutputError(f"two outputs claim the same path: {rel}")
        self.written.add(rel)
        self.fresh.add(rel)
        path = self.path_for(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def adopt(self, rel_dir: str) -> None:
        """Take in the files another tool (Pagefind) wrote under ``rel_dir`` of the staging folder."""
        folder = self.path_for(rel_dir)
        for dirpath, _dirs, files in os.walk(folder):
            for name in files:
                rel = Path(dirpath, name).relative_to(self.staging).as_posix()
                if rel not in self.written:
                    self.written.add(rel)
                    self.fresh.add(rel)

    def write(self, rel: str, data: bytes | str) -> None:
        self.claim(rel).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    def previous_file(self, rel: str) -> Path | None:
        if self.previous is None:
            return None
        path = self.previous.joinpath(*PurePosixPath(rel).parts)
        return path if path.is_file() else None

    def reuse(self, rel: str) -> bool:
        """Take ``rel`` unchanged from the previous site; False if it has none."""
        old = self.previous_file(rel)
        if old is None:
            return False
        if rel in self.written:
            raise OutputError(f"two outputs claim the same path: {rel}")
        target = self.path_for(rel)
        target.parent.mkdir(parents=True, exist_ok=True)
        try:
            os.link(old, target)
        except OSError:
            shutil.copy2(old, target)
        self.written.add(rel)
        return True

    def commit(self) -> None:
        """Swap the staging folder in; keep the old file wherever fresh bytes are the same."""
        if self.previous is not None:
            for rel in self.fresh:
                old = self.previous_file(rel)
                if old is not None and _same_bytes(old, self.path_for(rel)):
                    os.replace(old, self.path_for(rel))
            trash = self.out.parent / f".{self.out.name}.old-{os.getpid()}"
            self.out.rename(trash)
            self.staging.rename(self.out)
            shutil.rmtree(trash, ignore_errors=True)
        else:
            if self.out.exists():
                raise OutputError(f"output path exists and is not a folder: {self.out}")
            self.staging.rename(self.out)


def _same_bytes(old: Path, new: Path) -> bool:
    a, b = old.stat(), new.stat()
    if (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino):
        return False  # already the old file (a hard link): nothing to replace
    return a.st_size == b.st_size and old.read_bytes() == new.read_bytes()
