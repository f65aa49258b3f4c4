"""`get_file` (Keras 3): download a file into a cache once, check its hash, and
optionally unpack it, through the data sets' download machinery (timeouts, retries,
resumed partial files). Archives are unpacked safely: a member that would land outside
the target folder, a link or a device file is refused."""

from __future__ import annotations

import hashlib
import os
import shutil
import tarfile
import urllib.parse
import urllib.request
import zipfile
from pathlib import Path

from neuroflow.datasets._download import download
from neuroflow.datasets._home import get_data_home

__all__ = ["get_file", "hash_file"]

_ARCHIVES = ("tar", "zip")


def hash_file(fpath: str | os.PathLike, algorithm: str = "sha256",
              chunk_size: int = 65535) -> str:
    """The hex digest of a file ('sha256' or 'md5')."""
    hasher = hashlib.md5() if algorithm == "md5" else hashlib.sha256()
    with open(fpath, "rb") as f:
        for chunk in iter(lambda: f.read(chunk_size), b""):
            hasher.update(chunk)
    return hasher.hexdigest()


def _algorithm(file_hash: str, hash_algorithm: str) -> str:
    if hash_algorithm not in ("auto", "sha256", "md5"):
        raise ValueError(f"get_file: hash_algorithm must be 'auto', 'sha256' or 'md5', "
                         f"received {hash_algorithm!r}")
    if hash_algorithm == "auto":
        return "sha256" if len(file_hash) == 64 else "md5"
    return hash_algorithm


def _fetch(origin: str, path: Path) -> None:
    """Fetch `origin` into `path`: a file:// URL is copied (Keras' urlretrieve reads those
    too), any other goes through the data sets' downloader."""
    parts = urllib.parse.urlsplit(origin)
    if parts.scheme != "file":
        download(origin, path, progress=False)
        return
    source = Path(urllib.request.url2pathname(parts.path))
    if parts.netloc not in ("", "localhost") or not source.is_file():
        raise FileNotFoundError(f"get_file: origin {origin!r} names no local file")
    partial = path.with_name(path.name + ".part")
    shutil.copyfile(source, partial)
    os.replace(partial, path)


def _inside(folder: Path, name: str) -> Path:
    target = (folder / name).resolve()
    if os.path.commonpath([str(folder.resolve()), str(target)]) != str(folder.resolve()):
        raise ValueError(f"get_file: archive member {name!r} would be written outside "
                         f"{folder}; refusing the archive")
    return target


def _extract(path: Path, folder: Path, archive_format: str | list | None) -> bool:
    """Unpack `path` into `folder` if it is one of the allowed formats; True if it was."""
    if archive_format is None:
        return False
    formats = list(_ARCHIVES) if archive_format == "auto" else (
        [archive_format] if isinstance(archive_format, str) else list(archive_format))
    for fmt in formats:
        if fmt not in _ARCHIVES:
            raise ValueError(f"get_file: archive_format must be 'auto', 'tar', 'zip', a list "
                             f"of them or None, received {archive_format!r}")
    folder.mkdir(parents=True, exist_ok=True)
    if "tar" in formats and tarfile.is_tarfile(path):
        with tarfile.open(path) as archive:
            for member in archive.getmembers():
                _inside(folder, member.name)
                if not (member.isfile() or member.isdir()):
                    raise ValueError(f"get_file: archive member {member.name!r} of {path} "
                                     "is a link or a special file; refusing the archive")
            archive.extractall(folder, filter="data")
        return True
    if "zip" in formats and zipfile.is_zipfile(path):
        with zipfile.ZipFile(path) as archive:
            for name in archive.namelist():
                _inside(folder, name)
            archive.extractall(folder)
        return True
    return False


def get_file(fname: str | None = None, origin: str | None = None, untar: bool = False,
             md5_hash: str | None = None, file_hash: str | None = None,
             cache_subdir: str = "datasets", hash_algorithm: str = "auto",
             extract: bool = False, archive_format: str | list | None = "auto",
             cache_dir: str | os.PathLike | None = None,
             force_download: bool = False) -> str:
    """Download `origin` to `cache_dir/cache_subdir/fname` unless a copy with the right
    hash is there already; return its path (the unpacked folder with `extract=True`).

    `cache_dir` defaults to `$NEUROFLOW_HOME` (or `~/.neuroflow`); `fname` defaults to
    the last part of the URL; `file_hash` is a SHA-256 or MD5 hex digest.
    """
    if origin is None:
        raise ValueError("get_file: origin (the URL of the file) is required, received None")
    given = fname
    if fname is None:
        fname = os.path.basename(urllib.parse.urlsplit(origin).path)
        if not fname:
            raise ValueError(f"get_file: cannot derive a file name from origin {origin!r}; "
                             "pass fname=")
    if os.path.isabs(fname) or os.path.basename(fname) != fname:
        raise ValueError(f"get_file: fname must be a plain file name, received {fname!r}")
    if md5_hash is not None and file_hash is None:
        file_hash, hash_algorithm = md5_hash, "md5"
    base = Path(cache_dir).expanduser() if cache_dir is not None else get_data_home().parent
    folder = base / cache_subdir
    folder.mkdir(parents=True, exist_ok=True)
    provided = given is not None
    if untar:
        extract, archive_format = True, "tar"
    if extract and provided and "." in fname:  # Keras' names for the archive and its folder
        path, target = folder / fname, folder / f"{fname[:fname.find('.')]}_extracted"
    elif extract:
        path, target = folder / f"{fname}_archive", folder / fname
    else:
        path, target = folder / fname, None
    algorithm = _algorithm(file_hash, hash_algorithm) if file_hash else None
    fresh = force_download or not path.exists() or (
        algorithm is not None and hash_file(path, algorithm) != file_hash)
    if fresh:
        _fetch(origin, path)
        if algorithm is not None and hash_file(path, algorithm) != file_hash:
            path.unlink()
            raise ValueError(f"get_file: the file downloaded from {origin} does not have the "
                             f"expected {algorithm} hash {file_hash}; it was removed")
    if target is None:
        return str(path)
    if fresh or not target.exists():
        if not _extract(path, target, archive_format):
            raise ValueError(f"get_file: {path} is not an archive of the formats "
                             f"{archive_format!r}")
    return str(target)
