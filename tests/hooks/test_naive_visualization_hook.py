"""NaiveVisualizationHook: a real test run writes a valid PNG grid of test samples with their
predicted and true labels; the pieces (images, titles, labels) checked by hand."""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest
import torch
from PIL import Image

from cadence.errors import ConfigError
from cadence.hooks import NaiveVisualizationHook
from cadence.hooks.naive_visualization_hook import (
    CORRECT_COLOR,
    NEUTRAL_COLOR,
    WRONG_COLOR,
    batch_images,
    prediction_of,
    render_prediction_grid,
    sample_title,
    to_display,
)
from cadence.runner import Runner
from support.runs import digits_cfg


def _test_runner(tmp_path, **hook):
    cfg = digits_cfg(tmp_path, custom_hooks=[{'type': 'NaiveVisualizationHook', **hook}])
    cfg['test_dataloader'] = cfg['val_dataloader']  # 64 samples in batches of 32
    cfg['test_evaluator'] = cfg['val_evaluator']
    cfg['test_cfg'] = {}
    return Runner.from_cfg(cfg)


def test_a_test_run_writes_a_png_grid(tmp_path):
    runner = _test_runner(tmp_path, max_samples=20)
    runner.test()
    path = tmp_path / runner.timestamp / 'vis_data' / 'vis_image' / 'test_predictions.png'
    hook = next(h for h in runner.hooks if isinstance(h, NaiveVisualizationHook))
    assert hook.last_path == str(path)
    with Image.open(path) as image:
        image.verify()
    with Image.open(path) as image:
        assert image.format == 'PNG'
        # 20 samples: a 5 x 4 grid of 1.6 x 1.9 inch cells at 100 dpi
        assert image.size == (800, 760)
        pixels = torch.from_numpy(np.asarray(image.convert('L'), dtype=np.float32))
        assert pixels.std() > 10  # not a blank canvas
        colours = {tuple(c) for c in np.asarray(image.convert('RGB')).reshape(-1, 3).tolist()}
    # the titles are coloured: green (right) and/or red (wrong) text is present
    green = tuple(int(CORRECT_COLOR[i : i + 2], 16) for i in (1, 3, 5))
    red = tuple(int(WRONG_COLOR[i : i + 2], 16) for i in (1, 3, 5))
    assert green in colours or red in colours


def test_samples_come_from_every_interval_th_batch_up_to_max_samples():
    hook = NaiveVisualizationHook(interval=2, max_samples=5)
    runner = SimpleNamespace(logger=None)
    hook.before_test(runner)
    for batch_idx in range(4):
        batch = {'inputs': torch.full((3, 1, 2, 2), float(batch_idx)), 'data_samples': [1, 2, 3]}
        outputs = [{'pred_label': torch.tensor(i)} for i in range(3)]
        hook.after_test_iter(runner, batch_idx, batch, outputs)
    values = [float(image[0, 0, 0]) for image, _, _ in hook._samples]
    assert values == [1.0, 1.0, 1.0, 3.0, 3.0]  # batches 1 and 3 (every 2nd), 5 at most
    assert [(pred, gt) for _, pred, gt in hook._samples][:3] == [(0, 1), (1, 2), (2, 3)]


def test_titles_name_classes_and_colour_right_and_wrong():
    classes = ('zero', 'one', 'two')
    assert sample_title(1, 1, classes) == ('pred: one\ngt: one', CORRECT_COLOR)
    assert sample_title(2, 1, classes) == ('pred: two\ngt: one', WRONG_COLOR)
    assert sample_title(2, 1, None, draw_gt=False) == ('pred: 2', NEUTRAL_COLOR)
    assert sample_title(2, None, classes) == ('pred: two', NEUTRAL_COLOR)
    assert sample_title(7, 1, classes, draw_pred=False) == ('gt: one', NEUTRAL_COLOR)


def test_predictions_and_images_are_read_from_common_shapes():
    assert prediction_of({'pred_label': torch.tensor(4)}) == 4
    assert prediction_of({'pred_score': torch.tensor([0.1, 0.7, 0.2])}) == 1
    assert prediction_of('no dict') is None
    stacked = batch_images({'inputs': torch.zeros(2, 1, 8, 8)})
    assert len(stacked) == 2 and stacked[0].shape == (1, 8, 8)
    assert len(batch_images({'inputs': [torch.zeros(3, 4, 4)]})) == 1
    assert len(batch_images((torch.zeros(5, 3, 2, 2), torch.zeros(5)))) == 5
    assert batch_images({'inputs': 'text'}) is None


def test_images_are_converted_for_display():
    grey, is_grey = to_display(torch.full((1, 4, 4), 0.5))
    assert is_grey and grey.shape == (4, 4) and grey.max() == 0.5
    rgb, is_grey = to_display(torch.full((3, 2, 2), 255, dtype=torch.uint8))
    assert not is_grey and rgb.shape == (2, 2, 3) and rgb.max() == 1.0
    normalised, _ = to_display(torch.tensor([[-2.0, 0.0], [2.0, 1.0]]))  # rescaled to [0, 1]
    assert normalised.min() == 0.0 and normalised.max() == 1.0 and normalised[0, 1] == 0.5
    flat, _ = to_display(torch.linspace(0, 1, 64))  # a flattened 8 x 8 image
    assert flat.shape == (8, 8)
    with pytest.raises(ValueError, match='cannot show an image of shape'):
        to_display(torch.zeros(2, 5, 4, 4))


def test_render_writes_a_png_for_colour_images(tmp_path):
    samples = [(torch.rand(3, 6, 6), 1, 0), (torch.rand(3, 6, 6), 0, 0)]
    path = render_prediction_grid(samples, str(tmp_path / 'out' / 'grid.png'), ('a', 'b'))
    with Image.open(path) as image:
        assert image.format == 'PNG' and image.size == (320, 190)


def test_priority_is_lowest_and_options_are_checked(tmp_path):
    assert NaiveVisualizationHook().priority == 'LOWEST'
    cfg = digits_cfg(tmp_path, custom_hooks=[{'type': 'NaiveVisualizationHook', 'interval': 0}])
    with pytest.raises(ConfigError, match='custom_hooks.0.*interval must be a positive int'):
        Runner.from_cfg(cfg)
