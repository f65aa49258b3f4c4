"""Find a verified copy of a data set file, in the documented order of sources.

1. the folder given to the call (``path=`` or ``data_home=``), and its ``<dataset>/``;
2. ``$NEUROFLOW_DATA/<dataset>/``;
3. the user cache, ``get_data_home() / <dataset>``;
4. system folders where a package manager installs the data set;
5. a download from each mirror in turn, into the folder given to the call or else the
   user cache.

Every candidate is verified (see ``_content``). A bad file in the user cache is
reported with a warning, deleted and fetched again; a bad file anywhere else raises
``ChecksumError`` naming it, since deleting what the user provided would be rude.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from neuroflow.datasets._content import DataFile, read_verified
from neuroflow.datasets._download import (
    DownloadError,
    NetworkUnreachable,
    download,
    partial_path,
)
from neuroflow.datasets._errors import ChecksumError, DatasetNotFoundError
from neuroflow.datasets._home import DATA_ENV, data_root, get_data_home


@dataclass(frozen=True)
class Location:
    """A folder searched for data set files; ``folder`` is None when not configured."""

    label: str
    folder: Path | None
    is_cache: bool = False


@dataclass(frozen=True)
class Dataset:
    """How to find one data set: its folder name, title, mirrors and system folders."""

    key: str
    title: str
    system_dirs: tuple[Path, ...] = ()
    hint: str = ""


def as_folder(path: str | os.PathLike[str] | None) -> Path | None:
    """Return ``path`` as an absolute folder path (None stays None)."""
    return None if path is None else Path(path).expanduser().absolute()


def download_folder(dataset: Dataset, given: Path | None) -> Path:
    """Return where downloads and parse caches go: ``given``, else the user cache."""
    return given if given is not None else get_data_home() / dataset.key


def search_locations(dataset: Dataset, given: Path | None, arg_name: str) -> list[Location]:
    """Return the folders to search, in order (the download comes after them)."""
    found: list[Location] = []
    if given is None:
        found.append(Location(f"{arg_name} argument", None))
    else:
        found.append(Location(f"{arg_name} argument", given))
        found.append(Location(f"{arg_name} argument", given / dataset.key))
    root = data_root()
    found.append(Location(f"{DATA_ENV} environment variable", root / dataset.key if root else None))
    found.append(Location("user cache", get_data_home() / dataset.key, is_cache=True))
    found.extend(Location("system location", Path(folder)) for folder in dataset.system_dirs)
    return found


def _look_in(location: Location, spec: DataFile) -> tuple[bytes, Path] | None:
    if location.folder is None or not location.folder.is_dir():
        return None
    for name in spec.file_names:
        candidate = location.folder / name
        if not candidate.is_file():
            continue
        try:
            return read_verified(candidate, spec), candidate
        except ChecksumError as exc:
            if not location.is_cache:
                raise
            warnings.warn(
                f"{exc} It was in the user cache: deleting it and fetching it again.",
                RuntimeWarning,
                stacklevel=4,
            )
            candidate.unlink(missing_ok=True)
    return None


def _describe(location: Location) -> str:
    if location.folder is None:
        return f"{location.label}: not set"
    state = "no such folder" if not location.folder.is_dir() else "file not there"
    return f"{location.label}: {location.folder} ({state})"


def _store(content: bytes, folder: Path, spec: DataFile, downloaded: Path) -> Path:
    """Keep a verified download under a name the search looks for; return that path."""
    if downloaded.name == spec.file_names[0]:
        return downloaded
    target = folder / spec.file_names[0]
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_bytes(content)
    os.replace(tmp, target)
    downloaded.unlink(missing_ok=True)
    return target


def _download_verified(url: str, folder: Path, spec: DataFile) -> tuple[bytes, Path]:
    dest = folder / spec.download_name
    stale_partial = partial_path(dest).exists()
    download(url, dest)
    try:
        content = read_verified(dest, spec)
    except ChecksumError:
        dest.unlink(missing_ok=True)
        if not stale_partial:
            raise
        # The partial file left by an earlier attempt may have come from another
        # mirror or another version: fetch the whole file once more from scratch.
        download(url, dest)
        try:
            content = read_verified(dest, spec)
        except ChecksumError:
            dest.unlink(missing_ok=True)
            raise
    return content, _store(content, folder, spec, dest)


def fetch_content(
    spec: DataFile,
    dataset: Dataset,
    urls: Sequence[str],
    *,
    given: Path | None = None,
    arg_name: str = "path=",
    download_if_missing: bool = True,
) -> tuple[bytes, Path]:
    """Return the verified, decompressed content of ``spec`` and the file it came from.

    Args:
        spec: the file wanted.
        dataset: where to look for it (folder name, system folders).
        urls: full URLs to download it from, tried in order.
        given: the folder given to the call, searched first and used for downloads.
        arg_name: how the caller names that argument in messages (``path=``).
        download_if_missing: when False, never download.

    Raises:
        ChecksumError: a file provided outside the cache is corrupted or truncated.
        DatasetNotFoundError: no location holds it and no download succeeded; the
            message lists each location tried and how to provide the file.
    """
    locations = search_locations(dataset, given, arg_name)
    for location in locations:
        hit = _look_in(location, spec)
        if hit is not None:
            return hit
    tried = [_describe(location) for location in locations]
    if download_if_missing:
        folder = download_folder(dataset, given)
        if not urls:
            tried.append("download: no mirror configured")
        for index, url in enumerate(urls):
            try:
                folder.mkdir(parents=True, exist_ok=True)
                return _download_verified(url, folder, spec)
            except NetworkUnreachable as exc:
                tried.append(f"download from {url}: failed ({exc})")
                if index + 1 < len(urls):
                    tried.append(f"download from the {len(urls) - index - 1} other "
                                 "mirror(s): skipped, the network is unreachable")
                break
            except (DownloadError, ChecksumError, OSError) as exc:
                tried.append(f"download from {url}: failed ({exc})")
    else:
        tried.append("download: disabled (download_if_missing=False)")
    raise DatasetNotFoundError(_not_found_message(spec, dataset, tried))


def _not_found_message(spec: DataFile, dataset: Dataset, tried: list[str]) -> str:
    lines = [
        f"Cannot find the {dataset.title} file {spec.file_names[0]!r}. Tried, in order:",
        *(f"  {i}. {entry}" for i, entry in enumerate(tried, start=1)),
        "To work offline, place the original file (named "
        + " or ".join(repr(n) for n in spec.file_names)
        + f") in a folder '{dataset.key}/' under the folder named by {DATA_ENV}, "
        "in the user cache folder above, or in a folder passed as the path argument.",
    ]
    if dataset.hint:
        lines.append(dataset.hint)
    return "\n".join(lines)
