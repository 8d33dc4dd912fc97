"""Bulk import rate: `gkgen import FOLDER` of N interchange JSON files into an empty archive.

Every file is a report of a body the archive does not know yet, so each one also adds a registry
entry: the case that used to slow down as the archive grew (the registry was re-read for every
file). The files are made from a synthetic archive (bench/synth.py), never from content/.

    python -m bench.imports --n 1000 --n 10000

prints, for each N, the wall time, the rate, and the time of the first and last tenth of the files
(read off the importer's output as it streams), so a run that slows down shows.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import time
from pathlib import Path

from bench import synth
from gkgen import build
from gkgen.content.load import with_narrative
from gkgen.outputs import exports

OUT = Path(__file__).resolve().parent / "out"


def interchange_files(n: int) -> Path:
    folder = OUT / f"import-json-{n}"
    if folder.is_dir() and len(list(folder.glob("*.json"))) == n:
        return folder
    archive_root = synth.generate(OUT / f"import-archive-{n}", n)
    loaded = build.load_archive(archive_root)
    assert loaded.archive is not None, "the synthetic archive does not load"
    shutil.rmtree(folder, ignore_errors=True)
    folder.mkdir(parents=True)
    for report in loaded.archive.reports:
        doc = exports.report_document(with_narrative(archive_root, report))
        (folder / f"{report.id}.json").write_bytes(exports.to_json_bytes(doc))
    return folder


def run(n: int, jobs: int) -> dict:
    folder = interchange_files(n)
    root = OUT / f"import-into-{n}"
    shutil.rmtree(root, ignore_errors=True)
    root.mkdir(parents=True)
    gkgen = Path(sys.executable).with_name("gkgen")
    start = time.perf_counter()
    stamps: list[float] = []
    proc = subprocess.Popen(
        [str(gkgen), "import", str(folder), "--into", str(root), "--jobs", str(jobs)],
        stdout=subprocess.PIPE,
        stderr=subprocess.DEVNULL,
        text=True,
    )
    assert proc.stdout is not None
    for line in proc.stdout:
        if line.startswith("✓"):
            stamps.append(time.perf_counter() - start)
    proc.wait()
    wall = time.perf_counter() - start
    written = len(list((root / "content" / "reports").glob("*/*.yaml")))
    tenth = max(1, len(stamps) // 10)
    first = stamps[tenth - 1] if stamps else 0.0
    last = stamps[-1] - stamps[-tenth - 1] if len(stamps) > tenth else 0.0
    return {"n": n, "written": written, "wall": wall, "rate": written / wall, "first": first, "last": last}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--n", type=int, action="append", help="number of files (repeatable)")
    parser.add_argument("--jobs", type=int, default=os.cpu_count() or 1)
    args = parser.parse_args()
    print(f"machine: {os.cpu_count()} cores; gkgen import --jobs {args.jobs}")
    print("| files | reports written | wall | files/s | first tenth | last tenth |")
    print("|---|---|---|---|---|---|")
    for n in args.n or [1000, 10000]:
        r = run(n, args.jobs)
        print(
            f"| {r['n']:,} | {r['written']:,} | {r['wall']:.1f} s | {r['rate']:.0f} |"
            f" {r['first']:.1f} s | {r['last']:.1f} s |",
            flush=True,
        )


if __name__ == "__main__":
    main()
