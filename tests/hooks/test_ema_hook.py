"""EMAHook in real (short) runs: the average follows the hand-written rule over the weights the
optimizer produced, starts at begin_iter / begin_epoch, follows optimizer steps under gradient
accumulation, validation and test use the averaged weights, checkpoints carry both weight sets
(§6.3), and resuming continues bit for bit."""

from __future__ import annotations

import copy
from types import SimpleNamespace

import pytest
import torch

from cadence.dataset import DigitsDataset
from cadence.errors import ConfigError
from cadence.hooks import EMAHook, Hook
from cadence.hooks.ema_hook import optimizer_stepped
from cadence.model import get_model
from cadence.runner import Runner, load_checkpoint_file
from support.runs import assert_same_training_state, digits_cfg, iter_cfg, train


class Recorder(Hook):
    """The raw weights after each iteration's optimizer step (before EMAHook, priority 50)."""

    priority = 'ABOVE_NORMAL'

    def __init__(self):
        self.states = []

    def after_train_iter(self, runner, batch_idx, data_batch=None, outputs=None):
        state = get_model(runner.model).state_dict()
        self.states.append({k: v.detach().clone() for k, v in state.items()})


def _ema_cfg(work_dir, factory=digits_cfg, **ema):
    cfg = factory(work_dir)
    cfg['custom_hooks'] = [{'type': 'EMAHook', **ema}]
    return cfg


def _run(cfg, *extra_hooks):
    runner = Runner.from_cfg(cfg)
    for hook in extra_hooks:
        runner.register_hook(hook)
    runner.train()
    return runner


def _ema_hook(runner) -> EMAHook:
    return next(h for h in runner.hooks if isinstance(h, EMAHook))


def _param_keys(runner):
    return [name for name, _ in get_model(runner.model).named_parameters()]


def _expected(states, updates, momentum_at):
    """Hand-written rule in float64 over the recorded weights of the ``updates`` iterations:
    the first update copies, then ``ema = (1 - m) * ema + m * w``."""
    ema = {}
    for count, index in enumerate(updates):
        for key, value in states[index].items():
            if not value.dtype.is_floating_point:
                continue
            if count == 0:
                ema[key] = value.double().clone()
            else:
                m = momentum_at(count)
                ema[key] = (1 - m) * ema[key] + m * value.double()
    return ema


def _assert_ema_matches(hook, expected, keys):
    state = hook.ema_model.module.state_dict()
    for key in keys:
        torch.testing.assert_close(state[key].double(), expected[key], rtol=1e-6, atol=1e-7)


def test_the_average_follows_the_rule_over_the_trained_weights(tmp_path):
    recorder = Recorder()
    runner = _run(_ema_cfg(tmp_path, momentum=0.2), recorder)
    hook = _ema_hook(runner)
    assert len(recorder.states) == 18 and hook.ema_model.num_updates == 18
    keys = _param_keys(runner)
    _assert_ema_matches(hook, _expected(recorder.states, range(18), lambda c: 0.2), keys)
    # bit for bit what the reference's per-tensor lerp gives
    manual = {k: recorder.states[0][k].clone() for k in keys}
    for state in recorder.states[1:]:
        for key in keys:
            manual[key].lerp_(state[key], 0.2)
    for key in keys:
        assert torch.equal(hook.ema_model.module.state_dict()[key], manual[key]), key
    # buffers (BatchNorm statistics) are copied from the model
    final = get_model(runner.model).state_dict()
    for key, value in hook.ema_model.module.named_buffers():
        assert torch.equal(value, final[key]), key


@pytest.mark.parametrize(
    'ema, first_update',
    [({'begin_iter': 5}, 4), ({'begin_epoch': 2}, 6), ({'begin_iter': 1}, 0)],
)
def test_averaging_starts_at_begin_iter_or_begin_epoch(tmp_path, ema, first_update):
    recorder = Recorder()
    runner = _run(_ema_cfg(tmp_path, momentum=0.3, **ema), recorder)
    hook = _ema_hook(runner)
    assert hook.ema_model.num_updates == 18 - first_update
    expected = _expected(recorder.states, range(first_update, 18), lambda c: 0.3)
    _assert_ema_matches(hook, expected, _param_keys(runner))


