"""What a clean build's peak memory is made of: gkgen's main process, its workers, Pagefind.

    python -m bench.memory_split ARCHIVE     # e.g. bench/out/archive-10000 (python -m bench.synth)

Runs a clean build of ARCHIVE into ARCHIVE/site with `bench.run.measure`, whose samples of the process
tree (every 0.1 s) it adds up by kind; prints the tree's peak, what it was made of at that moment,
and each kind's own maximum (GiB).
"""

from __future__ import annotations

import json
import sys

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
    peak: tuple[int, dict[str, int]] = (0, {})
    most: dict[str, int] = {}

    def sample(root: int, rss: dict[int, int]) -> None:
        nonlocal peak
        parts: dict[str, int] = {}
        for pid, kib in rss.items():
            kind = _kind(pid, root)
            if kind:
                parts[kind] = parts.get(kind, 0) + kib
        for kind, kib in parts.items():
            most[kind] = max(most.get(kind, 0), kib)
        if sum(parts.values()) > peak[0]:
            peak = (sum(parts.values()), parts)

    run.measure([sys.executable, "-c", run.BUILD, archive, "0"], on_sample=sample)
    gib = lambda kib: round(kib / GIB_IN_KIB, 3)  # noqa: E731
    return {
        "peak_gib": gib(peak[0]),
        "at_peak": {k: gib(v) for k, v in peak[1].items()},
        "max_each": {k: gib(v) for k, v in most.items()},
    }


if __name__ == "__main__":
    print(json.dumps(measure(sys.argv[1])))
