import gzip
import io
import tarfile

import pytest

from neuroflow.datasets import ChecksumError
from neuroflow.datasets._content import decompressed_content, read_verified

CONTENT = b"1,2,3\n4,5,6\n"


def test_plain_and_gzipped_copies_give_the_same_verified_content(tmp_path, spec_for):
    spec = spec_for(CONTENT)
    (tmp_path / "plain").write_bytes(CONTENT)
    (tmp_path / "packed.gz").write_bytes(gzip.compress(CONTENT, mtime=0))
    assert read_verified(tmp_path / "plain", spec) == CONTENT
    assert read_verified(tmp_path / "packed.gz", spec) == CONTENT


def test_recompressed_copy_with_other_header_is_accepted(tmp_path, spec_for):
    (tmp_path / "a.gz").write_bytes(gzip.compress(CONTENT, compresslevel=1, mtime=12345))
    assert read_verified(tmp_path / "a.gz", spec_for(CONTENT)) == CONTENT


def test_member_of_a_tgz_is_extracted_by_base_name(tmp_path, spec_for):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w:gz") as archive:
        info = tarfile.TarInfo("Folder/toy.bin")
        info.size = len(CONTENT)
        archive.addfile(info, io.BytesIO(CONTENT))
    (tmp_path / "toy.tgz").write_bytes(buffer.getvalue())
    assert decompressed_content(tmp_path / "toy.tgz", spec_for(CONTENT)) == CONTENT


def test_archive_without_the_member_is_reported(tmp_path, spec_for):
    buffer = io.BytesIO()
    with tarfile.open(fileobj=buffer, mode="w") as archive:
        info = tarfile.TarInfo("other.txt")
        archive.addfile(info, io.BytesIO(b""))
    (tmp_path / "x.tar").write_bytes(buffer.getvalue())
    with pytest.raises(ChecksumError, match="holds no file named 'toy.bin'"):
        decompressed_content(tmp_path / "x.tar", spec_for(CONTENT))


def test_truncated_gzip_is_reported_with_its_path(tmp_path, spec_for):
    path = tmp_path / "cut.gz"
    path.write_bytes(gzip.compress(CONTENT * 100)[:-12])
    with pytest.raises(ChecksumError, match=r"cut\.gz' is corrupted or truncated") as info:
        read_verified(path, spec_for(CONTENT))
    assert info.value.path == str(path) and info.value.actual is None


def test_wrong_size_is_reported_with_both_sizes(tmp_path, spec_for):
    (tmp_path / "short").write_bytes(CONTENT[:-1])
    with pytest.raises(ChecksumError, match=r"has 11 bytes, expected 12"):
        read_verified(tmp_path / "short", spec_for(CONTENT))


def test_wrong_digest_is_reported_with_both_digests(tmp_path, spec_for):
    spec = spec_for(CONTENT)
    (tmp_path / "flipped").write_bytes(CONTENT.replace(b"6", b"7"))
    with pytest.raises(ChecksumError, match=f"expected {spec.sha256}") as info:
        read_verified(tmp_path / "flipped", spec)
    assert info.value.actual is not None and info.value.actual != spec.sha256
