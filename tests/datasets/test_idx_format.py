import numpy as np
import pytest

from neuroflow.datasets._idx import idx_bytes, parse_idx


def test_parses_uint8_images():
    content = bytes([0, 0, 8, 3, 0, 0, 0, 2, 0, 0, 0, 1, 0, 0, 0, 2]) + bytes([1, 2, 3, 4])
    array = parse_idx(content)
    np.testing.assert_array_equal(array, [[[1, 2]], [[3, 4]]])
    assert array.dtype == np.uint8


def test_parses_one_dimensional_labels():
    content = bytes([0, 0, 8, 1, 0, 0, 0, 3, 9, 0, 3])
    np.testing.assert_array_equal(parse_idx(content), [9, 0, 3])


def test_big_endian_int32_becomes_native():
    content = bytes([0, 0, 0x0C, 1, 0, 0, 0, 1]) + (258).to_bytes(4, "big")
    array = parse_idx(content)
    assert array[0] == 258 and array.dtype.isnative


def test_parsed_array_is_writable():
    assert parse_idx(bytes([0, 0, 8, 1, 0, 0, 0, 1, 7])).flags.writeable


def test_bad_magic_is_rejected_naming_the_source():
    with pytest.raises(ValueError, match=r"labels\.gz is not an IDX file"):
        parse_idx(b"\x1f\x8b\x08\x00rest", source="labels.gz")


def test_data_shorter_than_header_announces_is_rejected():
    with pytest.raises(ValueError, match=r"has 2 data bytes after its IDX header, expected 3"):
        parse_idx(bytes([0, 0, 8, 1, 0, 0, 0, 3, 1, 2]))


def test_truncated_header_is_rejected():
    with pytest.raises(ValueError, match="truncated"):
        parse_idx(bytes([0, 0, 8, 3, 0, 0]))


@pytest.mark.parametrize("dtype", ["u1", "i1", "i2", "i4", "f4", "f8"])
def test_idx_bytes_round_trips(dtype):
    array = np.arange(6, dtype=dtype).reshape(2, 3)
    restored = parse_idx(idx_bytes(array))
    assert restored.dtype == array.dtype
    np.testing.assert_array_equal(restored, array)


def test_idx_bytes_rejects_unsupported_dtype():
    with pytest.raises(ValueError, match="IDX cannot store dtype int64"):
        idx_bytes(np.zeros(2, dtype=np.int64))
