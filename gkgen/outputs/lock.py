"""One build at a time per output folder and per archive cache: an OS lock (``flock``) on a lock file.

Two builds into one output used to run side by side: each removed every staging folder beside the
output, the other's included, and one died with FileNotFoundError. Now a build holds, for its whole
run, an exclusive ``flock`` on

- ``.gkgen-cache/build.lock`` under the archive root (the incremental state and the export stores
  that every build of that archive reads and writes), then
- ``.<out>.lock`` beside the output folder (the output and the staging folders beside it).

Always in that order, so two builds can never wait for each other. A second build *waits* for the
first, saying so in Chinese with the holder's process id (``gkgen serve`` rebuilding while someone
runs ``gkgen build`` must not fail), for at most ``GKGEN_LOCK_TIMEOUT`` seconds (default 3600; 0
refuses at once); then it gives up with exit code 1, leaving everything as it was.

The kernel releases an ``flock`` when its holder exits, however it exits (``kill -9`` included): a
lock file left behind never blocks. The file itself stays (deleting a lock file races with a build
that just opened it); it holds the last holder's process id, for the message.
"""

from __future__ import annotations

import os
import time
from collections.abc import Callable, Iterator
from contextlib import ExitStack, contextmanager
from pathlib import Path

try:
    import fcntl
except ImportError:  # Windows: no flock; builds there are not guarded against each other
    fcntl = None  # type: ignore[assignment]

DEFAULT_TIMEOUT = 3600.0
POLL = 0.1


class Busy(Exception):
    """Another build held the lock for longer than the timeout; the message (Chinese) says which."""


def timeout_setting() -> float:
    raw = os.environ.get("GKGEN_LOCK_TIMEOUT", "").strip()
    try:
        value = float(raw) if raw else DEFAULT_TIMEOUT
    except ValueError:
        value = -1.0
    if not value >= 0:
        raise Busy(
            f"环境变量 GKGEN_LOCK_TIMEOUT={raw!r} 无效：须为不小于 0 的秒数（不设置时为 {DEFAULT_TIMEOUT:g}）"
        )
    return value


def output_lock(out: Path) -> Path:
    """The lock file beside the output folder (where its staging folders are too)."""
    out = out.resolve()
    return out.parent / f".{out.name}.lock"


def _holder(fd: int) -> str:
    try:
        text = os.pread(fd, 32, 0).decode("ascii", "replace").strip()
    except OSError:
        return "未知"
    return text if text.isdigit() else "未知"


def _acquire(path: Path, timeout: float, say: Callable[[str], None]) -> int | None:
    """An open file descriptor holding an exclusive flock on ``path``; None where no lock file can be
    made (a read-only archive: that build writes nothing there)."""
    try:
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | getattr(os, "O_CLOEXEC", 0), 0o644)
    except OSError:
        return None
    try:
        deadline = time.monotonic() + timeout
        told = False
        while True:
            try:
                fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                holder = _holder(fd)
                if time.monotonic() >= deadline:
                    raise Busy(
                        f"另一个构建正在进行（进程 {holder}，锁文件 {path}），"
                        f"等待 {timeout:g} 秒后仍未结束；本次构建未进行，网站未改动"
                    ) from None
                if not told:
                    say(f"另一个构建正在进行（进程 {holder}），等待其完成……")
                    told = True
                time.sleep(POLL)
        os.ftruncate(fd, 0)
        os.pwrite(fd, f"{os.getpid()}\n".encode("ascii"), 0)
        return fd
    except BaseException:
        os.close(fd)
        raise


@contextmanager
def exclusive(paths: list[Path], say: Callable[[str], None], timeout: float | None = None) -> Iterator[None]:
    """Hold an exclusive lock on every file of ``paths`` (taken in the given order) inside the block.

    Raises Busy when one stays held by another process for ``timeout`` seconds."""
    if fcntl is None:
        yield
        return
    timeout = timeout_setting() if timeout is None else timeout
    with ExitStack() as held:
        for path in paths:
            fd = _acquire(path, timeout, say)
            if fd is not None:
                held.callback(os.close, fd)  # closing the descriptor releases the flock
        yield
