"""The PNG plot: a valid image, and a reduction of long curves that keeps their shape."""

from __future__ import annotations

import struct

import numpy as np
import pytest

from cadence.optim.scheduler import schedule_values
from cadence.visualization import plot_schedule
from cadence.visualization.schedule_plot import _reduce

pytest.importorskip('matplotlib')


def png_size(path) -> tuple[int, int]:
    data = path.read_bytes()
    assert data[:8] == b'\x89PNG\r\n\x1a\n' and data[12:16] == b'IHDR'
    return struct.unpack('>II', data[16:24])


def test_plot_writes_a_png(tmp_path):
    preview = schedule_values(
        dict(optim_wrapper=dict(optimizer=dict(type='SGD', lr=0.1, momentum=0.9)),
             param_scheduler=[dict(type='LinearLR', by_epoch=False, end=20),
                              dict(type='CosineAnnealingMomentum', eta_min=0.8)],
             train_cfg=dict(by_epoch=True, max_epochs=5)),
        epoch_length=10,
    )  # fmt: skip
    path = tmp_path / 'curve.png'
    plot_schedule(preview, ['lr', 'momentum'], path, title='t')
    width, height = png_size(path)
    assert width == 900 and height > 500


def test_reduction_keeps_extremes_and_jumps():
    values = np.concatenate([np.linspace(0, 1, 50_000), np.full(50_000, 0.25)])
    x, y = _reduce(values, points=1000)
    assert len(x) == len(y) == 1000
    assert y.max() == 1.0 and y.min() == 0.0
    drop = np.flatnonzero(np.diff(y) < -0.5)
    assert drop.size == 1 and x[drop[0]] <= 50_000 <= x[drop[0] + 2]
