"""The preview's fast path computes exactly (bit for bit) what stepping the schedulers writes.

``play`` (used by the preview and by resume) takes long stretches in one vectorised call; the
truth is the Runner's way: ``step_after_train_iter`` / ``step_after_train_epoch`` one iteration at
a time. Checked on every golden configuration and on randomized lists with overlaps and gaps.
"""

from __future__ import annotations

import json
import random
from pathlib import Path

import numpy as np
import pytest
from scheduler_helpers import PseudoGroupWrapper, adam, drive, random_scheduler, sgd

from cadence.optim.scheduler import build_param_schedulers
from cadence.optim.scheduler.curves import (
    CosineCurve,
    CosineRestartCurve,
    LinearCurve,
    MultiStepCurve,
    OneCycleCurve,
)
from cadence.optim.scheduler.timeline import play

GOLDEN = Path(__file__).parents[2] / 'reference' / 'golden' / 'schedules'
KEYS = ('lr', 'momentum', 'weight_decay')


def both_ways(make_optimizer, cfg, epoch_length, max_epochs=None, max_iters=None):
    by_epoch = max_iters is None
    iterations = max_epochs * epoch_length if by_epoch else max_iters
    options = dict(epoch_length=epoch_length, max_epochs=max_epochs,
                   max_iters=iterations, train_by_epoch=by_epoch)  # fmt: skip
    optimizer = make_optimizer()
    wrapper = PseudoGroupWrapper(optimizer)
    stepped = drive(build_param_schedulers(wrapper, cfg, **options), wrapper, iterations,
                    epoch_length if by_epoch else None, KEYS, by_epoch)  # fmt: skip
    optimizer = make_optimizer()
    wrapper = PseudoGroupWrapper(optimizer)
    schedulers = build_param_schedulers(wrapper, cfg, **options)
    played = play(schedulers, iterations=iterations - 1,
                  epoch_length=epoch_length if by_epoch else None, record=KEYS,
                  groups=wrapper.param_groups)  # fmt: skip
    for key in KEYS:
        assert np.array_equal(played[key], np.array(stepped[key])), key


@pytest.mark.parametrize('path', sorted(GOLDEN.glob('*.json')), ids=lambda p: p.stem)
def test_play_equals_stepping_on_golden_configs(path):
    case = json.loads(path.read_text())['case']
    args = dict(case['optimizer'])
    kind = args.pop('type')
    make = (lambda: adam(lr=args['lr'])) if kind == 'Adam' else (lambda: sgd(groups=2))
    both_ways(make, case['param_scheduler'], case['epoch_length'], case['max_epochs'],
              case['max_iters'])  # fmt: skip


@pytest.mark.parametrize('seed', range(60))
def test_play_equals_stepping_on_random_lists(seed):
    rng = random.Random(5000 + seed)
    max_epochs, epoch_length = rng.randrange(3, 9), rng.randrange(1, 6)
    cfg = [random_scheduler(rng, max_epochs, epoch_length) for _ in range(rng.randrange(1, 5))]
    if rng.random() < 0.3:
        cfg.append(dict(type='CosineAnnealingMomentum', by_epoch=False, eta_min=0.5))
    if rng.random() < 0.3:
        cfg.append(dict(type='ExponentialLR', gamma=0.9, convert_to_iter_based=True))
    both_ways(lambda: sgd(groups=2), cfg, epoch_length, max_epochs)


def test_long_iteration_run():
    cfg = [
        dict(type='LinearLR', start_factor=0.001, by_epoch=False, end=300),
        dict(type='CosineAnnealingLR', by_epoch=False, begin=300, T_max=700, eta_min=1e-5),
        dict(type='OneCycleParamScheduler', param_name='weight_decay', eta_max=0.1, by_epoch=False),
    ]
    both_ways(lambda: sgd(groups=3), cfg, epoch_length=7, max_iters=5000)


@pytest.mark.parametrize(
    'curve',
    [
        CosineCurve(4),
        CosineCurve(7, eta_min_ratio=0.1),
        CosineCurve(2.5),
        CosineRestartCurve((3, 5, 2), (1.0, 0.5, 0.2), eta_min=0.0),
        OneCycleCurve(17, 0.3, 'cos', three_phase=True),
        OneCycleCurve(10, 0.05, 'linear'),
        MultiStepCurve((0, 3, 3, 9), 0.5),
        LinearCurve(0.0, 1.0, 9),
    ],
    ids=repr,
)
def test_vectorised_curve_forms_agree_with_scalar_forms(curve):
    steps = np.arange(0, min(int(curve.length), 60))
    assert curve.segments(steps).tolist() == [curve.segment(int(t)) for t in steps]
    assert curve.shapes(steps).tolist() == [curve.shape(int(t)) for t in steps]
    segments = curve.segments(steps)
    assert curve.segment_keys(segments).tolist() == [curve.segment_key(int(s)) for s in segments]


def test_custom_reference_style_scheduler_is_stepped_one_step_at_a_time():
    """A user's ``_ParamScheduler`` subclass written for the reference (chained ``_get_value``)."""
    from cadence.optim.scheduler import _ParamScheduler
    from cadence.registry import PARAM_SCHEDULERS

    class HalvingLR(_ParamScheduler):
        def __init__(self, optimizer, begin=0, end=10**9, last_step=-1, by_epoch=True,
                     verbose=False):  # fmt: skip
            super().__init__(optimizer, 'lr', begin, end, last_step, by_epoch, verbose)

        def _get_value(self):
            if self.last_step == 0:
                return [g['lr'] for g in self.optimizer.param_groups]
            return [g['lr'] * 0.5 for g in self.optimizer.param_groups]

    PARAM_SCHEDULERS.register_module(module=HalvingLR, force=True)
    try:
        cfg = [dict(type='HalvingLR', by_epoch=False, begin=3, end=6),
               dict(type='LinearLR', start_factor=0.5, by_epoch=False, end=8)]  # fmt: skip
        both_ways(lambda: sgd(groups=2), cfg, epoch_length=4, max_iters=12)
    finally:
        PARAM_SCHEDULERS._module_dict.pop('HalvingLR', None)
