"""OptimWrapper: hyper-parameter access, clipping, checkpoints, errors, host synchronisation."""

from __future__ import annotations

import io

import pytest
import torch
from torch import nn

from cadence.errors import ConfigError
from cadence.optim import OptimWrapper, build_optim_wrapper


def two_group_optimizer(model: nn.Module) -> torch.optim.Optimizer:
    return torch.optim.SGD(
        [
            {'params': [model.weight], 'lr': 0.5},
            {'params': [model.bias]},
        ],
        lr=0.1,
        momentum=0.9,
    )


def test_host_sync_counter_sees_item(count_host_syncs):
    with count_host_syncs() as counter:
        torch.ones(()).item()
        bool(torch.ones(()) > 0)
    assert counter.count == 2


def test_get_lr_with_the_base_lr_pseudo_group():
    """Behaviour §2.1 (s4): {'base_lr': [0.1], 'lr': [0.5, 0.1]}."""
    wrapper = OptimWrapper(two_group_optimizer(nn.Linear(2, 2)))
    assert wrapper.get_lr() == {'base_lr': [0.1], 'lr': [0.5, 0.1]}
    assert len(wrapper.param_groups) == 3
    assert wrapper.param_groups[-1]['lr'] == 0.1
    assert wrapper.param_groups[-1]['momentum'] == 0.9
    assert wrapper.defaults is wrapper.optimizer.defaults


def test_one_group_at_the_optimizer_lr_has_no_pseudo_group():
    wrapper = OptimWrapper(torch.optim.SGD(nn.Linear(2, 2).parameters(), lr=0.1))
    assert wrapper.base_param_settings is None
    assert wrapper.get_lr() == {'lr': [0.1]}
    assert wrapper.param_groups is wrapper.optimizer.param_groups


class _StepSizeOptimizer(torch.optim.Optimizer):
    """A custom optimizer whose groups call the step size something other than ``lr``."""

    def __init__(self, params, a):
        super().__init__(params, dict(a=a))

    @torch.no_grad()
    def step(self, closure=None):
        for group in self.param_groups:
            for p in group['params']:
                if p.grad is not None:
                    p.sub_(p.grad, alpha=group['a'])


def test_optimizer_without_lr_logs_no_lr_instead_of_failing():
    model = nn.Linear(2, 2)
    wrapper = OptimWrapper(_StepSizeOptimizer(model.parameters(), a=0.1))
    assert wrapper.get_lr() == {}
    wrapper.update_params(model(torch.ones(1, 2)).sum())
    assert wrapper.get_momentum() == {'momentum': [0]}


def test_one_merged_group_with_a_multiplied_lr_keeps_base_lr():
    """Merged groups: a single group whose lr is not the optimizer's still logs base_lr."""
    wrapper = build_optim_wrapper(
        nn.Linear(2, 2),
        dict(
            optimizer=dict(type='SGD', lr=0.1),
            paramwise_cfg=dict(custom_keys={'.': dict(lr_mult=0.5)}),
        ),
    )
    assert len(wrapper.optimizer.param_groups) == 1
    assert wrapper.get_lr() == {'base_lr': [0.1], 'lr': [0.05]}


def test_get_momentum_reads_momentum_or_betas():
    model = nn.Linear(2, 2)
    assert OptimWrapper(two_group_optimizer(model)).get_momentum() == {'momentum': [0.9, 0.9]}
    adam = torch.optim.Adam(model.parameters(), betas=(0.8, 0.99))
    assert OptimWrapper(adam).get_momentum() == {'momentum': [0.8]}
    adagrad = torch.optim.Adagrad(model.parameters())
    assert OptimWrapper(adagrad).get_momentum() == {'momentum': [0]}


def test_clip_by_norm_logs_the_norm_before_clipping_as_a_tensor(message_hub):
    model = nn.Linear(3, 1, bias=False)
    with torch.no_grad():
        model.weight.zero_()
    wrapper = OptimWrapper(
        torch.optim.SGD(model.parameters(), lr=1.0), clip_grad=dict(max_norm=1.0)
    )
    loss = model(torch.tensor([[3.0, 4.0, 0.0]])).sum()  # gradient (3, 4, 0): norm 5
    wrapper.update_params(loss)
    logged = message_hub.get_scalar('train/grad_norm')
    assert isinstance(logged._values[-1], torch.Tensor)
    assert logged.current() == pytest.approx(5.0)
    assert model.weight.tolist()[0] == pytest.approx([-0.6, -0.8, 0.0])


def test_clip_by_value_also_logs_the_norm_and_the_config_is_not_mutated(message_hub):
    model = nn.Linear(2, 1, bias=False)
    clip = dict(type='value', clip_value=0.5)
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=1.0), clip_grad=clip)
    before = model.weight.detach().clone()
    wrapper.update_params(model(torch.tensor([[3.0, -0.25]])).sum())
    assert clip == dict(type='value', clip_value=0.5)
    assert message_hub.get_scalar('train/grad_norm').current() == pytest.approx(
        (3.0**2 + 0.25**2) ** 0.5
    )
    assert (before - model.weight).tolist()[0] == pytest.approx([0.5, -0.25])


