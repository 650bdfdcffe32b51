"""Scalar backends: JSON lines written and read back, TensorBoard event files read back."""

from __future__ import annotations

import json
import math
import sys

import numpy as np
import pytest
import torch

from cadence.config import Config
from cadence.errors import ConfigError
from cadence.logging import LocalVisBackend, TensorboardVisBackend


def _lines(path):
    return [json.loads(line) for line in open(path, encoding='utf-8')]


def test_local_backend_writes_one_json_line_per_call(tmp_path):
    backend = LocalVisBackend(str(tmp_path / 'vis_data'))
    backend.add_scalars({'loss': torch.tensor(0.25), 'lr': 0.1, 'epoch': 1}, step=10)
    backend.add_scalars({'accuracy/top1': 97.5, 'bad': float('nan')}, step=1, file_path='run.json')
    backend.add_scalar('grad_norm', torch.tensor([3.0]), step=20)
    backend.add_scalar('hist', np.array([1, 2]), step=21)
    path = tmp_path / 'vis_data' / 'scalars.json'
    assert _lines(path) == [
        {'loss': 0.25, 'lr': 0.1, 'epoch': 1, 'step': 10},
        {'accuracy/top1': 97.5, 'bad': 'nan', 'step': 1},  # still valid JSON
        {'grad_norm': 3.0, 'step': 20},
        {'hist': [1, 2], 'step': 21},
    ]
    # the reference's per-run copy gets only the calls that name it
    assert _lines(tmp_path / 'vis_data' / 'run.json') == [
        {'accuracy/top1': 97.5, 'bad': 'nan', 'step': 1}
    ]
    backend.close()
    backend.add_scalars({'loss': 0.5}, step=30)  # usable after close: appends
    backend.close()
    assert [line['step'] for line in _lines(path)] == [10, 1, 20, 21, 30]


def test_local_backend_lines_are_flushed_at_once(tmp_path):
    backend = LocalVisBackend(str(tmp_path))
    backend.add_scalars({'loss': 1.0}, step=1)
    # readable before close: a crash loses nothing already logged
    assert _lines(tmp_path / 'scalars.json') == [{'loss': 1.0, 'step': 1}]
    backend.close()


def test_local_backend_config_and_images(tmp_path):
    from matplotlib.image import imread

    backend = LocalVisBackend(str(tmp_path), scalar_save_file='s.json')
    backend.add_config(Config({'a': 1, 'model': {'type': 'M'}}))
    assert Config.fromfile(str(tmp_path / 'config.py')).model.type == 'M'
    image = np.zeros((4, 6, 3), dtype=np.uint8)
    image[:, :3] = 255
    backend.add_image('grid', image, step=3)
    saved = imread(str(tmp_path / 'vis_image' / 'grid_3.png'))
    assert saved.shape[:2] == (4, 6) and saved[0, 0, 0] == 1.0 and saved[0, 5, 0] == 0.0


@pytest.mark.parametrize(
    ('kwargs', 'message'),
    [
        ({'save_dir': ''}, 'save_dir must be a folder path'),
        ({'save_dir': 'x', 'scalar_save_file': 'scalars.txt'}, "must end with '.json'"),
        ({'save_dir': 'x', 'img_save_dir': ''}, 'img_save_dir must be'),
    ],
)
def test_local_backend_argument_errors(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        LocalVisBackend(**kwargs)


def _read_events(folder):
    accumulator = pytest.importorskip(
        'tensorboard.backend.event_processing.event_accumulator'
    ).EventAccumulator(str(folder), size_guidance={'scalars': 0, 'tensors': 0, 'images': 0})
    accumulator.Reload()
    return accumulator


def test_tensorboard_backend_scalars_read_back(tmp_path):
    pytest.importorskip('tensorboard')
    backend = TensorboardVisBackend(str(tmp_path / 'tb'))
    backend.add_scalars({'loss': torch.tensor(0.5), 'lr': 0.01, 'note': 'text'}, step=10)
    backend.add_scalars({'loss': 0.25, 'lr': 0.005, 'bad': float('inf')}, step=20)
    backend.add_scalar('accuracy/top1', 97.5, step=1)
    backend.close()
    events = _read_events(tmp_path / 'tb')
    assert sorted(events.Tags()['scalars']) == ['accuracy/top1', 'bad', 'loss', 'lr']
    assert [(e.step, e.value) for e in events.Scalars('loss')] == [(10, 0.5), (20, 0.25)]
    assert [(e.step, pytest.approx(e.value)) for e in events.Scalars('lr')] == [
        (10, 0.01),
        (20, 0.005),
    ]
    assert math.isinf(events.Scalars('bad')[0].value)
    assert [(e.step, e.value) for e in events.Scalars('accuracy/top1')] == [(1, 97.5)]


def test_tensorboard_backend_config_and_image(tmp_path):
    pytest.importorskip('tensorboard')
    backend = TensorboardVisBackend(str(tmp_path))
    backend.add_config(Config({'lr': 0.1}))
    backend.add_image('samples', np.full((8, 8, 3), 128, dtype=np.uint8), step=2)
    backend.close()
    events = _read_events(tmp_path)
    assert events.Tags()['images'] == ['samples']
    assert events.Images('samples')[0].step == 2 and events.Images('samples')[0].width == 8
    text = events.Tensors('config/text_summary')[0].tensor_proto.string_val[0].decode()
    assert 'lr = 0.1' in text


def test_tensorboard_backend_without_tensorboard_says_how_to_install(tmp_path, monkeypatch):
    monkeypatch.setitem(sys.modules, 'torch.utils.tensorboard', None)  # import fails
    with pytest.raises(ConfigError, match=r"pip install 'cadence\[tensorboard\]'"):
        TensorboardVisBackend(str(tmp_path))
