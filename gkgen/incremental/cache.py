"""What the last build knew, so the next one redoes only what changed (every cache is listed in
docs/architecture.md, "The build and its caches").

Kept in ``.gkgen-cache/state/`` under the archive root (git-ignored):

- per report file: its stat, the hash of its bytes and its loaded, validated
  form (its narrative apart, parsed at load and packed: the render unpacks it), in
  ``sources-NN.pickle`` shards: a build rewrites only the shards holding a
  report it loaded again, not all of them (≈ 12 MB at 10,000 reports);
- in ``outputs.pickle``, per output path: the digest of everything the output
  was made from, and the stat of the file written, so an output is reused only
  if the previous site still holds exactly that file; and the parsed agency
  registry with the digest of its files' bytes.

Everything is checked by content: a changed stat leads to re-hashing the file,
and a file whose bytes are the same is not loaded again (a git checkout
touches mtimes). The code, the templates and the config are part of every
digest, so changing any of them invalidates what it touches. A cache from
another gkgen version, or one that cannot be read, is ignored.
"""

from __future__ import annotations

import gc
import hashlib
import json
import os
import pickle
import zlib
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

from gkgen import __version__
from gkgen.content.files import ReportsScan

CACHE_DIR = ".gkgen-cache"
STATE_DIR = "state"
OUTPUTS = "outputs.pickle"
SOURCE_SHARDS = 32
OLD_STATE = "state.pickle"  # the single-file state of earlier versions
PACKAGE = Path(__file__).resolve().parents[1]  # the gkgen package: its code is part of every fingerprint


def digest(*parts: object) -> str:
    h = hashlib.blake2b(digest_size=16)
    for part in parts:
        h.update(part if isinstance(part, bytes) else repr(part).encode("utf-8"))
        h.update(b"\x00")
    return h.hexdigest()


def file_stat(path: Path | str) -> tuple[int, int, int] | None:
    try:
        st = os.stat(path)
    except OSError:
        return None
    return (st.st_mtime_ns, st.st_size, st.st_ino)


def site_identity(out: Path) -> list | None:
    """Which folder is the live site: device, inode and modification time of the output folder.

    A build makes a new folder and switches it in (gkgen.outputs.write), and never writes into the live one:
    this changes with every switch, and only then. A list, as it reads back from JSON."""
    try:
        st = os.stat(out)
    except OSError:
        return None
    return [st.st_dev, st.st_ino, st.st_mtime_ns]


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
    # The findings of the rules across years, with the content hash of the previous year's report they
    # were computed against (this report's own content is the entry's: a changed report gets a new entry).
    across: tuple[str, tuple] | None = None
    # The narrative compared with the previous report's (quality.similarity), with that report's content hash.
    similarity: tuple[str, object] | None = None
    # The narrative's sections as parsed at load, packed (gkgen.workers.pack_narrative).
    narrative: bytes = b""


@dataclass
class OutputEntry:
    key: str  # digest of the output's inputs
    stat: tuple[int, int, int]  # of the file in the site it was written to
    view: str = ""  # for pages that say what they show of their reports: the digest of that


def shard_of(shown: str) -> int:
    """A report's shard: by its body's folder, so that a body's reports share its registry entry in it."""
    return zlib.crc32(shown.rsplit("/", 1)[0].encode("utf-8")) % SOURCE_SHARDS


@dataclass
class State:
    code: str = ""
    sources: dict[str, SourceEntry] = field(default_factory=dict)  # change them through set/touch/drop
    outputs: dict[str, OutputEntry] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # every file of the site the last build wrote
    statted_at_ns: int = 0  # when the last build read the report files' stats
    registry: tuple | None = None  # (digest of the registry files, agencies, diagnostics)
    dirty: set[int] = field(default_factory=lambda: set(range(SOURCE_SHARDS)))  # source shards to write
    # The site folder the outputs and files above are in (site_identity): after a build killed between
    # its switch and saving this state, the live site is another folder and they are not trusted.
    site: list | None = None

    def set_source(self, shown: str, entry: SourceEntry) -> None:
        self.sources[shown] = entry
        self.dirty.add(shard_of(shown))

    def touch_source(self, shown: str, stats: tuple) -> None:
        self.sources[shown].stats = stats
        self.dirty.add(shard_of(shown))

    def set_across(self, shown: str, across: tuple[str, tuple]) -> None:
        self.sources[shown].across = across
        self.dirty.add(shard_of(shown))

    def set_similarity(self, shown: str, similarity: tuple[str, object]) -> None:
        self.sources[shown].similarity = similarity
        self.dirty.add(shard_of(shown))

    def drop_source(self, shown: str) -> None:
        del self.sources[shown]
        self.dirty.add(shard_of(shown))


