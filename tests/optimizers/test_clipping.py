import numpy as np
import pytest

from neuroflow.autodiff.tensor import Variable
from neuroflow.optimizers import SGD

from ._quadratic import assert_close


def _update(opt, grads):
    variables = [Variable(np.zeros(np.shape(g), dtype=np.float32)) for g in grads]
    opt.apply([np.asarray(g, dtype=np.float32) for g in grads], variables)
    return [-v.data for v in variables]  # lr = 1: the applied gradient


def test_clipnorm_rescales_each_gradient_to_the_norm():
    a, b = _update(SGD(1.0, clipnorm=1.0), [[3.0, 4.0], [0.3, 0.4]])
    assert_close(a, [0.6, 0.8])
    assert_close(b, [0.3, 0.4])


def test_global_clipnorm_rescales_all_gradients_together():
    a, b = _update(SGD(1.0, global_clipnorm=2.5), [[3.0], [4.0]])
    assert_close([a[0], b[0]], [1.5, 2.0])


def test_global_clipnorm_leaves_small_gradients_alone():
    a, b = _update(SGD(1.0, global_clipnorm=10.0), [[3.0], [4.0]])
    assert_close([a[0], b[0]], [3.0, 4.0])


def test_clipvalue_clips_each_element():
    (a,) = _update(SGD(1.0, clipvalue=0.5), [[-2.0, 0.1, 3.0]])
    assert_close(a, [-0.5, 0.1, 0.5])


def test_clipping_does_not_modify_the_caller_gradients():
    g = np.array([3.0, 4.0], dtype=np.float32)
    SGD(1.0, clipnorm=1.0).apply([g], [Variable(np.zeros(2))])
    assert_close(g, [3.0, 4.0])


def test_only_one_clipping_argument_is_allowed():
    with pytest.raises(ValueError, match="only one of"):
        SGD(clipnorm=1.0, clipvalue=1.0)


def test_negative_clipnorm_is_rejected():
    with pytest.raises(ValueError, match="clipnorm"):
        SGD(clipnorm=-1.0)