def test_annealed_ema_in_a_run(tmp_path):
    recorder = Recorder()
    cfg = _ema_cfg(tmp_path, ema_type='MomentumAnnealingEMA', momentum=0.05, gamma=4)
    runner = _run(cfg, recorder)
    expected = _expected(recorder.states, range(18), lambda c: max(0.05, 4 / (4 + c)))
    _assert_ema_matches(_ema_hook(runner), expected, _param_keys(runner))


@pytest.mark.parametrize('update_on', ['optimizer_step', 'iteration'])
def test_under_accumulation_the_average_follows_optimizer_steps(tmp_path, update_on):
    recorder = Recorder()
    cfg = _ema_cfg(tmp_path, momentum=0.3, update_on=update_on)
    cfg['optim_wrapper']['accumulative_counts'] = 4  # 18 iterations: steps after 4, 8, ..., 18
    runner = _run(cfg, recorder)
    hook = _ema_hook(runner)
    steps = [3, 7, 11, 15, 17]  # the last, shorter window steps at the end of training
    updates = steps if update_on == 'optimizer_step' else range(18)
    assert hook.ema_model.num_updates == len(updates)
    expected = _expected(recorder.states, updates, lambda c: 0.3)
    _assert_ema_matches(hook, expected, _param_keys(runner))


def test_optimizer_stepped_reads_the_wrapper():
    assert optimizer_stepped(SimpleNamespace(should_update=lambda: False)) is False
    both = {'a': SimpleNamespace(should_update=lambda: False)}
    both['b'] = SimpleNamespace(should_update=lambda: True)
    assert optimizer_stepped(SimpleNamespace(values=lambda: both.values())) is True
    assert optimizer_stepped(object()) is True


def _accuracy(model, split='val', indices=64):
    dataset = DigitsDataset(split=split, indices=indices)
    inputs = torch.stack([dataset[i]['inputs'] for i in range(len(dataset))])
    labels = torch.tensor([dataset[i]['data_samples'] for i in range(len(dataset))])
    was_training = model.training
    model.eval()
    with torch.no_grad():
        logits = model(inputs, mode='tensor')
    model.train(was_training)
    return (logits.argmax(1) == labels).double().mean().item() * 100


class EvalProbe(Hook):
    """What the model holds during and after each validation, and the metrics reported."""

    priority = 'LOWEST'

    def __init__(self, ema_hook):
        self.ema_hook = ema_hook
        self.during, self.after, self.metrics, self.accuracies = [], [], [], []

    def _weights(self, runner):
        return get_model(runner.model).head.fc.weight.detach().clone()

    def before_val_epoch(self, runner):
        self._first = True

    def before_val_iter(self, runner, batch_idx, data_batch=None):
        if self._first:  # (not again when evaluate_on_origin evaluates the raw weights)
            self._first = False
            ema = self.ema_hook.ema_model.module.head.fc.weight.detach().clone()
            self.during.append((self._weights(runner), ema))

    def after_val_epoch(self, runner, metrics=None):
        self.metrics.append(dict(metrics))

    def after_val(self, runner):
        self.after.append(self._weights(runner))
        model = get_model(runner.model)
        self.accuracies.append((_accuracy(self.ema_hook.ema_model.module), _accuracy(model)))


def test_validation_runs_on_the_averaged_weights_and_on_the_raw_ones(tmp_path):
    cfg = _ema_cfg(tmp_path, momentum=0.2, evaluate_on_origin=True)
    runner = Runner.from_cfg(cfg)
    recorder, probe = Recorder(), EvalProbe(_ema_hook(runner))
    runner.register_hook(recorder)
    runner.register_hook(probe)
    runner.train()
    assert len(probe.during) == 3
    for epoch, ((model_weights, held_by_ema), after) in enumerate(zip(probe.during, probe.after)):
        last = 6 * epoch + 5
        raw = recorder.states[last]['head.fc.weight']
        average = _expected(recorder.states, range(last + 1), lambda c: 0.2)['head.fc.weight']
        # swapped in: the model holds the average, the averaged model the raw weights
        torch.testing.assert_close(model_weights.double(), average, rtol=1e-6, atol=1e-7)
        assert torch.equal(held_by_ema, raw)
        assert torch.equal(after, raw)  # swapped back
    for metrics, (ema_accuracy, raw_accuracy) in zip(probe.metrics, probe.accuracies):
        assert metrics['accuracy/top1'] == pytest.approx(ema_accuracy)
        assert metrics['accuracy/top1_origin'] == pytest.approx(raw_accuracy)
    hub = runner.message_hub
    assert hub.get_scalar('val/accuracy/top1_origin').current() == pytest.approx(
        probe.accuracies[-1][1]
    )


