"""Writing the site: every build makes a complete new site folder beside the live one, and switches
the two with one atomic operation, only when every step succeeded.

Why: the site is what a web server, rsync or a GitHub Pages upload reads at any moment, and a build
can die at any moment (``kill -9``, a full disk, the machine going down). Moving new files into the
live folder one by one left a mixture of two builds when the build died half way. Now, at every
moment, ``site/`` is either the previous complete site or the new complete site:

- The build renders into ``.site.staging-<pid>/`` beside the output (same file system). An output
  whose inputs did not change is *kept*: at commit the live site's file is hard-linked into the
  staging folder (same inode, bytes and mtime), and a re-rendered file whose bytes came out the same
  is replaced by a hard link of the live file too. So rsync and CDN caches still see only what really
  changed, and the staging folder becomes a complete site that shares every unchanged file.
- Then the two folders are switched in one system call: Linux ``renameat2(RENAME_EXCHANGE)`` (macOS
  ``renamex_np(RENAME_SWAP)``) swaps the two directory entries atomically; ``site/`` stays a plain
  folder (not a symlink), as ``python -m http.server -d site``, rsync and the Pages upload expect.
  The replaced site is renamed ``.site.old-<pid>`` and removed by the next build, in a thread beside
  its first steps (unlinking one entry per file of the site costs seconds on a busy disk).
- Where the file system cannot exchange (or with ``GKGEN_NO_EXCHANGE=1``), two renames are used
  (``site`` → ``.site.previous-<pid>``, staging → ``site``): between them ``site`` is missing for a
  moment, and a build killed exactly there leaves the previous site under ``.site.previous-<pid>``,
  which the next build puts back before anything else.
- If nothing differs from the live site, nothing is linked or switched: an unchanged archive costs no
  file writes.
- The price: a build that changes anything makes one directory entry per file of the site (a hard
  link) and the next one removes as many, where moving only the changed files made none. Measured in
  BENCHMARKS.md ("Atomic builds: what the switch costs").
- The caller holds the output's lock (``gkgen.lock``): only then are folders left by killed builds
  (staging folders, Pagefind work folders, a previous site put aside) removed or restored, so a build
  never deletes another live build's work.

Also: a path may be written once per build (two pages claiming one URL is a bug); paths are relative,
checked, and never leave the staging folder. The site holds exactly what the build wrote.
"""

from __future__ import annotations

import ctypes
import errno
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterable
from pathlib import Path, PurePosixPath

from gkgen.cache import file_stat


class OutputError(Exception):
    pass


def checkpoint(name: str) -> None:
    """A named moment of a build, for the tests that kill a build there with a real SIGKILL: with
    GKGEN_TEST_PAUSE_AT=<name> the build says so on stderr and waits to be killed."""
    if os.environ.get("GKGEN_TEST_PAUSE_AT") == name:
        print(f"gkgen-test-paused-at {name}", file=sys.stderr, flush=True)
        time.sleep(600)


def leftovers(out: Path) -> list[Path]:
    """Folders beside ``out`` that builds make and remove again: staging folders (with Pagefind's work
    folders, named after them), the site a build replaced, a previous site put aside by the
    two-rename switch."""
    patterns = (f".{out.name}.staging-*", f".{out.name}.old-*", f".{out.name}.previous-*")
    return sorted(p for pattern in patterns for p in out.parent.glob(pattern))


def clean_up(out: Path) -> threading.Thread | None:
    """Undo what earlier builds left beside ``out``. Only while holding the output's lock.

    The removal runs in a thread (returned; join it before the lock is released): it is mostly the
    site the last build replaced, one directory entry per file of the site, and unlinking them costs
    seconds at 10,000 reports; the build's first steps do not touch those folders."""
    aside = sorted(out.parent.glob(f".{out.name}.previous-*"))
    if aside and not out.exists() and not out.is_symlink():
        # Killed between the two renames of the fallback switch: the previous site goes back.
        os.rename(aside[-1], out)
    stale = [p for p in leftovers(out) if p.is_dir() and not p.is_symlink()]
    if not stale:
        return None
    thread = threading.Thread(target=_remove, args=(stale,), name="gkgen-remove-old-sites", daemon=True)
    thread.start()
    return thread


def _remove(folders: list[Path]) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


