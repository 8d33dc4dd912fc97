"""Make a Pagefind bundle's bytes depend only on the pages indexed: same pages, same files.

Why: Pagefind 1.5.2 (the newest on PyPI) writes each filter's values, and the list of filters in
its metadata file, in the iteration order of a Rust ``HashMap``, which is seeded at random in every
process. So two runs over the same pages wrote the same filter values in another order: other
``filter/*.pf_filter`` bytes and names, hence another ``pagefind.<hash>.pf_meta`` (which lists the
filter files) and another hash in ``pagefind-entry.json``. Everything else (fragments, word index,
the order of pages) was already the same from run to run. Feeding Pagefind the pages in another
order or one at a time cannot help: the order comes from the hash seed, not from the input.

Pagefind 1.6.0 (npm) writes filter values sorted and was byte-identical run after run; but its search
falls back to parts of a word that an index lacks (高龄 matches 高 in a shard without 高龄), which the
archive's sharded search page (tests/browser) is not ready for. Until it is, gkgen keeps 1.5.2 and
rewrites, after each Pagefind run, the files whose content came out in hash order:

- each filter file: its values sorted (by their UTF-8 bytes, as 1.6.0 does), its page numbers
  sorted, named after a hash of that content;
- the metadata file: the filters sorted by name with their new file names, named after a hash of
  its content; ``pagefind-entry.json`` names it.

The rewritten files are what Pagefind's own browser code reads (gzip of ``pagefind_dcd`` + CBOR);
the names are only cache-busting keys, read from the metadata and the entry file. With a Pagefind
that already writes sorted content the rewrite changes only the names (it is idempotent).
"""

from __future__ import annotations

import gzip
import hashlib
import json
from pathlib import Path

MAGIC = b"pagefind_dcd"
VERSION = 1  # part of every shard's digest: bundles written before (or by another version) are redone


class CborError(ValueError):
    pass


def _head(data: bytes, i: int) -> tuple[int, int, int]:
    first = data[i]
    major, info = first >> 5, first & 31
    i += 1
    if info < 24:
        return major, info, i
    size = {24: 1, 25: 2, 26: 4, 27: 8}.get(info)
    if size is None:
        raise CborError(f"unsupported CBOR item (major {major}, info {info})")
    return major, int.from_bytes(data[i : i + size], "big"), i + size


def _decode(data: bytes, i: int) -> tuple[object, int]:
    """The CBOR subset Pagefind writes: integers, byte and text strings, arrays, maps (as lists of
    pairs, keeping their order)."""
    major, value, i = _head(data, i)
    if major == 0:
        return value, i
    if major == 1:
        return -1 - value, i
    if major == 2:
        return bytes(data[i : i + value]), i + value
    if major == 3:
        return data[i : i + value].decode("utf-8"), i + value
    if major in (4, 5):
        items: list = []
        for _ in range(value):
            if major == 4:
                item, i = _decode(data, i)
            else:
                key, i = _decode(data, i)
                item, i = _decode(data, i)
                item = _Pair(key, item)
            items.append(item)
        return (items if major == 4 else _Map(items)), i
    raise CborError(f"unsupported CBOR major type {major}")


class _Map(list):
    """A CBOR map, as its (key, value) pairs in order."""


class _Pair(tuple):
    def __new__(cls, key, value):
        return super().__new__(cls, (key, value))


def _encode_head(major: int, value: int) -> bytes:
    if value < 24:
        return bytes([major << 5 | value])
    for info, size in ((24, 1), (25, 2), (26, 4), (27, 8)):
        if value < 1 << (8 * size):
            return bytes([major << 5 | info]) + value.to_bytes(size, "big")
    raise CborError(f"integer too large: {value}")


def _encode(value: object) -> bytes:
    if isinstance(value, bool) or value is None:
        raise CborError(f"unsupported value {value!r}")
    if isinstance(value, int):
        return _encode_head(0, value) if value >= 0 else _encode_head(1, -1 - value)
    if isinstance(value, bytes):
        return _encode_head(2, len(value)) + value
    if isinstance(value, str):
        raw = value.encode("utf-8")
        return _encode_head(3, len(raw)) + raw
    if isinstance(value, _Map):
        return _encode_head(5, len(value)) + b"".join(_encode(k) + _encode(v) for k, v in value)
    if isinstance(value, list):
        return _encode_head(4, len(value)) + b"".join(_encode(v) for v in value)
    raise CborError(f"unsupported value {value!r}")


def decode(blob: bytes) -> object:
    """A Pagefind data file (gzip of the marker and one CBOR item) → its value."""
    data = gzip.decompress(blob)
    if not data.startswith(MAGIC):
        raise CborError("not a Pagefind data file")
    value, end = _decode(data, len(MAGIC))
    if end != len(data):
        raise CborError("trailing bytes after the CBOR item")
    return value


def encode(value: object) -> bytes:
    """The Pagefind data file for ``value``: fixed gzip header (no time, no name), so same value, same bytes."""
    return gzip.compress(MAGIC + _encode(value), compresslevel=9, mtime=0)


def _utf8(text: object) -> bytes:
    return text.encode("utf-8") if isinstance(text, str) else repr(text).encode()


def _name(language: str, content: bytes, length: int) -> str:
    return f"{language}_{hashlib.sha256(content).hexdigest()[:length]}"


def normalise(bundle: Path) -> None:
    """Rewrite the filter and metadata files of the Pagefind bundle in ``bundle`` in a stable order."""
    entry_path = bundle / "pagefind-entry.json"
    entry = json.loads(entry_path.read_text(encoding="utf-8"))
    for language, info in entry["languages"].items():
        meta_path = bundle / f"pagefind.{info['hash']}.pf_meta"
        meta = decode(meta_path.read_bytes())
        # [version, pages, word index chunks, filters [[name, file]], sorts, meta fields]
        if not (isinstance(meta, list) and len(meta) >= 4 and isinstance(meta[3], list)):
            raise CborError(f"unexpected Pagefind metadata layout in {meta_path.name}")
        renamed: dict[str, tuple[str, bytes]] = {}  # old filter file → (new name, bytes)
        filters = []
        for name, old in meta[3]:
            filter_name, values = decode((bundle / "filter" / f"{old}.pf_filter").read_bytes())
            values = sorted(([v, sorted(pages)] for v, pages in values), key=lambda vp: _utf8(vp[0]))
            blob = encode([filter_name, values])
            renamed[old] = (_name(language, gzip.decompress(blob), 7), blob)
            filters.append([name, renamed[old][0]])
        for old in renamed:  # all old names gone before any new one is written: no clash between them
            (bundle / "filter" / f"{old}.pf_filter").unlink()
        for new, blob in renamed.values():
            (bundle / "filter" / f"{new}.pf_filter").write_bytes(blob)
        meta[3] = sorted(filters, key=lambda nf: _utf8(nf[0]))
        if len(meta) > 4 and isinstance(meta[4], list):  # sort orders [[key, pages in order]]: by key
            meta[4] = sorted(meta[4], key=lambda kp: _utf8(kp[0]))
        blob = encode(meta)
        info["hash"] = _name(language, gzip.decompress(blob), 13)
        meta_path.unlink()
        (bundle / f"pagefind.{info['hash']}.pf_meta").write_bytes(blob)
    entry["languages"] = dict(sorted(entry["languages"].items()))
    entry_path.write_text(json.dumps(entry, ensure_ascii=False, separators=(",", ":")), encoding="utf-8")
