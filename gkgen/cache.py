"""What the last build knew, so the next one redoes only what changed.

Kept in ``.gkgen-cache/state.pickle`` under the archive root (git-ignored):

- per report file: its stat, the hash of its bytes and its loaded, validated
  form (without the narrative, which workers re-read when they render);
- per output path: the digest of everything the output was made from, and the
  stat of the file written, so an output is reused only if the previous site
  still holds exactly that file.

Everything is checked by content: a changed stat leads to re-hashing the file,
and a file whose bytes are the same is not loaded again (a git checkout
touches mtimes). The code, the templates and the config are part of every
digest, so changing any of them invalidates what it touches. A cache from
another gkgen version, or one that cannot be read, is ignored.
"""

from __future__ import annotations

import hashlib
import json
import os
import pickle
import time
from dataclasses import dataclass, field
from pathlib import Path

from gkgen import __version__

CACHE_DIR = ".gkgen-cache"
STATE = "state.pickle"
PACKAGE = Path(__file__).resolve().parent


def digest(*parts: object) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part if isinstance(part, bytes) else repr(part).encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()


def file_stat(path: Path) -> tuple[int, int, int] | None:
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def source_stat(path: Path) -> tuple[int, int, int, int] | None:
    """A content file's stat for change detection: with ctime, which no tool can set back (git does the
    same). Not for outputs: hard-linking a page for the indexer changes its ctime, not its bytes."""
    try:
        st = path.stat()
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino, st.st_ctime_ns)


def code_digest() -> str:
    """gkgen's own code and table formats: any change invalidates the whole cache."""
    h = hashlib.blake2b(digest_size=16)
    h.update(__version__.encode())
    for path in sorted(PACKAGE.rglob("*")):
        if path.suffix in (".py", ".yaml") and "__pycache__" not in path.parts:
            h.update(path.relative_to(PACKAGE).as_posix().encode())
            h.update(path.read_bytes())
    return h.hexdigest()


@dataclass
class SourceEntry:
    stats: tuple  # (yaml stat, md stat)
    agency: str  # digest of the report's registry entry
    content: str  # hash of the yaml and md bytes and the agency entry
    loaded: object  # load.LoadedReport, narrative stripped


@dataclass
class OutputEntry:
    key: str  # digest of the output's inputs
    stat: tuple[int, int, int]  # of the file in the site it was written to
    view: str = ""  # for pages that say what they show of their reports: the digest of that


@dataclass
class State:
    code: str = ""
    sources: dict[str, SourceEntry] = field(default_factory=dict)
    outputs: dict[str, OutputEntry] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # every file of the site the last build wrote
    statted_at_ns: int = 0  # when the last build read the report files' stats


def load_state(root: Path, code: str) -> State:
    path = root / CACHE_DIR / STATE
    try:
        with path.open("rb") as f:
            state = pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return State(code=code)
    if not isinstance(state, State) or state.code != code:
        return State(code=code)
    return state


def save_state(root: Path, state: State) -> None:
    folder = root / CACHE_DIR
    try:
        folder.mkdir(exist_ok=True)
        tmp = folder / f"{STATE}.{os.getpid()}.tmp"
        with tmp.open("wb") as f:
            pickle.dump(state, f, protocol=pickle.HIGHEST_PROTOCOL)
        os.replace(tmp, folder / STATE)
    except OSError:
        pass  # a read-only checkout builds fine, only not incrementally


LAST_BUILD = "last-build.json"
# A file modified within this long of the moment its stat was read may have changed again in the same
# timestamp tick ("racy" stat, as git calls it): its bytes are checked, not just its stat.
RACY_NS = 2_000_000_000


def racy(mtime_ns: int, read_at_ns: int) -> bool:
    return mtime_ns >= read_at_ns - RACY_NS


def inputs_fingerprint(root: Path, out: Path, extra: object) -> str:
    """Everything a build reads, cheaply: code, config, registry and templates by bytes, reports by stat.

    Equal fingerprints mean the last successful build into ``out`` already is this build's result.
    """
    h = hashlib.blake2b(digest_size=16)
    h.update(repr((code_digest(), str(out.resolve()), extra)).encode())
    small = [root / "gkgen.yaml", *sorted((root / "content" / "agencies").glob("*.yaml"))]
    small += sorted(p for p in (PACKAGE.parent / "templates").rglob("*") if p.is_file())
    for path in small:
        if path.is_file():
            h.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    reports = root / "content" / "reports"
    now = time.time_ns()
    if reports.is_dir():
        for folder in sorted(os.scandir(reports), key=lambda e: e.name):
            entries = sorted(os.scandir(folder.path), key=lambda e: e.name) if folder.is_dir() else [folder]
            for entry in entries:
                st = entry.stat()
                h.update(
                    f"{folder.name}/{entry.name}\0{st.st_mtime_ns}\0{st.st_size}\0{st.st_ino}\0{st.st_ctime_ns}\n".encode()
                )
                if racy(st.st_mtime_ns, now) and entry.is_file():
                    with open(entry.path, "rb") as f:
                        h.update(f.read())
    return h.hexdigest()


def read_last_build(root: Path) -> dict:
    try:
        return json.loads((root / CACHE_DIR / LAST_BUILD).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}


def write_last_build(root: Path, record: dict) -> None:
    folder = root / CACHE_DIR
    try:
        folder.mkdir(exist_ok=True)
        tmp = folder / f"{LAST_BUILD}.{os.getpid()}.tmp"
        tmp.write_text(json.dumps(record, ensure_ascii=False), encoding="utf-8")
        os.replace(tmp, folder / LAST_BUILD)
    except OSError:
        pass
