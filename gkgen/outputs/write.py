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
- The replaced site stays beside as ``.site.old-<pid>`` (the *spare*), and the next build makes its
  staging folder from it instead of an empty one: only what changed since is linked or removed.
  (Linking every file of the site into an empty folder, and unlinking the replaced site afterwards,
  took seconds at 2,000 reports on a busy disk.) Its unchanged files are hard links of the live
  site's, so nothing may write into them: ``claim()`` removes a file before it is written, and
  ``commit()`` removes what the build neither wrote nor kept, and links each kept file whose inode is
  not already the live one's. Any other leftover folder is renamed out of the way at once and
  removed in a thread beside the build's first steps.
- Where the file system cannot exchange (or with ``GKGEN_NO_EXCHANGE=1``), two renames are used
  (``site`` → ``.site.previous-<pid>``, staging → ``site``): between them ``site`` is missing for a
  moment, and a build killed exactly there leaves the previous site under ``.site.previous-<pid>``,
  which the next build puts back before anything else.
- If nothing differs from the live site, nothing is linked or switched: an unchanged archive costs no
  file writes.
- The price: reading the spare folder (a directory listing, and a stat of the kept files not statted
  already) at every build that changes something. Measured in BENCHMARKS.md ("Atomic builds: what
  the switch costs").
- The caller holds the output's lock (``gkgen.outputs.lock``): only then are folders left by killed builds
  (staging folders, Pagefind work folders, a previous site put aside) removed or restored, so a build
  never deletes another live build's work.

Also: a path may be written once per build (two pages claiming one URL is a bug); paths are relative,
checked, and never leave the staging folder. The site holds exactly what the build wrote.
"""

from __future__ import annotations

import contextlib
import ctypes
import errno
import os
import shutil
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path, PurePosixPath

from gkgen.incremental.cache import file_stat


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
    two-rename switch, folders being removed."""
    kinds = ("staging", "old", "previous", "trash")
    return sorted(p for kind in kinds for p in out.parent.glob(f".{out.name}.{kind}-*"))


@dataclass
class CleanUp:
    spare: Path | None  # the site the last build replaced, to be made the next site (SiteWriter)
    removing: threading.Thread | None  # the removal of everything else, still running


def clean_up(out: Path) -> CleanUp:
    """Undo what earlier builds left beside ``out``. Only while holding the output's lock.

    The site the last build replaced (``.site.old-<pid>``) is kept as the spare: the next site is made
    from it (SiteWriter), which costs only what changed. Everything else is renamed out of the way at
    once and removed in a thread (join it before the lock is released)."""
    aside = sorted(out.parent.glob(f".{out.name}.previous-*"))
    if aside and not out.exists() and not out.is_symlink():
        # Killed between the two renames of the fallback switch: the previous site goes back.
        os.rename(aside[-1], out)
    found = [p for p in leftovers(out) if p.is_dir() and not p.is_symlink()]
    old = [p for p in found if p.name.startswith(f".{out.name}.old-")]
    spare = old[-1] if old else None
    stale = []
    for n, folder in enumerate(p for p in found if p != spare):
        trash = folder.with_name(f".{out.name}.trash-{os.getpid()}-{n}")
        try:
            os.rename(folder, trash)  # its name is free at once (a new build's pid may be an old one's)
            stale.append(trash)
        except OSError:
            stale.append(folder)
    if not stale:
        return CleanUp(spare, None)
    thread = threading.Thread(target=_remove, args=(stale,), name="gkgen-remove-old-sites", daemon=True)
    thread.start()
    return CleanUp(spare, thread)


def _remove(folders: list[Path]) -> None:
    for folder in folders:
        shutil.rmtree(folder, ignore_errors=True)


class SiteWriter:
    def __init__(self, out: Path, leftover: CleanUp | None = None):
        """``leftover``: what clean_up() found (the caller holds the output's lock)."""
        self.out = out.resolve()
        self.staging = self.out.parent / f".{self.out.name}.staging-{os.getpid()}"
        self.previous: Path | None = None
        self.written: set[str] = set()  # every output of this build, kept or fresh
        self.fresh: set[str] = set()  # rendered in this build, in the staging folder
        self.switched = False  # whether commit() put a new folder in place
        self.leftover = leftover or CleanUp(None, None)
        self.reused = False  # the staging folder is the spare: it holds an older site's files
        self.live_inodes: dict[str, int] = {}  # rel → inode of the live site's file, as statted

    def __enter__(self) -> SiteWriter:
        # clean_up() has run: a site put aside is back in place.
        self.previous = self.out if self.out.is_dir() else None
        if self.leftover.spare is not None and self.leftover.spare.is_dir():
            # Its files may be hard links of the live site's: nothing may write into them. claim()
            # removes a file before it is written; commit() makes the rest exactly the new site.
            os.rename(self.leftover.spare, self.staging)
            self.reused = True
        else:
            self.staging.mkdir(parents=True)
        return self

    def __exit__(self, exc_type, exc, tb) -> None:
        if self.switched:
            return
        # A failed build, or one that changed nothing: the spare it was made from stays the spare.
        if self.reused:
            with contextlib.suppress(OSError):
                os.rename(self.staging, self.out.parent / f".{self.out.name}.old-{os.getpid()}")
                return
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
        if not self.reused:
            path.parent.mkdir(parents=True, exist_ok=True)
            return path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            with contextlib.suppress(FileNotFoundError):
                path.unlink()  # perhaps a hard link of a live file: never write into it
        except OSError:  # the spare's layout was another: a file where a folder goes, or the reverse
            self._clear_way(rel)
            path.parent.mkdir(parents=True, exist_ok=True)
        return path

    def _clear_way(self, rel: str) -> None:
        here = self.staging
        parts = PurePosixPath(rel).parts
        for part in parts[:-1]:
            here = here / part
            if here.is_symlink() or (here.exists() and not here.is_dir()):
                here.unlink()
        target = here / parts[-1]
        if target.is_dir() and not target.is_symlink():
            shutil.rmtree(target)
        else:
            with contextlib.suppress(FileNotFoundError):
                target.unlink()

    def write(self, rel: str, data: bytes | str) -> None:
        self.claim(rel).write_bytes(data.encode("utf-8") if isinstance(data, str) else data)

    def previous_stat(self, rel: str) -> tuple[int, int, int] | None:
        """(mtime, size, inode) of the site's current file for ``rel``; None if there is none.

        One stat on a plain string path: a build checks every output it keeps (tens of thousands).
        """
        if self.previous is None:
            return None
        stat = file_stat(f"{self.previous}/{rel}")  # the same tuple the cache records for outputs
        if stat is not None:
            self.live_inodes[rel] = stat[2]  # commit() need not stat a kept file again
        return stat

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
        # Plain string paths: at 100,000 reports a site has hundreds of thousands of files.
        staging, live = str(self.staging), str(self.out)
        if self.previous is not None:
            same = [r for r in sorted(self.fresh) if _same_file_or_bytes(f"{live}/{r}", f"{staging}/{r}")]
            if live_files is not None and len(same) == len(self.fresh) and set(live_files) == self.written:
                return False
        present = self._tidy() if self.reused else {}
        if self.previous is None:
            if self.out.exists() or self.out.is_symlink():
                raise OutputError(f"output path exists and is not a folder: {self.out}")
            checkpoint("before-switch")
            os.rename(self.staging, self.out)  # a new name: atomic, and nothing to lose
            self.switched = True
            return True
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
            source, target = f"{live}/{rel}", f"{staging}/{rel}"
            if rel in present:
                inode = self.live_inodes.get(rel) or os.stat(source).st_ino
                if present[rel] == inode:
                    continue  # the spare already holds the live file (unchanged since then)
                os.unlink(target)
            folder = os.path.dirname(rel)
            if folder not in made:
                os.makedirs(f"{staging}/{folder}", exist_ok=True)
                made.add(folder)
            _link(source, target)
        if self.leftover.removing is not None:
            self.leftover.removing.join()  # not both at once: the removal and the linking share the disk
        checkpoint("before-switch")
        switch(self.staging, self.out)
        self.switched = True
        checkpoint("after-switch")
        # The replaced site becomes the spare the next build makes its site from (clean_up).
        os.rename(self.staging, self.out.parent / f".{self.out.name}.old-{os.getpid()}")
        return True

    def _tidy(self) -> dict[str, int]:
        """In a reused staging folder: remove every file this build did not write or keep (and folders
        left empty); return the inode of each file it holds for a kept output."""
        present: dict[str, int] = {}

        def visit(folder: str, prefix: str) -> bool:
            empty = True
            with os.scandir(folder) as listing:
                entries = list(listing)
            for entry in entries:
                rel = prefix + entry.name
                if entry.is_dir(follow_symlinks=False):
                    if visit(entry.path, rel + "/"):
                        os.rmdir(entry.path)
                    else:
                        empty = False
                elif rel in self.written:
                    empty = False
                    if rel not in self.fresh:
                        present[rel] = entry.inode()
                else:
                    os.unlink(entry.path)
            return empty

        visit(str(self.staging), "")
        return present


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
