"""The Visualizer built from the config, and a Runner writing through both backends."""

from __future__ import annotations

import json
import logging

import pytest

from cadence.errors import ConfigError
from cadence.logging import (
    LocalVisBackend,
    TensorboardVisBackend,
    UniversalVisualizer,
    Visualizer,
    build_visualizer,
)
from cadence.logging import visualizer as visualizer_module
from support.runs import digits_cfg, iter_cfg, train


def test_default_is_one_local_backend_under_vis_data(tmp_path):
    visualizer = build_visualizer(None, name='exp', log_dir=str(tmp_path))
    assert visualizer.name == 'exp'
    assert list(visualizer.backends) == ['LocalVisBackend']
    backend = visualizer.get_backend('LocalVisBackend')
    assert backend.scalar_save_file == str(tmp_path / 'vis_data' / 'scalars.json')
    assert Visualizer.get_current_instance() is visualizer


def test_config_names_scopes_and_explicit_save_dirs(tmp_path):
    cfg = {
        'type': 'mmpretrain.UniversalVisualizer',  # MMPretrain's runtime config, unchanged
        'vis_backends': [
            {'type': 'mmengine.LocalVisBackend'},
            {'type': 'LocalVisBackend', 'name': 'copy', 'save_dir': str(tmp_path / 'elsewhere')},
        ],
    }
    visualizer = build_visualizer(cfg, name='exp', log_dir=str(tmp_path))
    assert isinstance(visualizer, UniversalVisualizer)
    assert list(visualizer.backends) == ['LocalVisBackend', 'copy']
    visualizer.add_scalars({'loss': 1.0}, step=4)
    visualizer.close()
    for folder in (tmp_path / 'vis_data', tmp_path / 'elsewhere'):
        assert json.loads((folder / 'scalars.json').read_text()) == {'loss': 1.0, 'step': 4}


@pytest.mark.parametrize(
    ('cfg', 'key_path', 'message'),
    [
        (
            {'vis_backends': [{'type': 'TensorBoardVisBackend'}]},
            'visualizer.vis_backends.0',
            "Did you mean 'TensorboardVisBackend'",
        ),
        (
            {'vis_backends': [{'type': 'LocalVisBackend'}, {'type': 'LocalVisBackend'}]},
            'visualizer.vis_backends.1',
            "two backends are called 'LocalVisBackend'",
        ),
        ({'vis_backends': 'LocalVisBackend'}, 'visualizer.vis_backends', 'must be a list'),
        ({'vis_backends': [3]}, 'visualizer.vis_backends.0', 'must be a backend config'),
        ({'vis_backend': []}, 'visualizer', "Did you mean 'vis_backends'"),
        ('tensorboard', 'visualizer', 'must be a dict'),
    ],
)
def test_config_errors_name_the_key_path(tmp_path, cfg, key_path, message):
    with pytest.raises(ConfigError, match=message) as info:
        build_visualizer(cfg, name='exp', log_dir=str(tmp_path))
    assert key_path in str(info.value)


def test_backend_config_without_save_dir_needs_one():
    with pytest.raises(ConfigError, match='needs a save_dir'):
        Visualizer(vis_backends=[{'type': 'LocalVisBackend'}])


def test_no_backends_is_allowed_but_warned(tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger='cadence'):
        visualizer = build_visualizer({'vis_backends': []}, name='exp', log_dir=str(tmp_path))
    visualizer.add_scalars({'loss': 1.0}, step=1)  # goes nowhere
    assert 'scalars are not saved' in caplog.text


def test_only_the_main_process_writes(tmp_path, monkeypatch):
    visualizer = build_visualizer(None, name='exp', log_dir=str(tmp_path))
    monkeypatch.setattr(visualizer_module, '_is_main_process', lambda: False)
    visualizer.add_scalars({'loss': 1.0}, step=1)
    visualizer.close()
    assert not (tmp_path / 'vis_data').exists()


def test_built_backends_and_objects_are_used_as_given(tmp_path):
    backend = LocalVisBackend(str(tmp_path))
    assert Visualizer(vis_backends=[backend]).get_backend('LocalVisBackend') is backend

    class Recorder:
        def add_scalars(self, scalars, step=0, file_path=None): ...
        def close(self): ...

    recorder = Recorder()
    assert build_visualizer(recorder, name='x', log_dir=str(tmp_path)) is recorder


def _events(folder):
    accumulator = pytest.importorskip(
        'tensorboard.backend.event_processing.event_accumulator'
    ).EventAccumulator(str(folder), size_guidance={'scalars': 0})
    accumulator.Reload()
    return accumulator


def test_runner_writes_the_same_scalars_to_json_and_tensorboard(tmp_path):
    """An epoch-based run with both backends: the event files hold what the JSON lines hold."""
    pytest.importorskip('tensorboard')
    visualizer = {
        'type': 'Visualizer',
        'vis_backends': [{'type': 'LocalVisBackend'}, {'type': 'TensorboardVisBackend'}],
    }
    runner = train(digits_cfg(tmp_path, visualizer=visualizer))
    vis_data = tmp_path / runner.timestamp / 'vis_data'
    assert isinstance(runner.visualizer.get_backend('TensorboardVisBackend'), TensorboardVisBackend)
    lines = [json.loads(line) for line in (vis_data / 'scalars.json').open()]
    events = _events(vis_data)
    for key in ('loss', 'lr', 'momentum', 'accuracy/top1'):
        expected = [(line['step'], line[key]) for line in lines if key in line]
        logged = [(e.step, e.value) for e in events.Scalars(key)]
        assert logged == [(step, pytest.approx(value)) for step, value in expected], key
    # train values at the iteration, validation metrics at the epoch (3 epochs of 6 batches)
    assert [e.step for e in events.Scalars('loss')] == [2, 4, 6, 8, 10, 12, 14, 16, 18]
    assert [e.step for e in events.Scalars('accuracy/top1')] == [1, 2, 3]
    assert (vis_data / 'config.py').is_file()


def test_iteration_based_runs_log_validation_at_the_iteration_in_tensorboard(tmp_path):
    pytest.importorskip('tensorboard')
    visualizer = {'vis_backends': [{'type': 'TensorboardVisBackend'}]}
    runner = train(iter_cfg(tmp_path, visualizer=visualizer))
    vis_data = tmp_path / runner.timestamp / 'vis_data'
    assert not (vis_data / 'scalars.json').exists()  # only the backend the config asked for
    events = _events(vis_data)
    assert [e.step for e in events.Scalars('accuracy/top1')] == [10, 20]
    assert [e.step for e in events.Scalars('loss')] == [5, 10, 15, 20]
