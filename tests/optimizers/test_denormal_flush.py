"""Slot values that decay into float32's denormal range are flushed to zero."""

import numpy as np

from neuroflow.autodiff import Variable
from neuroflow.optimizers import SGD, Adam
from neuroflow.optimizers.base import _FLUSH_EVERY


def test_momentum_of_a_weight_with_zero_gradient_is_flushed_out_of_the_denormal_range():
    w = Variable(np.ones(4, dtype=np.float32))
    opt = SGD(learning_rate=0.1, momentum=0.9)
    opt.apply([np.ones(4, dtype=np.float32)], [w])
    momentum = opt.momentums[0].data
    momentum[:2] = np.float32(1e-39)  # denormal: what a long geometric decay reaches
    for _ in range(_FLUSH_EVERY - 1):
        opt.apply([np.zeros(4, dtype=np.float32)], [w])
    assert np.all(momentum[:2] == 0)
    assert np.all(np.abs(momentum[2:]) > np.finfo(np.float32).tiny)


def test_normal_slot_values_are_untouched_by_the_flush():
    w = Variable(np.ones(3, dtype=np.float32))
    flushed, reference = Adam(learning_rate=0.01), Adam(learning_rate=0.01)
    ref_w = Variable(np.ones(3, dtype=np.float32))
    for step in range(_FLUSH_EVERY + 1):
        g = np.full(3, 0.5 + step % 3, dtype=np.float32)
        flushed.apply([g], [w])
        reference.apply([g], [ref_w])
    np.testing.assert_array_equal(w.data, ref_w.data)