def test_grad_norm_is_logged_only_on_update_steps(message_hub):
    model = nn.Linear(2, 1)
    wrapper = OptimWrapper(
        torch.optim.SGD(model.parameters(), lr=0.1),
        accumulative_counts=2,
        clip_grad=dict(max_norm=10),
    )
    wrapper.initialize_count_status(model, 0, 5)
    for _ in range(5):
        wrapper.update_params(model(torch.ones(1, 2)).sum())
    assert len(message_hub.get_scalar('train/grad_norm')) == 3


def test_update_params_does_not_synchronise(count_host_syncs, message_hub):
    model = nn.Sequential(nn.Linear(4, 4), nn.Tanh(), nn.Linear(4, 1))
    wrapper = OptimWrapper(
        torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9),
        accumulative_counts=2,
        clip_grad=dict(max_norm=1.0),
    )
    wrapper.initialize_count_status(model, 0, 7)
    with count_host_syncs() as counter:
        for _ in range(7):
            with wrapper.optim_context(model):
                loss = model(torch.randn(3, 4)).pow(2).mean()
            wrapper.update_params(loss)
        wrapper.get_lr()
        wrapper.get_momentum()
    assert counter.count == 0


def test_step_and_zero_kwargs_are_passed_on():
    model = nn.Linear(2, 1)
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    wrapper.update_params(model(torch.ones(1, 2)).sum(), zero_kwargs=dict(set_to_none=False))
    assert model.weight.grad is not None and model.weight.grad.abs().sum() == 0


def test_state_dict_round_trip_is_weights_only_safe():
    model = nn.Linear(2, 2)
    wrapper = OptimWrapper(two_group_optimizer(model))
    wrapper.update_params(model(torch.ones(1, 2)).sum())
    wrapper.base_param_settings['lr'] = 0.05  # as a scheduler would have moved it
    buffer = io.BytesIO()
    torch.save(wrapper.state_dict(), buffer)
    buffer.seek(0)
    state = torch.load(buffer, weights_only=True)
    assert state['base_param_settings']['lr'] == 0.05

    fresh = OptimWrapper(two_group_optimizer(model))
    fresh.load_state_dict(state)
    assert fresh.get_lr() == {'base_lr': [0.05], 'lr': [0.5, 0.1]}
    assert torch.equal(
        fresh.optimizer.state[model.weight]['momentum_buffer'],
        wrapper.optimizer.state[model.weight]['momentum_buffer'],
    )


def test_loading_a_checkpoint_with_another_group_layout_explains_why():
    model = nn.Linear(2, 2)
    one_group = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    with pytest.raises(ValueError, match='merges parameters with identical settings'):
        one_group.load_state_dict(OptimWrapper(two_group_optimizer(model)).state_dict())


def test_repr_names_type_and_accumulation():
    wrapper = OptimWrapper(torch.optim.SGD(nn.Linear(1, 1).parameters(), lr=0.1), 4)
    assert repr(wrapper).startswith('Type: OptimWrapper\n_accumulative_counts: 4\noptimizer: \n')


@pytest.mark.parametrize(
    'clip_grad, message',
    [
        ({}, 'is empty'),
        (dict(type='norm'), 'needs max_norm'),
        (dict(type='nrom', max_norm=1), "Did you mean 'norm'"),
        (dict(max_nrom=1), "Did you mean 'max_norm'"),
        (dict(type='value', max_norm=1), 'not an argument of'),
        (dict(max_norm=-1), 'must be a number > 0'),
        (dict(max_norm=1, norm_type='two'), 'norm_type'),
        ([35, 2], 'must be None or a dict'),
    ],
)
def test_clip_grad_mistakes(clip_grad, message):
    model = nn.Linear(2, 1)
    with pytest.raises(ConfigError, match=message):
        build_optim_wrapper(model, dict(optimizer=dict(type='SGD', lr=0.1), clip_grad=clip_grad))


def test_clip_grad_error_names_the_config_key_path(tmp_path):
    from cadence.config import Config

    path = tmp_path / 'cfg.py'
    path.write_text("optim_wrapper = dict(optimizer=dict(type='SGD', lr=0.1), clip_grad=dict())\n")
    cfg = Config.fromfile(path)
    with pytest.raises(ConfigError) as info:
        build_optim_wrapper(nn.Linear(2, 1), cfg.optim_wrapper)
    assert 'optim_wrapper.clip_grad' in str(info.value)


@pytest.mark.parametrize('counts', [0, -1, 1.5, True, '4'])
def test_accumulative_counts_must_be_a_positive_integer(counts):
    with pytest.raises(ConfigError) as info:
        build_optim_wrapper(
            nn.Linear(2, 1),
            dict(optimizer=dict(type='SGD', lr=0.1), accumulative_counts=counts),
        )
    assert 'optim_wrapper' in str(info.value)
    assert 'accumulative_counts must be an integer >= 1' in str(info.value)


def test_misspelled_wrapper_argument_is_suggested():
    with pytest.raises(ConfigError, match="Did you mean 'accumulative_counts'"):
        build_optim_wrapper(
            nn.Linear(2, 1),
            dict(optimizer=dict(type='SGD', lr=0.1), accumulative_count=2),
        )


def test_the_optimizer_must_be_a_torch_optimizer():
    with pytest.raises(ConfigError, match='torch.optim.Optimizer'):
        OptimWrapper(object())
