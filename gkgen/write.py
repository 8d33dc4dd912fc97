"""Writing the site: everything is rendered into a staging folder first, and only a build that
succeeded in every step touches the site.

- A path may be written once per build (two pages claiming one URL is a bug).
- Paths are relative, checked, and never leave the staging folder.
- The staging folder holds only what this build rendered. An output whose inputs did not change is
  *kept*: the site's file stays as it is (same bytes, same mtime). A re-rendered file whose bytes came
  out the same also keeps the old file. So rsync and CDN caches only see what really changed, and an
  unchanged archive of 100,000 reports costs no file writes.
- Commit moves each new file into place with an atomic rename, then removes outputs that no build
  step claimed (a deleted report's pages). A failed build never reaches commit: the site is untouched.
"""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from gkgen.cache import file_stat


class OutputError(Exception):
    pass


class SiteWriter:
    def __init__(self, out: Path):
        self.out = out.resolve()
        self.staging = self.out.parent / f".{self.out.name}.staging-{os.getpid()}"
        self.previous = self.out if self.out.is_dir() else None
        self.written: set[str] = set()  # every output of this build, kept or fresh
        self.fresh: set[str] = set()  # rendered in this build, in the staging folder

    def __enter__(self) -> SiteWriter:
        for stale in self.out.parent.glob(f".{self.out.name}.staging-*"):
            shutil.rmtree(stale, ignore_errors=True)  # left by a build that was killed
        self.staging.mkdir(parents=True)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        shutil.rmtree(self.staging, ignore_errors=True)

    def _check(self, rel: str) -> None:
        # Plain string tests, not PurePosixPath: this runs for every output of the site.
        parts = rel.split("/")
        if rel.startswith("/") or "\\" in rel or ".." in parts or set(parts) <= {"", "."}:
            raise OutputError(f"refusing to write outside the site: {rel!r}")
        if rel in self.written:
            raise OutputError(f"two outputs claim the same path: {rel}")

    def path_for(self, rel: str) -> Path:
        return self.staging.joinpath(*PurePosixPath(rel).parts)

    def claim(self, rel: str) -> Path:
        """Reserve ``rel`` for a file written by someone else (a worker process); return its path."""
        self._check(rel)
        self.written.add(rel)
        self.fresh.add(rel)
        path = self.path_for(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def write(self, rel: str, data: bytes | str) -> None:
        self.claim(rel).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    def previous_stat(self, rel: str) -> tuple[int, int, int] | None:
        """(mtime, size, inode) of the site's current file for ``rel``; None if there is none.

        One stat on a plain string path: a build checks every output it keeps (tens of thousands).
        """
        if self.previous is None:
            return None
        return file_stat(f"{self.previous}/{rel}")  # the same tuple the cache records for outputs

    def keep(self, rel: str) -> None:
        """``rel`` is unchanged: the site's current file stays (the caller checked that it is there)."""
        self._check(rel)
        self.written.add(rel)

    def adopt(self, rel_dir: str) -> None:
        """Take in the files another tool (Pagefind) wrote under ``rel_dir`` of the staging folder."""
        top = len(str(self.staging)) + 1
        for dirpath, _dirs, files in os.walk(self.path_for(rel_dir)):
            folder = dirpath[top:].replace(os.sep, "/")
            for name in files:
                rel = f"{folder}/{name}"
                if rel not in self.written:
                    self.written.add(rel)
                    self.fresh.add(rel)

    def commit(self, previous_outputs: Iterable[str] | None = None) -> None:
        """Put this build's files in place; remove the previous build's outputs that nothing claimed.

        ``previous_outputs`` lists what the last build wrote (from the build cache); without it the site
        folder is walked to find stale files.
        """
        if self.previous is None:
            if self.out.exists():
                raise OutputError(f"output path exists and is not a folder: {self.out}")
            self.staging.rename(self.out)
            return
        # Plain string paths: a build that re-links the search bundle has tens of thousands of fresh files.
        for rel in sorted(self.fresh):
            new, old = f"{self.staging}/{rel}", f"{self.out}/{rel}"
            if _same_file_or_bytes(old, new):
                continue
            os.makedirs(os.path.dirname(old), exist_ok=True)
            os.replace(new, old)
        if previous_outputs is None:
            previous_outputs = (
                Path(d, f).relative_to(self.out).as_posix()
                for d, _dirs, files in os.walk(self.out)
                for f in files
            )
        for rel in sorted(set(previous_outputs) - self.written):
            path = self.out.joinpath(*PurePosixPath(rel).parts)
            path.unlink(missing_ok=True)
            _remove_empty_parents(path.parent, self.out)


# Larger fresh files (the exports) are rendered only when their inputs changed: not compared byte by byte.
COMPARE_LIMIT = 4 * 1024 * 1024


def _same_file_or_bytes(old: str, new: str) -> bool:
    try:
        a = os.stat(old)
    except FileNotFoundError:
        return False
    b = os.stat(new)
    if (a.st_dev, a.st_ino) == (b.st_dev, b.st_ino):
        return True  # a hard link of the site's own file
    if not a.st_size == b.st_size <= COMPARE_LIMIT:
        return False
    with open(old, "rb") as f, open(new, "rb") as g:
        return f.read() == g.read()


def _remove_empty_parents(folder: Path, top: Path) -> None:
    while folder != top and folder.is_dir() and not any(folder.iterdir()):
        folder.rmdir()
        folder = folder.parent
