"""Estimate pagefind/shards.json and routes/ at 100,000 reports, without indexing.

    python -m bench.shards_estimate SITE 高龄补贴 行政复议 依申请公开   (SITE: the built 10,000-report site)

Page paths: the 10,000-report site's reports, each agency repeated 10 times (same province, so the
same packing per province) → plan_shards (default cap). Routes: each 100k shard gets the words of the
10k shard of the same year (cycled), so the vocabulary is the 10k one and masks are 10x as wide.
"""

import gzip
import hashlib
import json
import sys
import tempfile
from pathlib import Path

from gkgen.outputs import search, search_routes

site = Path(sys.argv[1])
pages = []
for agency in sorted((site / "reports").iterdir()):
    for year in sorted(p.name for p in agency.iterdir() if p.is_dir()):
        for k in range(10):
            pages.append(f"reports/{agency.name}{'' if k == 0 else f'x{k}'}/{year}/index.html")
print("pages", len(pages))
plan = search.plan_shards(pages)
print("shards", len(plan))
m10 = json.loads((site / "pagefind/shards.json").read_text("utf-8"))
# words per 10k shard from its routes
per10 = [set() for _ in m10["shards"]]
for f in (site / "pagefind/routes").glob("*.json"):
    for word, hexmask in json.loads(f.read_text("utf-8")).items():
        mask = int(hexmask, 16)
        for i in range(len(per10)):
            if mask >> i & 1:
                per10[i].add(word)
names10 = [s["name"] for s in m10["shards"]]
by_year = {}
for i, n in enumerate(names10):
    by_year.setdefault(n[:4], []).append(i)
per100 = []
counter = {}
for name, _ in plan:
    y = name[:4]
    src = by_year.get(y) or list(range(len(names10)))
    c = counter.get(y, 0)
    counter[y] = c + 1
    per100.append(per10[src[c % len(src)]])
out = Path(tempfile.mkdtemp())
routes, _ = search_routes.write_routes(out, per100)
manifest = {
    "version": 3,
    "language": "zh-cn",
    "shards": [
        {
            "name": n,
            "bundle": f"pagefind/shards/{n}/",
            "pages": len(ps),
            "hash": hashlib.sha256(n.encode()).hexdigest(),
        }
        for n, ps in plan
    ],
    "drop": [],
    "dropped_filters": {},
    "routes": routes,
}
text = json.dumps(manifest, ensure_ascii=False, indent=1) + "\n"


def gz(b):
    return len(gzip.compress(b, 6))


print("manifest bytes", len(text.encode()), "gzip", gz(text.encode()))
print("routes", routes)
sizes = {f.name: (f.stat().st_size, gz(f.read_bytes())) for f in (out / "routes").glob("*.json")}
print("routes total gzip", sum(v[1] for v in sizes.values()))
for q in sys.argv[2:]:
    bs = {ord(c.lower()) % routes["buckets"] for c in q}
    s10 = {b: gz((site / "pagefind/routes" / f"{b}.json").read_bytes()) for b in bs}
    print(
        q,
        "buckets of its characters (upper bound): 100k gzip",
        sum(sizes[f"{b}.json"][1] for b in bs),
        "10k gzip",
        sum(s10.values()),
    )
