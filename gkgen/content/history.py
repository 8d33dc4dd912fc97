"""When each report entered the archive, from git history (one `git log` for the whole archive).

Used for the Atom feed of newly added reports. Deterministic: the same commit
gives the same dates. Outside a git checkout (or without git) there is no
history, and the feed falls back to publication dates.
"""

from __future__ import annotations

import subprocess
from pathlib import Path


def head(root: Path) -> str:
    """The commit the archive is at ('' outside git): the feed is re-dated only when it moves."""
    try:
        result = subprocess.run(
            ["git", "rev-parse", "HEAD"], cwd=root, capture_output=True, text=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return ""
    return result.stdout.strip() if result.returncode == 0 else ""


def added_dates(root: Path) -> dict[str, str]:
    """Report YAML path (relative to root, posix) → ISO date-time of the commit that first added it."""
    try:
        result = subprocess.run(
            ["git", "log", "--diff-filter=A", "--name-only", "--format=@%cI", "--", "content/reports"],
            cwd=root,
            capture_output=True,
            text=True,
            timeout=120,
            check=False,
        )
    except (OSError, subprocess.SubprocessError):
        return {}
    if result.returncode != 0:
        return {}
    dates: dict[str, str] = {}
    current = ""
    for line in result.stdout.splitlines():
        if line.startswith("@"):
            current = line[1:]
        elif line.endswith(".yaml") and current:
            dates[line] = current  # git log lists newest first, so the last one seen is the first addition
    return dates


def tracked(root: Path, folder: str) -> list[str]:
    """The files under ``folder`` that git tracks in the archive's checkout ([] outside git)."""
    try:
        result = subprocess.run(
            ["git", "ls-files", "-z", "--", folder], cwd=root, capture_output=True, timeout=30, check=False
        )
    except (OSError, subprocess.SubprocessError):
        return []
    if result.returncode != 0:
        return []
    return sorted(name.decode("utf-8", "replace") for name in result.stdout.split(b"\0") if name)