def test_before_the_average_starts_validation_uses_the_model(tmp_path):
    cfg = _ema_cfg(tmp_path, momentum=0.2, begin_epoch=3, evaluate_on_origin=True)
    runner = Runner.from_cfg(cfg)
    recorder, probe = Recorder(), EvalProbe(_ema_hook(runner))
    runner.register_hook(recorder)
    runner.register_hook(probe)
    runner.train()
    for epoch in (0, 1):  # not started: the raw weights are evaluated, no swap
        assert torch.equal(probe.during[epoch][0], recorder.states[6 * epoch + 5]['head.fc.weight'])
        assert probe.metrics[epoch]['accuracy/top1'] == probe.metrics[epoch]['accuracy/top1_origin']
    # started in epoch 3: swapped, so the averaged model holds the raw weights
    assert torch.equal(probe.during[2][1], recorder.states[17]['head.fc.weight'])
    assert not torch.equal(probe.during[2][0], probe.during[2][1])


def test_checkpoints_hold_the_average_as_state_dict_and_the_raw_weights_aside(tmp_path):
    recorder = Recorder()
    runner = _run(_ema_cfg(tmp_path, momentum=0.2), recorder)
    checkpoint = torch.load(tmp_path / 'epoch_3.pth', weights_only=True)
    ema_state = _ema_hook(runner).ema_model.state_dict()
    raw = recorder.states[-1]
    assert int(checkpoint['ema_state_dict']['steps']) == 18
    for key, value in raw.items():
        assert torch.equal(checkpoint['state_dict'][key], ema_state[f'module.{key}']), key
        assert torch.equal(checkpoint['ema_state_dict'][f'module.{key}'], value), key
    # the live model keeps its raw weights
    for key, value in get_model(runner.model).state_dict().items():
        assert torch.equal(value, raw[key])


def test_a_checkpoint_before_the_average_starts_holds_the_model_twice(tmp_path):
    cfg = _ema_cfg(tmp_path, factory=iter_cfg, momentum=0.2, begin_iter=8)
    recorder = Recorder()
    _run(cfg, recorder)
    checkpoint = load_checkpoint_file(str(tmp_path / 'iter_5.pth'))
    assert int(checkpoint['ema_state_dict']['steps']) == 0
    for key, value in recorder.states[4].items():
        assert torch.equal(checkpoint['state_dict'][key], value)
        assert torch.equal(checkpoint['ema_state_dict'][f'module.{key}'], value)


def test_a_save_while_swapped_keeps_the_average_as_state_dict():
    model = torch.nn.Linear(2, 2)
    hook = EMAHook(momentum=0.5)
    runner = SimpleNamespace(model=model)
    hook.before_run(runner)
    hook.ema_model.update_parameters(model)
    with torch.no_grad():
        model.weight.add_(1.0)
    hook.ema_model.update_parameters(model)
    raw, ema = model.weight.detach().clone(), hook.ema_model.module.weight.detach().clone()
    hook._swap_parameters()  # as during validation
    checkpoint = {'state_dict': {k: v.detach().clone() for k, v in model.state_dict().items()}}
    hook.before_save_checkpoint(runner, checkpoint)
    assert torch.equal(checkpoint['state_dict']['weight'], ema)
    assert torch.equal(checkpoint['ema_state_dict']['module.weight'], raw)


def _resume(cfg, work_dir, checkpoint):
    return train(dict(cfg, work_dir=str(work_dir), resume=True, load_from=checkpoint))


def _assert_same_average(a, b):
    state_a, state_b = _ema_hook(a).ema_model.state_dict(), _ema_hook(b).ema_model.state_dict()
    assert state_a.keys() == state_b.keys()
    for key in state_a:
        assert torch.equal(state_a[key], state_b[key]), key


