import numpy as np
import pytest

from neuroflow.classic import TLU, Perceptron, perceptron_update


def test_update_adds_eta_times_error_times_input():
    tlu = TLU(weights=[0.0, 0.0], bias=-1.0)
    perceptron_update(tlu, x=[2.0, 3.0], y=1, eta=0.5)
    np.testing.assert_allclose(tlu.weights, [1.0, 1.5])
    np.testing.assert_allclose(tlu.bias, -0.5)


def test_update_leaves_weights_alone_when_prediction_is_right():
    tlu = TLU(weights=[1.0, 1.0], bias=0.0)
    perceptron_update(tlu, x=[1.0, 1.0], y=1)
    np.testing.assert_allclose(tlu.weights, [1.0, 1.0])


def test_update_corrects_each_output_of_a_layer_separately():
    tlu = TLU(weights=np.zeros((2, 2)), bias=[0.0, 0.0])
    perceptron_update(tlu, x=[1.0, 2.0], y=[1, 0])
    np.testing.assert_allclose(tlu.weights, [[0.0, -1.0], [0.0, -2.0]])


def test_update_rejects_target_of_wrong_shape():
    with pytest.raises(ValueError, match=r"target `y` of shape \(2,\)"):
        perceptron_update(TLU(np.zeros((2, 2))), x=[1.0, 2.0], y=1)


def test_perceptron_learns_and_and_converges():
    X, y = [[0, 0], [0, 1], [1, 0], [1, 1]], [0, 0, 0, 1]
    perceptron = Perceptron(random_state=0).fit(X, y)
    assert perceptron.converged_
    np.testing.assert_array_equal(perceptron.predict(X), y)


def test_perceptron_cannot_learn_xor():
    perceptron = Perceptron(max_epochs=20, random_state=0)
    perceptron.fit([[0, 0], [0, 1], [1, 0], [1, 1]], [0, 1, 1, 0])
    assert not perceptron.converged_ and perceptron.n_epochs_ == 20


def test_multi_output_perceptron_learns_one_hot_targets():
    X = np.array([[0.0, 0.0], [0.0, 4.0], [4.0, 0.0]])
    Y = np.eye(3)
    perceptron = Perceptron(random_state=0).fit(X, Y)
    np.testing.assert_array_equal(perceptron.predict(X), Y)


def test_perceptron_with_sign_step_learns_plus_minus_one_targets():
    X, y = [[-2.0], [-1.0], [1.0], [2.0]], [-1, -1, 1, 1]
    np.testing.assert_array_equal(Perceptron(step="sign", random_state=0).fit(X, y).predict(X), y)


def test_perceptron_rejects_targets_outside_step_range():
    with pytest.raises(ValueError, match=r"targets in \{0, 1\}"):
        Perceptron().fit([[0.0], [1.0]], [0, 2])


def test_perceptron_predict_before_fit_raises():
    with pytest.raises(RuntimeError, match="fit"):
        Perceptron().predict([[0.0]])