class SiteWriter:
    def __init__(self, out: Path, cleaning: threading.Thread | None = None):
        """``cleaning``: the removal of earlier builds' folders (clean_up), still running."""
        self.out = out.resolve()
        self.staging = self.out.parent / f".{self.out.name}.staging-{os.getpid()}"
        self.previous: Path | None = None
        self.written: set[str] = set()  # every output of this build, kept or fresh
        self.fresh: set[str] = set()  # rendered in this build, in the staging folder
        self.switched = False  # whether commit() put a new folder in place
        self.cleaning = cleaning

    def __enter__(self) -> SiteWriter:
        # The caller holds the output's lock and has called clean_up(): a site put aside is back.
        self.previous = self.out if self.out.is_dir() else None
        self.staging.mkdir(parents=True)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if not self.switched:  # a failed build's staging folder, or one that changed nothing
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

    def commit(self, live_files: Iterable[str] | None = None) -> bool:
        """Make the staging folder the complete new site and switch it in; False if the live site already
        is exactly that site (nothing is written then).

        ``live_files``: every file of the live site, if known for certain (the build cache of the build
        that made it); without it the new site is switched in even when it equals the live one.
        """
        if self.previous is None:
            if self.out.exists() or self.out.is_symlink():
                raise OutputError(f"output path exists and is not a folder: {self.out}")
            checkpoint("before-switch")
            os.rename(self.staging, self.out)  # a new name: atomic, and nothing to lose
            self.switched = True
            return True
        # Plain string paths: at 100,000 reports a site has hundreds of thousands of files.
        staging, live = str(self.staging), str(self.out)
        same = [rel for rel in sorted(self.fresh) if _same_file_or_bytes(f"{live}/{rel}", f"{staging}/{rel}")]
        if live_files is not None and len(same) == len(self.fresh) and set(live_files) == self.written:
            return False
        for rel in same:  # the live file stays the site's file: same inode, bytes and mtime
            new = f"{staging}/{rel}"
            if not os.path.samefile(new, f"{live}/{rel}"):
                os.unlink(new)
                _link(f"{live}/{rel}", new)
        made: set[str] = set()
        kept = sorted(self.written - self.fresh)
        for i, rel in enumerate(kept):
            if i == len(kept) // 2:
                checkpoint("linking")
            folder = os.path.dirname(rel)
            if folder not in made:
                os.makedirs(f"{staging}/{folder}", exist_ok=True)
                made.add(folder)
            _link(f"{live}/{rel}", f"{staging}/{rel}")
        if self.cleaning is not None:
            self.cleaning.join()  # not both at once: the removal and the switch's linking share the disk
        checkpoint("before-switch")
        switch(self.staging, self.out)
        self.switched = True
        checkpoint("after-switch")
        # The replaced site is removed by the next build, beside its first steps (clean_up): its
        # unchanged files live on in the new site, only the directory entries are left to remove.
        os.rename(self.staging, self.out.parent / f".{self.out.name}.old-{os.getpid()}")
        return True


def _link(src: str, dst: str) -> None:
    try:
        os.link(src, dst)
    except OSError as exc:
        if exc.errno in (errno.ENOENT, errno.EEXIST):
            raise
        shutil.copy2(src, dst)  # a file system without hard links: same bytes and mtime, new inode


# renameat2(2) flags and "the current directory" for the *at() calls (Linux); renamex_np(2) (macOS).
_AT_FDCWD = -100
_RENAME_EXCHANGE = 2
_RENAME_SWAP = 2
# The file system (or the kernel, or the C library) cannot exchange: fall back to two renames.
_CANNOT_EXCHANGE = {errno.EINVAL, errno.ENOSYS, errno.ENOTSUP, errno.EOPNOTSUPP, errno.EXDEV}


def _exchange(a: Path, b: Path) -> bool:
    """Swap the directory entries ``a`` and ``b`` in one atomic system call; False where unavailable."""
    if os.environ.get("GKGEN_NO_EXCHANGE") == "1":
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        if sys.platform.startswith("linux"):
            call = libc.renameat2
            call.argtypes = [ctypes.c_int, ctypes.c_char_p, ctypes.c_int, ctypes.c_char_p, ctypes.c_uint]
            args: tuple = (_AT_FDCWD, os.fsencode(a), _AT_FDCWD, os.fsencode(b), _RENAME_EXCHANGE)
        elif sys.platform == "darwin":
            call = libc.renamex_np
            call.argtypes = [ctypes.c_char_p, ctypes.c_char_p, ctypes.c_uint]
            args = (os.fsencode(a), os.fsencode(b), _RENAME_SWAP)
        else:
            return False
    except (OSError, AttributeError):  # no such function in this C library (e.g. glibc before 2.28)
        return False
    call.restype = ctypes.c_int
    if call(*args) == 0:
        return True
    err = ctypes.get_errno()
    if err in _CANNOT_EXCHANGE:
        return False
    raise OSError(err, os.strerror(err), str(a), None, str(b))


def switch(new: Path, live: Path) -> None:
    """Put the folder ``new`` in the place of the folder ``live``; afterwards ``new`` names the old one."""
    if _exchange(new, live):
        return
    aside = live.parent / f".{live.name}.previous-{os.getpid()}"
    os.rename(live, aside)
    checkpoint("between-renames")
    os.rename(new, live)
    os.rename(aside, new)


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
