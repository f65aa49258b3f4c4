"""plot_history and plot_images: the chapter's learning curves and image grid."""

import numpy as np
import pytest

matplotlib = pytest.importorskip("matplotlib")
matplotlib.use("Agg")
import matplotlib.pyplot as plt  # noqa: E402

from neuroflow.callbacks import History  # noqa: E402
from neuroflow.utils import plot_history, plot_images  # noqa: E402

LOGS = {"loss": [0.9, 0.5, 0.4], "accuracy": [0.6, 0.8, 0.85],
        "val_loss": [0.6, 0.45, 0.42], "val_accuracy": [0.75, 0.82, 0.84]}


@pytest.fixture(autouse=True)
def close_figures():
    yield
    plt.close("all")


def make_history(logs=LOGS) -> History:
    history = History()
    for epoch in range(len(next(iter(logs.values())))):
        history.on_epoch_end(epoch, {k: v[epoch] for k, v in logs.items()})
    return history


def lines_by_label(fig) -> dict:
    return {line.get_label(): line for line in fig.axes[0].get_lines()}


def test_plot_history_draws_train_and_validation_curves_of_each_metric():
    fig = plot_history(make_history())
    assert set(lines_by_label(fig)) == {"loss", "accuracy", "val_loss", "val_accuracy"}


def test_plot_history_accepts_the_history_dict():
    fig = plot_history(LOGS)
    assert len(fig.axes[0].get_lines()) == 4


def test_plot_history_uses_unit_y_range_when_all_values_fit():
    fig = plot_history(LOGS)
    assert fig.axes[0].get_ylim() == (0.0, 1.0)


def test_plot_history_keeps_automatic_y_range_when_a_value_exceeds_one():
    fig = plot_history({"loss": [2.5, 1.2]})
    assert fig.axes[0].get_ylim()[1] > 2.4


def test_plot_history_draws_a_grid():
    fig = plot_history(LOGS)
    gridlines = fig.axes[0].get_xgridlines()
    assert gridlines and all(line.get_visible() for line in gridlines)


def test_plot_history_shifts_training_curve_half_an_epoch_left():
    lines = lines_by_label(plot_history(LOGS, shift_training=True))
    np.testing.assert_allclose(lines["loss"].get_xdata(), [-0.5, 0.5, 1.5])
    np.testing.assert_allclose(lines["val_loss"].get_xdata(), [0, 1, 2])


def test_plot_history_draws_only_the_requested_metrics():
    fig = plot_history(LOGS, metrics=["accuracy"])
    assert set(lines_by_label(fig)) == {"accuracy", "val_accuracy"}


def test_plot_history_rejects_an_unknown_metric():
    with pytest.raises(ValueError, match="no curve named"):
        plot_history(LOGS, metrics=["mae"])


def test_plot_history_rejects_an_empty_history():
    with pytest.raises(ValueError, match="no values"):
        plot_history(History())


@pytest.mark.parametrize("suffix, magic", [(".png", b"\x89PNG"), (".svg", b"<?xml")])
def test_plot_history_saves_png_and_svg(tmp_path, suffix, magic):
    path = tmp_path / f"curves{suffix}"
    plot_history(LOGS, filename=path)
    assert path.read_bytes().startswith(magic)


def test_plot_history_rejects_an_unknown_file_format(tmp_path):
    with pytest.raises(ValueError, match=".png"):
        plot_history(LOGS, filename=tmp_path / "curves.bmp")


def test_history_plot_calls_plot_history(tmp_path):
    path = tmp_path / "curves.png"
    make_history().plot(filename=path)
    assert path.exists()


def test_plot_images_titles_each_image_with_its_class_name():
    x = np.zeros((3, 4, 4))
    fig = plot_images(x, [0, 2, 1], ["a", "b", "c"])
    assert [ax.get_title() for ax in fig.axes] == ["a", "c", "b"]


def test_plot_images_marks_wrong_predictions_in_red():
    fig = plot_images(np.zeros((2, 4, 4)), [0, 1], ["a", "b"], predictions=[0, 0])
    right, wrong = fig.axes
    assert wrong.get_title() == "a\n(true: b)"
    assert wrong.title.get_color() == "red" and right.title.get_color() != "red"


def test_plot_images_takes_predicted_probabilities():
    probs = np.array([[0.9, 0.1], [0.2, 0.8]])
    fig = plot_images(np.zeros((2, 4, 4)), [0, 1], ["a", "b"], predictions=probs)
    assert [ax.get_title() for ax in fig.axes] == ["a", "b"]


def test_plot_images_lays_out_rows_of_n_cols():
    fig = plot_images(np.zeros((12, 4, 4)), np.zeros(12, int), ["a"], n_cols=5)
    assert len(fig.axes) == 15 and fig.axes[0].get_subplotspec().get_gridspec().ncols == 5


def test_plot_images_draws_at_most_max_images():
    fig = plot_images(np.zeros((50, 4, 4)), np.zeros(50, int), ["a"], max_images=20)
    assert sum(bool(ax.images) for ax in fig.axes) == 20


def test_plot_images_rejects_mismatched_labels():
    with pytest.raises(ValueError, match="labels has 2 entries for 3 images"):
        plot_images(np.zeros((3, 4, 4)), [0, 1], ["a", "b"])


def test_plot_images_rejects_a_label_without_a_name():
    with pytest.raises(ValueError, match="class 5 has no name"):
        plot_images(np.zeros((1, 4, 4)), [5], ["a", "b"])


def test_plot_images_rejects_flat_vectors():
    with pytest.raises(ValueError, match="height, width"):
        plot_images(np.zeros((3, 16)), [0, 1, 2])
