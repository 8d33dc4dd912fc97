"""What the build's "load+validate" stage is made of: reading, parsing, validating, per report.

The build loads and validates each report in one pass in its worker processes, so its stage timer
sees them as one. This script runs that same pass (``load.load_report``) in one process on the
reports of a bench archive and times each step by wrapping the functions it calls:

    python -m bench.load_stages [--archive bench/out/archive-10000] [--reports 2000]

Timings are CPU seconds of this process (``time.process_time``); the wrappers add a few µs a call.
"""

from __future__ import annotations

import argparse
import time
from collections.abc import Callable
from pathlib import Path

from bench.run import OUT
from gkgen import build
from gkgen.content import files, load, narrative, yamlpos

STEPS = {
    "read files (UTF-8, BOM, line endings)": (load, "read_text"),
    "parse YAML, keeping each value's line:col": (yamlpos, "parse"),
    "parse the narrative (Markdown sections)": (narrative, "parse"),
    "validate: schema, cells, reconciliation rules": (load, "validate_report"),
}


def timed(fn: Callable, spent: dict[str, float], name: str) -> Callable:
    def wrapper(*args, **kwargs):
        started = time.process_time()
        try:
            return fn(*args, **kwargs)
        finally:
            spent[name] += time.process_time() - started

    return wrapper


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--archive", type=Path, default=OUT / "archive-10000")
    parser.add_argument("--reports", type=int, default=2000)
    args = parser.parse_args()
    inputs = build.read_inputs(args.archive)
    sources, _ = load.discover(args.archive, files.scan_reports(args.archive))
    sources = sources[: args.reports]
    if not sources:
        raise SystemExit(f"no reports under {args.archive}: run `make bench` first")
    spent = dict.fromkeys(STEPS, 0.0)
    for name, (module, attr) in STEPS.items():
        setattr(module, attr, timed(getattr(module, attr), spent, name))
    started = time.process_time()
    for source in sources:
        load.load_report(source, inputs.agencies, build.max_year())
    total = time.process_time() - started
    n = len(sources)
    print(
        f"load_report on {n} reports of {args.archive}: {total:.2f} CPU-s, {total / n * 1000:.2f} ms a report"
    )
    for name, seconds in [
        *spent.items(),
        ("everything else (acknowledgements, positions)", total - sum(spent.values())),
    ]:
        print(f"  {name:48} {seconds / n * 1000:5.2f} ms  {seconds / total:4.0%}")


if __name__ == "__main__":
    main()
