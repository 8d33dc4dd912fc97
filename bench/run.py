"""`make bench`: how long gkgen takes, and how much memory, on synthetic archives of N reports.

For each N: a clean build (`--no-cache`), a rebuild with no change, and a rebuild after editing
one report (a number and a narrative word); each in its own process, with per-stage times and
the peak memory of the whole process tree (gkgen, its workers and the Pagefind processes,
summed at each moment, sampled from /proc every 100 ms). With --peer (PEER=1 in make) the same
reports are also built with Hugo and indexed with Pagefind extended, in the same run.

    python -m bench.run --n 1000 --n 10000 [--peer] [--clean-only]

Synthetic archives live under bench/out/ (git-ignored), never under content/.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import threading
import time
from collections.abc import Callable
from pathlib import Path

from bench import peer, synth

OUT = Path(__file__).resolve().parent / "out"
BUILD = """
import json, sys
from pathlib import Path
from gkgen import build
stats = build.Stats()
code = build.build(Path(sys.argv[1]), Path(sys.argv[1]) / "site", incremental=sys.argv[2] == "1", stats=stats)
print(json.dumps({"code": code, "seconds": stats.seconds, "counts": stats.counts}))
"""


def _children_of(pid: int) -> list[int]:
    """Direct children, from /proc/<pid>/task/*/children (cheap: no scan of every process)."""
    found: list[int] = []
    try:
        tasks = os.listdir(f"/proc/{pid}/task")
    except OSError:
        return found
    for task in tasks:
        try:
            with open(f"/proc/{pid}/task/{task}/children") as f:
                found.extend(int(x) for x in f.read().split())
        except OSError:
            continue
    return found


def _rss_kib(pid: int) -> int:
    try:
        with open(f"/proc/{pid}/status") as f:
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
    except OSError:
        pass
    return 0


def _children_cpu() -> float:
    usage = resource.getrusage(resource.RUSAGE_CHILDREN)
    return usage.ru_utime + usage.ru_stime


def tree_rss(root: int) -> dict[int, int]:
    """Each process of the tree under ``root`` (itself included) → its resident memory (KiB)."""
    found: dict[int, int] = {}
    stack = [root]
    while stack:
        pid = stack.pop()
        found[pid] = _rss_kib(pid)
        stack.extend(_children_of(pid))
    return found


def measure(
    command: list[str], on_sample: Callable[[int, dict[int, int]], None] | None = None, **kwargs
) -> tuple[float, int, str, float]:
    """Run a command; return wall seconds, the peak summed RSS of its process tree (bytes), stdout, and
    the CPU seconds (user + system) of the tree: on this machine's two vCPUs, CPU is what parallel
    work competes for. ``on_sample(pid, tree_rss(pid))`` sees each sample of the tree."""
    cpu_before = _children_cpu()  # this process waits for nothing else meanwhile
    started = time.perf_counter()
    process = subprocess.Popen(command, stdout=subprocess.PIPE, text=True, **kwargs)
    peak = 0
    done = threading.Event()

    def sample() -> None:
        nonlocal peak
        while not done.is_set():
            rss = tree_rss(process.pid)
            peak = max(peak, sum(rss.values()))
            if on_sample is not None:
                on_sample(process.pid, rss)
            done.wait(0.1)

    sampler = threading.Thread(target=sample, daemon=True)
    sampler.start()
    stdout, _ = process.communicate()
    seconds = time.perf_counter() - started
    cpu = _children_cpu() - cpu_before
    done.set()
    sampler.join()
    if process.returncode != 0:
        raise SystemExit(f"failed ({process.returncode}): {' '.join(command)}")
    return seconds, peak * 1024, stdout, cpu


def gkgen_build(archive: Path, incremental: bool) -> dict:
    seconds, peak, stdout, cpu = measure(
        [sys.executable, "-c", BUILD, str(archive), "1" if incremental else "0"]
    )
    result = json.loads(stdout.strip().splitlines()[-1])
    return {"wall": seconds, "cpu": cpu, "peak_bytes": peak, **result}


def edit_one_report(archive: Path) -> None:
    report = sorted((archive / "content" / "reports").glob("*/*.yaml"))[len(archive.name) % 7]
    text = report.read_text("utf-8")
    report.write_text(text.replace("licensing: [", "licensing: [1", 1), encoding="utf-8")
    md = report.with_suffix(".md")
    md.write_text(md.read_text("utf-8").replace("。", "；", 1), encoding="utf-8")