def test_epoch_resume_of_the_average_is_bit_identical(tmp_path):
    cfg = _ema_cfg(tmp_path / 'straight', ema_type='MomentumAnnealingEMA', momentum=0.01, gamma=10)
    straight = train(cfg)
    resumed = _resume(cfg, tmp_path / 'resumed', str(tmp_path / 'straight' / 'epoch_1.pth'))
    assert _ema_hook(resumed).ema_model.num_updates == 18
    assert_same_training_state(straight, resumed)
    _assert_same_average(straight, resumed)


def test_mid_epoch_resume_of_the_average_is_bit_identical(tmp_path):
    cfg = _ema_cfg(tmp_path / 'straight', momentum=0.1, interval=2, update_buffers=True)
    cfg['default_hooks']['checkpoint'] = {
        'type': 'CheckpointHook',
        'interval': 4,
        'by_epoch': False,
    }
    straight = train(cfg)
    resumed = _resume(cfg, tmp_path / 'resumed', str(tmp_path / 'straight' / 'iter_8.pth'))
    assert_same_training_state(straight, resumed)
    _assert_same_average(straight, resumed)


@pytest.mark.parametrize('checkpoint', ['iter_5.pth', 'iter_15.pth'])
def test_iteration_based_resume_with_accumulation_and_late_start(tmp_path, checkpoint):
    cfg = _ema_cfg(tmp_path / 'straight', factory=iter_cfg, momentum=0.2, begin_iter=8, interval=2)
    # windows of 5 iterations, so the checkpoints (every 5) fall on optimizer steps: the updates
    # are at iterations 10 (copy), 15 (skipped by interval=2) and 20
    cfg['optim_wrapper']['accumulative_counts'] = 5
    straight = train(cfg)
    assert _ema_hook(straight).ema_model.num_updates == 3
    resumed = _resume(cfg, tmp_path / 'resumed', str(tmp_path / 'straight' / checkpoint))
    assert_same_training_state(straight, resumed)
    _assert_same_average(straight, resumed)


@pytest.mark.parametrize('update_buffers', [False, True])
def test_evaluation_swaps_buffers_only_when_they_are_averaged(update_buffers):
    model = torch.nn.Sequential(torch.nn.Linear(2, 2), torch.nn.BatchNorm1d(2))
    hook = EMAHook(momentum=0.5, update_buffers=update_buffers)
    hook.before_run(SimpleNamespace(model=model))
    hook.ema_model.update_parameters(model)
    with torch.no_grad():
        model[0].weight.add_(1.0)
        model[1].running_mean.add_(1.0)
    hook.ema_model.update_parameters(model)
    ema_mean = hook.ema_model.module[1].running_mean.clone()
    raw_mean = model[1].running_mean.clone()
    assert torch.equal(ema_mean, raw_mean - 0.5 if update_buffers else raw_mean)
    hook._swap_parameters()
    assert torch.equal(model[1].running_mean, ema_mean)
    assert torch.equal(hook.ema_model.module[1].running_mean, raw_mean)
    hook._swap_parameters()
    assert torch.equal(model[1].running_mean, raw_mean)


def test_resuming_a_checkpoint_without_an_average_starts_it_from_the_weights(tmp_path, caplog):
    plain = digits_cfg(tmp_path / 'plain')
    train(plain)
    cfg = _ema_cfg(tmp_path / 'ema', momentum=0.2)
    cfg.update(resume=True, load_from=str(tmp_path / 'plain' / 'epoch_2.pth'))
    recorder = Recorder()
    with caplog.at_level('WARNING', logger='cadence'):
        runner = _run(cfg, recorder)
    assert 'no ema_state_dict' in caplog.text
    hook = _ema_hook(runner)
    assert hook.ema_model.num_updates == 6  # epoch 3 only: the first update copied
    _assert_ema_matches(
        hook, _expected(recorder.states, range(6), lambda c: 0.2), _param_keys(runner)
    )


def test_load_from_starts_the_average_from_the_loaded_weights(tmp_path):
    train(_ema_cfg(tmp_path / 'source', momentum=0.2))
    path = str(tmp_path / 'source' / 'epoch_3.pth')
    saved = load_checkpoint_file(path)
    cfg = _ema_cfg(tmp_path / 'finetune', momentum=0.2)
    runner = Runner.from_cfg(dict(cfg, load_from=path))
    runner.train_loop  # noqa: B018
    runner.call_hook('before_run')
    runner.load_or_resume()
    hook = _ema_hook(runner)
    assert hook.ema_model.num_updates == 0
    for key, value in get_model(runner.model).state_dict().items():
        assert torch.equal(value, saved['state_dict'][key])  # the averaged weights
        assert torch.equal(hook.ema_model.module.state_dict()[key], value)


