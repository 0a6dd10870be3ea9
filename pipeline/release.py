"""A release of ``processed/`` changes as one unit: build the next release beside it, then switch.

The next release is a sibling folder ``.<name>.staging-<pid>`` holding hard links to every unchanged
published file (same bytes, same mtime, no copy) and the new files, each fsynced. One system call then
exchanges the two folders (``renameat2(RENAME_EXCHANGE)``, atomic on Linux): a reader, or a crash at any
moment, sees either the whole old release or the whole new one, CHANGES.md included. The old release is
kept beside it as ``.<name>.previous`` for rollback (``python -m pipeline.release rollback``). Where the
exchange is not available, two renames are used and a crash between them is completed by the next run.

Paths analysts use stay the same: ``processed/<table>.csv``. Leftover staging folders of killed runs are
removed by the next publish (which holds the lock, so no other publish can own them).
"""

from __future__ import annotations

import ctypes
import ctypes.util
import fcntl
import os
import shutil
import signal
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from pipeline.archive import _fsync_dir as fsync_dir

RENAME_EXCHANGE = 2
AT_FDCWD = -100
# Fault injection for tests: PIPELINE_FAULT=<point> kills the process with SIGKILL at that point.
FAULT_ENV = "PIPELINE_FAULT"


def fault(point: str) -> None:
    if os.environ.get(FAULT_ENV) == point:
        os.kill(os.getpid(), signal.SIGKILL)


def _sibling(out_dir: Path, suffix: str) -> Path:
    return out_dir.parent / f".{out_dir.name}.{suffix}"


def previous_dir(out_dir: Path) -> Path:
    return _sibling(out_dir, "previous")


@contextmanager
def locked(out_dir: Path) -> Iterator[None]:
    """One publisher at a time. The lock lives beside the folder, since the folder itself is swapped."""
    out_dir.parent.mkdir(parents=True, exist_ok=True)
    with open(_sibling(out_dir, "lock"), "w") as fh:
        fcntl.flock(fh, fcntl.LOCK_EX)
        try:
            recover(out_dir)
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def recover(out_dir: Path) -> None:
    """Under the lock: finish a switch a crash interrupted (fallback path only) and remove staging
    folders of killed runs."""
    moving = _sibling(out_dir, "switching")
    if not out_dir.exists() and moving.exists():
        os.rename(moving, out_dir)  # the new release was complete before the first rename
    for leftover in out_dir.parent.glob(f".{out_dir.name}.staging-*"):
        shutil.rmtree(leftover, ignore_errors=True)
    if moving.exists():
        shutil.rmtree(moving, ignore_errors=True)


def stage(out_dir: Path, files: dict[str, bytes]) -> Path:
    """The next release: links to the current files, then ``files`` written over them (new inodes)."""
    staging = _sibling(out_dir, f"staging-{os.getpid()}")
    shutil.rmtree(staging, ignore_errors=True)
    staging.mkdir()
    if out_dir.exists():
        for f in sorted(out_dir.rglob("*")):
            rel = f.relative_to(out_dir).as_posix()
            if f.is_file() and rel not in files:
                (staging / rel).parent.mkdir(parents=True, exist_ok=True)
                try:
                    os.link(f, staging / rel)
                except OSError:  # a filesystem without hard links: copy, keeping the mtime
                    shutil.copy2(f, staging / rel)
    for name, data in files.items():
        (staging / name).parent.mkdir(parents=True, exist_ok=True)
        with open(staging / name, "wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
    fsync_dir(staging)
    return staging


def _exchange(a: Path, b: Path) -> bool:
    if not sys.platform.startswith("linux"):
        return False
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    fn = getattr(libc, "renameat2", None)
    if fn is None:
        return False
    if fn(AT_FDCWD, os.fsencode(a), AT_FDCWD, os.fsencode(b), RENAME_EXCHANGE) == 0:
        return True
    err = ctypes.get_errno()
    if err in (22, 38, 95):  # EINVAL, ENOSYS, EOPNOTSUPP: this filesystem cannot exchange
        return False
    raise OSError(err, os.strerror(err), str(a))


def switch(staging: Path, out_dir: Path) -> None:
    """Make ``staging`` the published release in one step; keep the old one as the previous release."""
    fault("publish:before_switch")
    previous = previous_dir(out_dir)
    if not out_dir.exists():
        os.rename(staging, out_dir)
    elif _exchange(staging, out_dir):
        fault("publish:after_switch")
        shutil.rmtree(previous, ignore_errors=True)
        os.rename(staging, previous)  # staging now holds the old release
    else:
        moving = _sibling(out_dir, "switching")
        os.rename(staging, moving)
        shutil.rmtree(previous, ignore_errors=True)
        os.rename(out_dir, previous)
        fault("publish:between_renames")
        os.rename(moving, out_dir)
    fsync_dir(out_dir.parent)


def rollback(out_dir: Path) -> None:
    """Swap the previous release back in (the current one becomes the previous)."""
    previous = previous_dir(out_dir)
    if not previous.is_dir():
        raise SystemExit(f"no previous release to roll back to ({previous} does not exist)")
    with locked(out_dir):
        if not _exchange(previous, out_dir):
            tmp = _sibling(out_dir, "rollback")
            os.rename(out_dir, tmp)
            os.rename(previous, out_dir)
            os.rename(tmp, previous)
        fsync_dir(out_dir.parent)


if __name__ == "__main__":
    from pipeline.publish import default_processed_dir

    if sys.argv[1:] != ["rollback"]:
        raise SystemExit("usage: python -m pipeline.release rollback")
    rollback(default_processed_dir())
    print(f"rolled back {default_processed_dir()} to the previous release")