def bench(n: int, with_peer: bool, clean_only: bool = False) -> dict:
    archive = OUT / f"archive-{n}"
    print(f"== N = {n}: generating {archive.relative_to(OUT.parent.parent)}", file=sys.stderr)
    synth.generate(archive, n)
    runs = {"clean build": gkgen_build(archive, incremental=False)}
    if clean_only:
        return {"n": n, "gkgen": runs}
    # The clean build writes no cache: the first cached build renders everything again and records it.
    runs["first cached build"] = gkgen_build(archive, incremental=True)
    runs["no-change rebuild"] = gkgen_build(archive, incremental=True)
    edit_one_report(archive)
    runs["one-report edit"] = gkgen_build(archive, incremental=True)
    result = {"n": n, "gkgen": runs}
    if with_peer:
        site = OUT / f"hugo-{n}"
        peer.prepare(archive, site)
        hugo_s, hugo_peak, _, hugo_cpu = measure(peer.hugo_command(site))
        pf_s, pf_peak, _, pf_cpu = measure(peer.pagefind_command(site))
        result["peer"] = {
            "hugo": {"wall": hugo_s, "cpu": hugo_cpu, "peak_bytes": hugo_peak},
            "pagefind": {"wall": pf_s, "cpu": pf_cpu, "peak_bytes": pf_peak},
            "total_wall": hugo_s + pf_s,
            "peak_bytes": max(hugo_peak, pf_peak),
        }
    return result


def report(results: list[dict]) -> str:
    gib = 1024**3
    lines = [f"machine: {os.cpu_count()} cores, {platform.machine()}, Python {platform.python_version()}", ""]
    for r in results:
        lines.append(f"N = {r['n']}")
        for name, run in r["gkgen"].items():
            stages = ", ".join(f"{k} {v:.1f}s" for k, v in run["seconds"].items())
            lines.append(
                f"  gkgen {name:18} {run['wall']:7.1f} s  CPU {run['cpu']:6.1f} s  "
                f"peak {run['peak_bytes'] / gib:5.2f} GiB  [{stages}]"
            )
        if "peer" in r:
            p = r["peer"]
            lines.append(
                f"  Hugo                     {p['hugo']['wall']:7.1f} s  CPU {p['hugo']['cpu']:6.1f} s  "
                f"peak {p['hugo']['peak_bytes'] / gib:5.2f} GiB"
            )
            lines.append(
                f"  Pagefind extended        {p['pagefind']['wall']:7.1f} s  CPU {p['pagefind']['cpu']:6.1f} s  "
                f"peak {p['pagefind']['peak_bytes'] / gib:5.2f} GiB"
            )
            ratio = r["gkgen"]["clean build"]["wall"] / p["total_wall"]
            lines.append(
                f"  Hugo + Pagefind          {p['total_wall']:7.1f} s   → gkgen clean build = {ratio:.2f} × peer"
            )
        lines.append("")
    return "\n".join(lines)


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--n", type=int, action="append", help="archive sizes (default: 1000 and 10000)")
    parser.add_argument("--peer", action="store_true", default=os.environ.get("PEER") == "1")
    parser.add_argument(
        "--clean-only",
        action="store_true",
        help="only the clean build (its site is left for bench.search_payload)",
    )
    args = parser.parse_args()
    OUT.mkdir(parents=True, exist_ok=True)
    results = [
        bench(n, args.peer and not args.clean_only, args.clean_only) for n in (args.n or [1000, 10000])
    ]
    (OUT / "results.json").write_text(json.dumps(results, indent=1), encoding="utf-8")
    print(report(results))


if __name__ == "__main__":
    main()
