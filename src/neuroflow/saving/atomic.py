"""Write files atomically: into a temporary file in the same folder, then rename.

A process killed in the middle of a write leaves the previous file untouched and at worst
a temporary file named `.<name>.nf-<host>-<pid>-<random>.tmp` next to it; the next write
to the same target removes those whose writer is gone (same host, dead process) or that
are more than a day old. The new file gets the mode of the file it replaces, or for a
new file the mode the umask gives (as `open()` would), not mkstemp's 0600. A write that
fails (disk full, file-size limit) raises SaveError naming the target; the previous file
is intact.
"""

from __future__ import annotations

import contextlib
import errno
import glob
import hashlib
import os
import re
import socket
import stat
import time
import uuid
from collections.abc import Iterator

from neuroflow.saving.errors import SaveError

__all__ = ["atomic_path", "temporary_name", "remove_stale_temporaries"]

_STALE_AFTER_S = 24 * 3600


def _host_tag() -> str:
    return hashlib.sha1(socket.gethostname().encode()).hexdigest()[:8]


def temporary_name(filepath: str) -> str:
    """A fresh temporary path next to `filepath` that says whose write it belongs to."""
    directory, base = os.path.split(os.path.abspath(filepath))
    return os.path.join(directory, f".{base}.nf-{_host_tag()}-{os.getpid()}-"
                                   f"{uuid.uuid4().hex[:12]}.tmp")


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


def remove_stale_temporaries(filepath: str) -> list[str]:
    """Remove temporary files of earlier, interrupted writes to `filepath`; their paths."""
    directory, base = os.path.split(os.path.abspath(filepath))
    removed = []
    here = _host_tag()
    for path in glob.glob(os.path.join(glob.escape(directory), f".{glob.escape(base)}.nf-*.tmp")):
        parts = os.path.basename(path)[len(base) + 2:].split("-")
        try:
            host, pid = parts[1], int(parts[2])
            old = time.time() - os.lstat(path).st_mtime > _STALE_AFTER_S
        except (IndexError, ValueError, OSError):
            continue
        if old or (host == here and pid != os.getpid() and not _alive(pid)):
            with contextlib.suppress(OSError):
                os.remove(path)
                removed.append(path)
    return removed


def _umask() -> int:
    """The process umask, read without changing it where /proc allows."""
    with contextlib.suppress(OSError, ValueError):
        with open("/proc/self/status") as f:
            for line in f:
                if line.startswith("Umask:"):
                    return int(line.split()[1], 8)
    mask = os.umask(0o022)
    os.umask(mask)
    return mask


def _target_mode(filepath: str) -> int:
    try:
        return stat.S_IMODE(os.stat(filepath).st_mode)
    except OSError:
        return 0o666 & ~_umask()


def _fsync_dir(directory: str) -> None:
    if os.name != "posix":
        return
    fd = os.open(directory, os.O_RDONLY)
    try:
        os.fsync(fd)
    except OSError:  # some filesystems refuse fsync on folders
        pass
    finally:
        os.close(fd)


def _save_error(filepath: str, err: BaseException) -> SaveError:
    code = getattr(err, "errno", None)
    found = None if code else re.search(r"errno = (\d+)", str(err))  # HDF5's messages
    code = int(found.group(1)) if found else code
    reason = {errno.ENOSPC: "the disk is full", errno.EFBIG: "the file-size limit was reached",
              errno.EDQUOT: "the disk quota is exceeded"}.get(code, str(err) or type(err).__name__)
    return SaveError(code or errno.EIO, f"Could not write {filepath!r}: {reason}; the "
                     "previous file (if any) is unchanged")


@contextlib.contextmanager
def atomic_path(filepath: str | os.PathLike, overwrite: bool = True) -> Iterator[str]:
    """Yield a temporary path to write; on success it replaces `filepath` in one rename.

    Args:
        filepath: the final destination.
        overwrite: when False and `filepath` exists, raise FileExistsError before writing.
    """
    filepath = os.fspath(filepath)
    if os.path.isdir(filepath):
        raise IsADirectoryError(
            f"{filepath!r} is a folder: give a file name inside it, such as "
            f"{os.path.join(filepath, 'model.keras')!r}"
        )
    if not overwrite and os.path.exists(filepath):
        raise FileExistsError(f"{filepath!r} already exists and overwrite=False")
    directory = os.path.dirname(os.path.abspath(filepath))
    os.makedirs(directory, exist_ok=True)
    remove_stale_temporaries(filepath)
    tmp = temporary_name(filepath)
    os.close(os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600))
    try:
        try:
            yield tmp
            with open(tmp, "rb+") as f:
                os.fsync(f.fileno())
            os.chmod(tmp, _target_mode(filepath))
            os.replace(tmp, filepath)
        except (OSError, RuntimeError) as err:
            if isinstance(err, (FileExistsError, IsADirectoryError, SaveError)):
                raise
            raise _save_error(filepath, err) from err
    except BaseException:
        with contextlib.suppress(OSError):
            os.remove(tmp)
        raise
    _fsync_dir(directory)
