"""Which shards hold which words: a small routing table the search page reads before it merges shards.

Why: Pagefind 1.6 answers a query word that an index lacks with parts of it (高龄 matches 高 in a
shard without 高龄), so a sharded index found more than one index would; and merging every shard for
every search made the first search heavy (each shard's metadata and index chunks). With the table the
page merges only the shards that hold every word of the query, and filters the search to them.

    pagefind/routes/<bucket>.json        {word: base shards as a hexadecimal bit mask (bit i = manifest shard i)}
    pagefind/routes/delta/<bucket>.json  {word: 1} for the words of the delta shard, when there is one

A word sits in bucket ``first code point % buckets``; the page fetches the bucket of each query word
(as the browser segments it, lower-cased) and takes the shards holding a word equal to it or starting
with it (Pagefind matches a query word as a prefix of the index's words too). The words come from
the bundles' own index chunks (``pagefind/index/*.pf_index``), so they are cut exactly as Pagefind
cut them. Reading them back costs CPU; with a state folder each shard's words are kept there by the
shard's digest, so an incremental build reads only the delta shard's.
"""

from __future__ import annotations

import gzip
import json
import shutil
from collections.abc import Iterable
from pathlib import Path

import cbor2

from gkgen.incremental.cache import gc_paused
from gkgen.outputs import stable_index

ROUTES = "routes"
WORDS_DIR = "words"  # in the build's state folder: <shard digest>.txt.gz, one word a line
WORDS_PER_BUCKET = 400
DELTA_DIR = "delta"  # routes/delta/<bucket>.json: the delta shard's words, {word: 1}


def bundle_words(bundle: Path) -> set[str]:
    """Every word in a Pagefind bundle's index chunks.

    Decoded with cbor2's C decoder: the chunks are mostly posting lists, and the pure-Python decoder
    (stable_index, which must re-encode byte for byte) took 3.5 s for a shard of 1,000 pages where
    cbor2 takes 0.9 s — at 100,000 reports, minutes of every clean build."""
    words: set[str] = set()
    for chunk in sorted((bundle / "index").glob("*.pf_index")):
        data = gzip.decompress(chunk.read_bytes())
        if not data.startswith(stable_index.MAGIC):
            raise ValueError(f"unexpected index chunk {chunk.name}")
        # Hundreds of thousands of posting lists, no cycle: at 100,000 reports (py-spy: most samples in
        # gc_collect_main) the collector's passes over the build's heap took the routing table's stage
        # to over 20 min where decoding alone takes 250 × 0.8 s.
        with gc_paused():
            entries = cbor2.loads(data[len(stable_index.MAGIC) :])
        if not isinstance(entries, list) or not entries or not isinstance(entries[0], list):
            raise ValueError(f"unexpected index chunk {chunk.name}")
        for entry in entries[0]:
            if isinstance(entry, list) and entry and isinstance(entry[0], str):
                words.add(entry[0])
    return words


def shard_words(bundle: Path, digest: str, state_dir: Path | None) -> set[str]:
    """The words of a shard, from the state folder's cache when a build already read them."""
    cached = state_dir / WORDS_DIR / f"{digest}.txt.gz" if state_dir is not None else None
    if cached is not None and cached.is_file():
        return set(gzip.decompress(cached.read_bytes()).decode("utf-8").split("\n")) - {""}
    words = bundle_words(bundle)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_suffix(".tmp")
        tmp.write_bytes(gzip.compress("\n".join(sorted(words)).encode("utf-8"), mtime=0))
        tmp.replace(cached)
    return words


def prune_cache(state_dir: Path | None, keep: set[str]) -> None:
    """Forget the words of shards no longer in the index."""
    if state_dir is None or not (state_dir / WORDS_DIR).is_dir():
        return
    for path in (state_dir / WORDS_DIR).glob("*.txt.gz"):
        if path.name.removesuffix(".txt.gz") not in keep:
            path.unlink()


def bucket_count(words: int) -> int:
    return max(16, min(4096, words // WORDS_PER_BUCKET))


def bucket_of(word: str, buckets: int) -> int:
    return ord(word[0]) % buckets  # the page computes word.codePointAt(0) % buckets


def write_routes(
    root: Path,
    base: Iterable[set[str]],
    delta: set[str] | None = None,
    unchanged_from: Path | None = None,
) -> tuple[dict, list[str]]:
    """Write pagefind/routes/ under ``root`` (the pagefind/ folder): the table of the ``base`` shards
    (bit i = manifest shard i; their words are folded in one shard at a time, so an iterator holds
    only one shard's in memory) and, when there is a delta shard (the manifest's last), its own table of
    ``delta`` words in routes/delta/. Returns the manifest's "routes" entry and the base buckets not
    written because ``unchanged_from`` (the live site's pagefind/ folder, when the build keeps its files
    in place) holds them with the same bytes.

    Why two tables: the delta shard is re-indexed at every edit and its words are spread over every
    bucket; with its bit in the base table an edit rewrote the whole table (tens of MB at 100,000
    reports). Apart, the base table changes only when the base shards do."""
    masks: dict[str, int] = {}
    for i, words in enumerate(base):
        for word in words:
            masks[word] = masks.get(word, 0) | (1 << i)
    folder = root / ROUTES
    if folder.exists():
        shutil.rmtree(folder)
    folder.mkdir(parents=True)
    buckets = bucket_count(len(masks))
    kept: list[str] = []
    for name, data in _buckets({w: format(m, "x") for w, m in masks.items()}, buckets):
        if unchanged_from is not None and _same_bytes(unchanged_from / ROUTES / name, data):
            kept.append(name)
        else:
            (folder / name).write_bytes(data)
    entry: dict = {"path": f"{ROUTES}/", "buckets": buckets, "words": len(masks)}
    if delta is not None:
        (folder / DELTA_DIR).mkdir()
        delta_buckets = bucket_count(len(delta))
        for name, data in _buckets(dict.fromkeys(delta, "1"), delta_buckets):
            (folder / DELTA_DIR / name).write_bytes(data)
        entry["delta"] = {"path": f"{ROUTES}/{DELTA_DIR}/", "buckets": delta_buckets, "words": len(delta)}
    return entry, kept


def _buckets(table: dict[str, str], buckets: int) -> list[tuple[str, bytes]]:
    """The bucket files of a table {word: value}: (name, bytes), every bucket, empty ones too."""
    split: list[dict[str, str]] = [{} for _ in range(buckets)]
    for word in sorted(table):
        split[bucket_of(word, buckets)][word] = table[word]
    return [
        (
            f"{i}.json",
            json.dumps(b, ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode("utf-8"),
        )
        for i, b in enumerate(split)
    ]


def _same_bytes(path: Path, data: bytes) -> bool:
    try:
        return path.stat().st_size == len(data) and path.read_bytes() == data
    except OSError:
        return False
