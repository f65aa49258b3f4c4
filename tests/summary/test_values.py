"""Histograms, images, text and audio are stored as TensorBoard's plugins expect them."""

from __future__ import annotations

import io
import wave

import numpy as np
import pytest
from tensorboard.backend.event_processing import plugin_event_accumulator
from tensorboard.plugins.audio import metadata as audio_metadata
from tensorboard.plugins.histogram.summary_v2 import histogram_pb
from tensorboard.util import tensor_util

from neuroflow import summary


@pytest.fixture
def logdir(tmp_path):
    """A default writer at step 0 that writes each summary to disk at once."""
    with summary.create_file_writer(tmp_path, flush_millis=0).as_default(step=0):
        yield tmp_path


def _only(read, logdir, tag):
    (value,) = read(logdir).values(tag)
    return value


HISTOGRAM_CASES = {
    "normal": (np.random.default_rng(0).normal(size=1000), None),
    "few buckets": (np.random.default_rng(1).uniform(-3, 7, size=(10, 10)), 4),
    "one bucket": (np.arange(10.0), 1),
    "integers": (np.array([1, 2, 2, 3, 3, 3, 9]), 5),
    "all equal": (np.full(6, 2.5), 7),
    "empty": (np.array([]), 3),
    "float32 edge": (np.array([0.1, 0.2, 0.3], dtype=np.float32), 3),
}


@pytest.mark.parametrize("data, buckets", HISTOGRAM_CASES.values(), ids=HISTOGRAM_CASES)
def test_histogram_buckets_equal_tensorboards_own(read, logdir, data, buckets):
    summary.histogram("h", data, buckets=buckets)
    expected = tensor_util.make_ndarray(histogram_pb("h", data, buckets=buckets).value[0].tensor)
    got = _only(read, logdir, "h")
    assert got.dtype == np.float64 and read(logdir).plugin("h") == "histograms"
    np.testing.assert_allclose(got, expected, rtol=1e-12, atol=0)


def test_histogram_refuses_non_finite_data(logdir):
    with pytest.raises(ValueError, match="'h'.*NaN or infinite"):
        summary.histogram("h", [1.0, np.inf])


def _decode_png(blob):
    image = pytest.importorskip("PIL.Image")
    return np.asarray(image.open(io.BytesIO(blob)))


@pytest.mark.parametrize("channels", [1, 3, 4])
def test_uint8_images_decode_to_their_pixels(read, logdir, channels):
    pixels = np.random.default_rng(channels).integers(0, 256, (2, 5, 7, channels), np.uint8)
    summary.image("img", pixels)
    width, height, *pngs = _only(read, logdir, "img")
    assert (width, height, len(pngs)) == (b"7", b"5", 2)
    for png, expected in zip(pngs, pixels, strict=True):
        decoded = _decode_png(png)
        np.testing.assert_array_equal(decoded.reshape(expected.shape), expected)
    assert read(logdir).plugin("img") == "images"


def test_float_images_are_scaled_like_tensorflow_and_clipped(read, logdir):
    values = np.array([0.0, 0.5, 0.999, 1.0, 1.7, -0.2]).reshape(1, 1, 6, 1)
    summary.image("img", values)
    np.testing.assert_array_equal(_decode_png(_only(read, logdir, "img")[2]).ravel(),
                                  [0, 127, 255, 255, 255, 0])


def test_image_keeps_at_most_max_outputs(read, logdir):
    summary.image("img", np.zeros((5, 2, 2, 3)), max_outputs=2)
    assert len(_only(read, logdir, "img")) == 2 + 2


@pytest.mark.parametrize("shape", [(32, 32, 3), (1, 4, 4, 2)])
def test_image_names_the_expected_shape(logdir, shape):
    with pytest.raises(ValueError, match=r"'img'.*\[k, height, width, channels\]"):
        summary.image("img", np.zeros(shape))


def test_image_refuses_other_integer_types(logdir):
    with pytest.raises(TypeError, match="uint8"):
        summary.image("img", np.zeros((1, 2, 2, 3), dtype=np.int32))


def test_text_keeps_the_shape_of_its_strings(read, logdir):
    summary.text("one", "The step is 0")
    summary.text("table", [["a", "b"], ["c", "é"]])
    run = read(logdir)
    assert run.values("one")[0] == b"The step is 0" and run.plugin("one") == "text"
    np.testing.assert_array_equal(run.values("table")[0],
                                  np.array([[b"a", b"b"], [b"c", "é".encode()]], dtype=object))


def test_text_refuses_numbers(logdir):
    with pytest.raises(TypeError, match="'t'.*strings"):
        summary.text("t", [1, 2])


def test_audio_is_16_bit_wav_with_tensorboards_metadata(read, logdir):
    t = np.arange(480) / 48000
    clips = np.stack([np.sin(2 * np.pi * 440 * t), 0.5 * np.ones_like(t)])[..., None]
    summary.audio("sound", clips, sample_rate=48000)
    run = read(logdir)
    encoded = run.values("sound")[0]
    assert encoded.shape == (2, 2) and list(encoded[:, 1]) == [b"", b""]
    with wave.open(io.BytesIO(encoded[1, 0])) as wav:
        assert (wav.getframerate(), wav.getnchannels(), wav.getsampwidth()) == (48000, 1, 2)
        frames = np.frombuffer(wav.readframes(wav.getnframes()), dtype="<i2")
    np.testing.assert_array_equal(frames, np.full(480, 16384))
    content = run.acc.SummaryMetadata("sound").plugin_data.content
    assert audio_metadata.parse_plugin_metadata(content).encoding == audio_metadata.Encoding.WAV


@pytest.mark.parametrize("kwargs, message", [
    ({"data": np.zeros((10, 1)), "sample_rate": 8000}, r"\[k, frames, channels\]"),
    ({"data": np.zeros((1, 10, 1)), "sample_rate": 0}, "sample_rate must be positive"),
    ({"data": np.zeros((1, 10, 1)), "sample_rate": 8000, "encoding": "mp3"}, "encoding"),
])
def test_audio_names_a_bad_argument(logdir, kwargs, message):
    with pytest.raises(ValueError, match=message):
        summary.audio("sound", **kwargs)


def test_write_stores_a_custom_tensor_with_its_metadata(read, logdir):
    from tensorboardX.proto.summary_pb2 import SummaryMetadata

    metadata = SummaryMetadata(plugin_data=SummaryMetadata.PluginData(plugin_name="mine"))
    assert summary.write("raw", lambda: np.arange(3, dtype=np.int64),
                         metadata=metadata.SerializeToString())
    np.testing.assert_array_equal(_only(read, logdir, "raw"), [0, 1, 2])
    assert read(logdir).plugin("raw") == "mine"


def test_tensorboards_plugins_find_every_kind_of_summary(tmp_path):
    with summary.create_file_writer(tmp_path).as_default(step=1):
        summary.scalar("s", 1.0)
        summary.histogram("h", [1.0, 2.0])
        summary.image("i", np.zeros((1, 2, 2, 3)))
        summary.text("t", "hello")
        summary.audio("a", np.zeros((1, 4, 1)), sample_rate=8000)
    acc = plugin_event_accumulator.EventAccumulator(str(tmp_path))
    acc.Reload()
    found = {plugin: sorted(acc.PluginTagToContent(plugin))
             for plugin in ("scalars", "histograms", "images", "text", "audio")}
    assert found == {"scalars": ["s"], "histograms": ["h"], "images": ["i"], "text": ["t"],
                     "audio": ["a"]}