@contextmanager
def gc_paused() -> Iterator[None]:
    """The cyclic collector paused while a large graph without reference cycles is made: each batch of
    new containers would start a pass over the heap (pickling and unpickling the state: more than
    double the time; decoding a search shard's posting lists in the build, gkgen.outputs.search_routes)."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def _read(path: Path) -> object:
    try:
        with path.open("rb") as f:
            return pickle.load(f)
    except (OSError, pickle.UnpicklingError, EOFError, AttributeError, ImportError, TypeError, ValueError):
        return None


def load_state(root: Path, code: str) -> State:
    """The last build's state; what is missing, unreadable or from other code is simply not there."""
    with gc_paused():
        return _load_state(root, code)


def _load_state(root: Path, code: str) -> State:
    folder = root / CACHE_DIR / STATE_DIR
    main = _read(folder / OUTPUTS)
    if not (isinstance(main, dict) and main.get("code") == code):
        return State(code=code)
    try:
        state = State(
            code,
            {},
            main["outputs"],
            main["files"],
            main["statted_at_ns"],
            main["registry"],
            set(),
            main["site"],
        )
    except KeyError:
        return State(code=code)
    for shard in range(SOURCE_SHARDS):
        part = _read(folder / f"sources-{shard:02}.pickle")
        if isinstance(part, tuple) and len(part) == 2 and part[0] == code:
            state.sources.update(part[1])
        else:
            state.dirty.add(shard)
    return state


def save_state(root: Path, state: State) -> None:
    folder = root / CACHE_DIR / STATE_DIR
    try:
        folder.mkdir(parents=True, exist_ok=True)
        shards: dict[int, dict[str, SourceEntry]] = {n: {} for n in state.dirty}
        for shown, entry in state.sources.items():
            part = shards.get(shard_of(shown))
            if part is not None:
                part[shown] = entry
        # The shards first: outputs.pickle, which says whose state this is, is written last.
        for n, part in sorted(shards.items()):
            _write(folder / f"sources-{n:02}.pickle", (state.code, part))
        main = {"code": state.code, "outputs": state.outputs, "files": state.files}
        more = {"statted_at_ns": state.statted_at_ns, "registry": state.registry, "site": state.site}
        _write(folder / OUTPUTS, {**main, **more})
        (root / CACHE_DIR / OLD_STATE).unlink(missing_ok=True)
    except OSError:
        pass  # a read-only checkout builds fine, only not incrementally
    state.dirty = set()


def _write(path: Path, value: object) -> None:
    tmp = path.with_name(f"{path.name}.{os.getpid()}.tmp")
    with tmp.open("wb") as f, gc_paused():
        pickle.dump(value, f, protocol=pickle.HIGHEST_PROTOCOL)
    os.replace(tmp, path)


LAST_BUILD = "last-build.json"
# A file modified within this long of the moment its stat was read may have changed again in the same
# timestamp tick ("racy" stat, as git calls it): its bytes are checked, not just its stat.
RACY_NS = 2_000_000_000


def racy(mtime_ns: int, read_at_ns: int) -> bool:
    return mtime_ns >= read_at_ns - RACY_NS


def inputs_fingerprint(root: Path, out: Path, extra: object, scan: ReportsScan) -> str:
    """Everything a build reads, cheaply: code, config, registry and templates by bytes, reports by stat.

    Equal fingerprints mean the last successful build into ``out`` already is this build's result.
    """
    h = hashlib.blake2b(digest_size=16)
    h.update(repr((code_digest(), str(out.resolve()), extra)).encode())
    registry = root / "content" / "agencies"
    linked = registry.parent.is_symlink() or registry.is_symlink()  # refused by the build, not read through
    small = [root / "gkgen.yaml", *([] if linked else sorted(registry.glob("*.yaml")))]
    small += sorted(p for p in (PACKAGE.parent / "templates").rglob("*") if p.is_file())
    for path in small:
        if path.is_symlink():  # refused by the build; never read through (it may lead anywhere)
            h.update(path.as_posix().encode() + b"\0->" + os.readlink(path).encode(errors="surrogateescape"))
        elif path.is_file():
            h.update(path.as_posix().encode() + b"\0" + path.read_bytes())
    reports = root / "content" / "reports"
    for folder in scan.entries:
        for entry in folder.children if folder.children is not None else (folder,):
            shown = f"{folder.name}/{entry.name}" if entry is not folder else folder.name
            h.update(f"{shown}\0{entry.stat}\n".encode())
            if entry.stat is not None and racy(entry.stat[0], scan.started_ns):
                path = reports / shown
                if path.is_file():
                    h.update(path.read_bytes())
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
