"""What a clean build's peak memory is made of: gkgen's main process, its workers, Pagefind.

    python -m bench.memory_split ARCHIVE     # e.g. bench/out/archive-10000 (python -m bench.synth)

Runs a clean build of ARCHIVE into ARCHIVE/site, as `bench.run` does, and samples the resident memory
of each process of its tree every 0.2 s; prints the tree's peak, what it was made of at that moment,
and each kind's own maximum (GiB).
"""

from __future__ import annotations

import json
import subprocess
import sys
import time

from bench import run

GIB_IN_KIB = 2**20


def _kind(pid: int, main: int) -> str | None:
    try:
        with open(f"/proc/{pid}/cmdline", "rb") as f:
            command = f.read()
    except OSError:
        return None
    return "pagefind" if b"pagefind" in command else "main" if pid == main else "worker"


def measure(archive: str) -> dict:
    build = subprocess.Popen(
        [sys.executable, "-c", run.BUILD, archive, "0"], stdout=subprocess.PIPE, text=True
    )
    peak: tuple[int, dict[str, int]] = (0, {})
    most: dict[str, int] = {}
    while build.poll() is None:
        parts: dict[str, int] = {}
        for pid in [build.pid, *run._children_of(build.pid)]:
            kind = _kind(pid, build.pid)
            if kind:
                parts[kind] = parts.get(kind, 0) + run._rss_kib(pid)
        for kind, kib in parts.items():
            most[kind] = max(most.get(kind, 0), kib)
        if sum(parts.values()) > peak[0]:
            peak = (sum(parts.values()), parts)
        time.sleep(0.2)
    build.wait()
    if build.returncode != 0:
        raise SystemExit(f"the build failed ({build.returncode})")
    gib = lambda kib: round(kib / GIB_IN_KIB, 3)  # noqa: E731
    return {
        "peak_gib": gib(peak[0]),
        "at_peak": {k: gib(v) for k, v in peak[1].items()},
        "max_each": {k: gib(v) for k, v in most.items()},
    }


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1])))
