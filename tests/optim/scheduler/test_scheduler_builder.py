"""``build_param_schedulers`` and the stepping functions, driven the way the Runner drives them."""

from __future__ import annotations

import pytest
from scheduler_helpers import sgd

from cadence.errors import ConfigError
from cadence.optim.scheduler import (
    CosineAnnealingLR,
    LinearLR,
    ReduceOnPlateauLR,
    build_param_schedulers,
    step_after_train_epoch,
    step_after_train_iter,
    step_after_val_epoch,
)
from cadence.registry import PARAM_SCHEDULERS


def build(cfg, **options):
    optimizer = sgd()
    return optimizer, build_param_schedulers(optimizer, cfg, **options)


@pytest.mark.parametrize(
    'cfg, options, expected_end',
    [
        (dict(type='LinearLR'), dict(max_epochs=12, max_iters=120, epoch_length=10), 12),
        (dict(type='LinearLR', by_epoch=False), dict(max_epochs=12, max_iters=120), 120),
        (dict(type='LinearLR', convert_to_iter_based=True), dict(max_epochs=12, epoch_length=10), 120),
        (dict(type='LinearLR', by_epoch=False), dict(max_iters=90, train_by_epoch=False), 90),
        (dict(type='LinearLR', by_epoch=True, convert_to_iter_based=True),
         dict(max_iters=100, epoch_length=3, train_by_epoch=False), 100),
        (dict(type='LinearLR', end=5), dict(max_epochs=12), 5),
        (dict(type='LinearLR'), dict(), int(1e9)),
    ],
)  # fmt: skip
def test_default_end_is_the_end_of_training(cfg, options, expected_end):
    _, schedulers = build(cfg, **options)
    assert schedulers[0].end == expected_end


def test_cosine_t_max_defaults_to_the_window():
    _, schedulers = build(dict(type='CosineAnnealingLR', begin=2), max_epochs=12)
    assert schedulers[0].T_max == 10


def test_none_single_list_and_built_objects():
    assert build(None)[1] == []
    _, single = build(dict(type='LinearLR', end=3))
    assert isinstance(single, list) and isinstance(single[0], LinearLR)
    optimizer = sgd()
    ready = CosineAnnealingLR(optimizer, T_max=5, end=5)
    mixed = build_param_schedulers(optimizer, [dict(type='LinearLR', end=3), ready])
    assert mixed[1] is ready and isinstance(mixed[0], LinearLR)


def test_registry_build_converts():
    optimizer = sgd()
    scheduler = PARAM_SCHEDULERS.build(
        dict(type='StepLR', step_size=2, convert_to_iter_based=True),
        default_args=dict(optimizer=optimizer, epoch_length=5),
    )
    assert (scheduler.step_size, scheduler.by_epoch) == (10, False)
    plain = PARAM_SCHEDULERS.build(
        dict(type='StepLR', step_size=2), default_args=dict(optimizer=optimizer, epoch_length=5)
    )
    assert (plain.step_size, plain.by_epoch) == (2, True)


def test_reference_scope_names_resolve():
    _, schedulers = build(dict(type='mmengine.LinearLR', end=3))
    assert isinstance(schedulers[0], LinearLR)


class FakeOptimWrapperDict:
    """Stands in for ``OptimWrapperDict``: ``items()`` of name -> wrapper."""

    def __init__(self, **wrappers):
        self.wrappers = wrappers

    def items(self):
        return self.wrappers.items()


def test_several_optimizers_get_their_own_lists():
    gen, disc = sgd(lr=0.1), sgd(lr=0.2)
    built = build_param_schedulers(
        FakeOptimWrapperDict(generator=gen, discriminator=disc),
        {'generator': [dict(type='LinearLR', start_factor=0.5, end=4)],
         'discriminator': dict(type='ConstantLR', factor=0.1, end=4)},
        max_epochs=4,
    )  # fmt: skip
    assert set(built) == {'generator', 'discriminator'}
    assert gen.param_groups[0]['lr'] == pytest.approx(0.05)
    assert disc.param_groups[0]['lr'] == pytest.approx(0.02)
    step_after_train_epoch(built)
    step_after_train_epoch(built)
    step_after_train_epoch(built)
    assert gen.param_groups[0]['lr'] == pytest.approx(0.1)
    assert disc.param_groups[0]['lr'] == pytest.approx(0.2)


def test_same_list_for_every_optimizer():
    gen, disc = sgd(lr=0.1), sgd(lr=0.2)
    built = build_param_schedulers(
        FakeOptimWrapperDict(generator=gen, discriminator=disc), dict(type='ConstantLR', factor=0.5),
        max_epochs=4,
    )  # fmt: skip
    assert [s.optimizer for s in built['generator']] == [gen]
    assert disc.param_groups[0]['lr'] == pytest.approx(0.1)


def test_missing_optimizer_name_is_an_error():
    with pytest.raises(ConfigError, match="no schedulers for optimizer 'discriminator'"):
        build_param_schedulers(
            FakeOptimWrapperDict(generator=sgd(), discriminator=sgd()),
            {'generator': [dict(type='LinearLR')]},
        )


def test_stepping_functions_pick_their_schedulers():
    optimizer = sgd()
    by_iter = LinearLR(optimizer, start_factor=0.5, by_epoch=False, end=3)
    by_epoch = CosineAnnealingLR(optimizer, T_max=4, end=4)
    plateau = ReduceOnPlateauLR(optimizer, patience=0)
    schedulers = [by_iter, by_epoch, plateau]
    step_after_train_iter(schedulers)
    assert (by_iter._global_step, by_epoch._global_step, plateau._global_step) == (1, 0, 0)
    step_after_train_epoch(schedulers)
    assert (by_iter._global_step, by_epoch._global_step, plateau._global_step) == (1, 1, 1)
    step_after_val_epoch(schedulers, {'loss': 1.0})
    assert plateau.last_step == 0 and by_epoch._global_step == 1
    step_after_train_iter(None)
    step_after_val_epoch({'main': schedulers}, None)


def test_milestones_after_training_are_reported(caplog):
    import logging

    with caplog.at_level(logging.WARNING, logger='cadence'):
        build(dict(type='MultiStepLR', milestones=[8, 600]), max_epochs=12, epoch_length=10)
    assert 'MultiStepLR milestones [600] are not before the end' in caplog.text
    assert '(12 epochs); they never apply' in caplog.text
    caplog.clear()
    with caplog.at_level(logging.WARNING, logger='cadence'):
        build(dict(type='MultiStepLR', milestones=[8, 11]), max_epochs=12)
    assert caplog.text == ''
