"""Rebuild times of an archive that is already built: K one-report edits, then K no-change builds.

Each build runs in its own process, exactly as `make bench` runs them (`bench.run.gkgen_build` after
`bench.run.edit_one_report`); medians, because the machine is shared and timings are noisy. The
no-change builds start after the racy-stat window (2 s) and one build that settles it, so that they
measure the fingerprint only.

    python -m bench.edits bench/out/archive-10000 --edits 5

Build the archive first (`make bench N=10000`, or one incremental build after changing gkgen's code:
the code digest is part of every cache key, so that first build is a full one).
"""

from __future__ import annotations

import argparse
import statistics
import time
from pathlib import Path

from bench import run
from gkgen.incremental import cache


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("archive", type=Path)
    parser.add_argument("--edits", type=int, default=5)
    args = parser.parse_args()
    first = run.gkgen_build(args.archive, incremental=True)
    if first["counts"].get("reports loaded", 0) > 1:
        print(f"(a full build first: {first['wall']:.1f} s, the cache was from other code)")
    timings: dict[str, list[float]] = {"one-report edit": [], "no-change rebuild": []}
    for _ in range(args.edits):
        run.edit_one_report(args.archive)
        result = run.gkgen_build(args.archive, incremental=True)
        timings["one-report edit"].append(result["wall"])
        stages = ", ".join(f"{k} {v:.2f}" for k, v in result["seconds"].items())
        print(
            f"one-report edit {result['wall']:5.2f} s  peak {result['peak_bytes'] / 2**30:.2f} GiB  [{stages}]"
        )
    time.sleep(cache.RACY_NS / 1e9 + 0.5)
    # The last edited file is no longer "racy", so the fingerprint differs once: this build checks it.
    settle = run.gkgen_build(args.archive, incremental=True)
    print(f"first build after the racy window (checks the last edited file's bytes): {settle['wall']:.2f} s")
    for _ in range(args.edits):
        result = run.gkgen_build(args.archive, incremental=True)
        timings["no-change rebuild"].append(result["wall"])
    for name, walls in timings.items():
        shown = " ".join(f"{w:.2f}" for w in walls)
        print(f"{name}: median {statistics.median(walls):.2f} s  ({shown})")


if __name__ == "__main__":
    main()
