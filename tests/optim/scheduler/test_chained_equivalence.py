"""Lists of schedulers combine exactly as the reference's chained implementation does.

Truth: the independent oracle in ``scheduler_helpers`` (the reference's chained formulas, step by
step). Randomized lists cover overlaps (composition in list order), gaps (the value is kept) and
later schedulers starting from the current value, with epoch- and iteration-based schedulers
mixed and converted. Also the worked examples of reference §4.7 and §4.8.
"""

from __future__ import annotations

import math
import random

import pytest
from scheduler_helpers import PseudoGroupWrapper, drive, oracle_from_cfg, random_scheduler, sgd

from cadence.optim.scheduler import build_param_schedulers


def compare(configs: list[dict], epoch_length: int, max_epochs: int, groups: int = 2) -> None:
    optimizer = sgd(groups)
    wrapper = PseudoGroupWrapper(optimizer)
    schedulers = build_param_schedulers(
        wrapper, configs, epoch_length=epoch_length, max_epochs=max_epochs,
        max_iters=max_epochs * epoch_length, train_by_epoch=True,
    )  # fmt: skip
    got = drive(schedulers, wrapper, max_epochs * epoch_length, epoch_length)['lr']

    reference_optimizer = sgd(groups)
    reference_groups = PseudoGroupWrapper(reference_optimizer).param_groups
    oracles = [oracle_from_cfg(reference_groups, c, epoch_length, max_epochs) for c in configs]
    for iteration in range(max_epochs * epoch_length):
        expected = [g['lr'] for g in reference_groups]
        for a, b in zip(got[iteration], expected):
            assert math.isclose(a, b, rel_tol=1e-9, abs_tol=1e-14), (
                f'iteration {iteration}: {got[iteration]} != {expected}\n{configs}'
            )
        for oracle in oracles:
            if not oracle.by_epoch:
                oracle.step()
        if (iteration + 1) % epoch_length == 0:
            for oracle in oracles:
                if oracle.by_epoch:
                    oracle.step()


@pytest.mark.parametrize('seed', range(150))
def test_random_lists_match_the_chained_reference(seed):
    rng = random.Random(seed)
    max_epochs, epoch_length = rng.randrange(3, 9), rng.randrange(1, 6)
    count = rng.randrange(1, 5)
    configs = [random_scheduler(rng, max_epochs, epoch_length) for _ in range(count)]
    compare(configs, epoch_length=epoch_length, max_epochs=max_epochs)


def test_warmup_overlapping_cosine_with_eta_min():
    """Overlap of a multiplicative warm-up and an affine cosine: not a product of closed forms."""
    configs = [
        dict(type='LinearLR', start_factor=0.01, by_epoch=False, end=40),
        dict(type='CosineAnnealingLR', by_epoch=True, T_max=6, eta_min=0.02),
    ]
    compare(configs, epoch_length=10, max_epochs=6)


def test_reference_example_4_8():
    """§4.8: warm-up by iteration overlapping MultiStep by epoch, lr recorded during iterations."""
    optimizer = sgd(lr=0.02)
    schedulers = build_param_schedulers(
        optimizer,
        [
            dict(type='LinearLR', start_factor=0.001, by_epoch=False, begin=0, end=50),
            dict(type='MultiStepLR', by_epoch=True, begin=0, end=12, milestones=[8, 11], gamma=0.1),
        ],
        epoch_length=10, max_epochs=12, max_iters=120,
    )  # fmt: skip
    lr = [row[0] for row in drive(schedulers, optimizer, 120, 10)['lr']]
    expected = {0: 2e-05, 1: 0.0004277551, 2: 0.0008355102, 10: 0.004097551, 48: 0.019592245}
    for iteration, value in expected.items():
        assert lr[iteration] == pytest.approx(value, rel=1e-8)
    for iteration in range(50):
        assert lr[iteration] == pytest.approx(0.02 * (0.001 + 0.999 * iteration / 49), rel=1e-12)
    assert lr[49:80] == pytest.approx([0.02] * 31, rel=1e-12)
    assert lr[80:110] == pytest.approx([0.002] * 30, rel=1e-12)
    assert lr[110:120] == pytest.approx([0.0002] * 10, rel=1e-12)


def test_overlap_example_4_7():
    """§4.7 (s3): iteration warm-up x epoch cosine multiply: lr(i) = base * lin(i) * cos(epoch)."""
    optimizer = sgd(lr=0.02)
    schedulers = build_param_schedulers(
        optimizer,
        [
            dict(type='LinearLR', start_factor=0.001, by_epoch=False, end=50),
            dict(type='CosineAnnealingLR', by_epoch=True, T_max=12),
        ],
        epoch_length=10, max_epochs=12, max_iters=120,
    )  # fmt: skip
    lr = [row[0] for row in drive(schedulers, optimizer, 120, 10)['lr']]
    assert lr[20] == pytest.approx(0.007627, abs=5e-7)
    assert lr[50] == pytest.approx(0.012588, abs=5e-7)
    assert lr[50] == pytest.approx(0.02 * (1 + math.cos(5 * math.pi / 12)) / 2, rel=1e-12)


def test_gap_example_4_7():
    """§4.7 (s3): converted warm-up, a gap that keeps the value, a cosine from the current value."""
    optimizer = sgd(lr=0.02)
    schedulers = build_param_schedulers(
        optimizer,
        [
            dict(type='LinearLR', start_factor=0.5, by_epoch=True, begin=0, end=2,
                 convert_to_iter_based=True),
            dict(type='CosineAnnealingLR', by_epoch=True, begin=4, end=8, eta_min_ratio=0.1,
                 convert_to_iter_based=True),
        ],
        epoch_length=4, max_epochs=10, max_iters=40,
    )  # fmt: skip
    lr = [row[0] for row in drive(schedulers, optimizer, 40, 4)['lr']]
    assert lr[0] == pytest.approx(0.01)
    assert lr[7] == pytest.approx(0.02)
    assert lr[8:16] == pytest.approx([0.02] * 8)
    assert lr[16] == pytest.approx(0.02)
    assert lr[31] == pytest.approx(0.002173, abs=5e-7)
    assert lr[31] > 0.002
    assert lr[32:] == pytest.approx([lr[31]] * 8)


def test_starting_lr_is_the_product_of_t0_factors():
    """§4.7: every begin=0 scheduler applies its t=0 factor at construction (s18)."""
    optimizer = sgd(lr=1.0)
    build_param_schedulers(
        optimizer,
        [dict(type='LinearLR', start_factor=0.5, by_epoch=False, end=10),
         dict(type='ConstantLR', factor=0.2, by_epoch=False, end=10)],
        max_iters=10, train_by_epoch=False,
    )  # fmt: skip
    assert optimizer.param_groups[0]['lr'] == pytest.approx(0.1)
    assert optimizer.param_groups[0]['initial_lr'] == 1.0