class TestProbe(Hook):
    priority = 'LOWEST'

    during = None

    def before_test_iter(self, runner, batch_idx, data_batch=None):
        if self.during is None:  # (not again when evaluate_on_origin re-runs the test)
            self.during = get_model(runner.model).state_dict()['head.fc.weight'].clone()


def _test_cfg(cfg):
    cfg = copy.deepcopy(cfg)
    cfg['test_dataloader'] = cfg['val_dataloader']
    cfg['test_evaluator'] = cfg['val_evaluator']
    cfg['test_cfg'] = {}
    return cfg


def test_testing_a_checkpoint_evaluates_the_average_and_the_raw_weights(tmp_path):
    train(_ema_cfg(tmp_path / 'source', momentum=0.2))
    path = str(tmp_path / 'source' / 'epoch_3.pth')
    saved = load_checkpoint_file(path)
    cfg = _test_cfg(_ema_cfg(tmp_path / 'test', momentum=0.2, evaluate_on_origin=True))
    runner = Runner.from_cfg(dict(cfg, load_from=path))  # what `cadence test` does
    probe = TestProbe()
    runner.register_hook(probe)
    metrics = runner.test()
    assert torch.equal(probe.during, saved['state_dict']['head.fc.weight'])  # the average
    model = get_model(runner.model)
    assert torch.equal(model.head.fc.weight, saved['ema_state_dict']['module.head.fc.weight'])
    assert metrics['accuracy/top1'] == pytest.approx(_accuracy(_ema_hook(runner).ema_model.module))
    assert metrics['accuracy/top1_origin'] == pytest.approx(_accuracy(model))


def test_testing_after_training_keeps_the_average(tmp_path):
    cfg = _test_cfg(_ema_cfg(tmp_path, momentum=0.2))
    runner = Runner.from_cfg(cfg)
    probe = TestProbe()
    runner.register_hook(probe)
    runner.train()
    ema = _ema_hook(runner).ema_model
    expected = ema.module.head.fc.weight.detach().clone()
    runner.test()
    assert _ema_hook(runner).ema_model is ema
    assert torch.equal(probe.during, expected)


@pytest.mark.parametrize(
    'hook, message',
    [
        ({'momentun': 0.1}, "unexpected argument 'momentun'. Did you mean 'momentum'?"),
        ({'ema_type': 'ExponentialMovingAverge'}, "Did you mean 'ExponentialMovingAverage'"),
        ({'momentum': 2.0}, 'momentum must be in'),
        ({'gamma': 3}, "unexpected argument 'gamma'"),
        ({'begin_iter': 2, 'begin_epoch': 1}, 'not both'),
        ({'begin_iter': -1}, 'begin_iter must be a non-negative int'),
        ({'update_on': 'step'}, "update_on must be one of 'optimizer_step', 'iteration'"),
    ],
)
def test_config_mistakes_name_the_hook(tmp_path, hook, message):
    cfg = digits_cfg(tmp_path)
    cfg['custom_hooks'] = [{'type': 'EMAHook', **hook}]
    with pytest.raises(ConfigError, match='custom_hooks.0') as info:
        Runner.from_cfg(cfg)
    assert message in str(info.value)


@pytest.mark.parametrize(
    'factory, ema, message',
    [
        (iter_cfg, {'begin_iter': 21}, 'begin_iter=21 is after the last iteration (20)'),
        (digits_cfg, {'begin_epoch': 4}, 'begin_epoch=4 is after the last epoch (3)'),
        (iter_cfg, {'begin_epoch': 2}, 'training is counted in iterations'),
    ],
)
def test_a_start_after_the_end_is_an_error_before_training(tmp_path, factory, ema, message):
    runner = Runner.from_cfg(_ema_cfg(tmp_path, factory=factory, **ema))
    with pytest.raises(ConfigError, match='EMAHook') as info:
        runner.train()
    assert message in str(info.value)
    assert runner.iter == 0
