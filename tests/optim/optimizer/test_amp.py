"""AmpOptimWrapper: bfloat16 autocast on CPU without a scaler; float16 loss scaling on CUDA."""

from __future__ import annotations

import io

import pytest
import torch
from torch import nn

from cadence.errors import ConfigError
from cadence.optim import AmpOptimWrapper, build_optim_wrapper
from cadence.optim.optimizer.amp_optimizer_wrapper import resolve_dtype, scaler_arguments

CUDA = pytest.mark.skipif(not torch.cuda.is_available(), reason='float16 loss scaling needs CUDA')


def make_model(device: str = 'cpu') -> nn.Module:
    torch.manual_seed(0)
    return nn.Sequential(nn.Linear(8, 16), nn.ReLU(), nn.Linear(16, 1)).to(device)


def test_cpu_default_is_bfloat16_without_a_scaler():
    model = make_model()
    wrapper = build_optim_wrapper(
        model, dict(type='AmpOptimWrapper', optimizer=dict(type='SGD', lr=0.1))
    )
    assert isinstance(wrapper, AmpOptimWrapper)
    assert wrapper.device_type == 'cpu'
    assert wrapper.cast_dtype is torch.bfloat16
    assert wrapper.loss_scaler is None
    with wrapper.optim_context(model):
        out = model(torch.randn(2, 8))
    assert out.dtype is torch.bfloat16
    assert model(torch.randn(2, 8)).dtype is torch.float32  # autocast only inside the context


def test_bfloat16_training_equals_a_hand_written_autocast_loop():
    reference, model = make_model(), make_model()
    data = [(torch.randn(4, 8), torch.randn(4, 1)) for _ in range(5)]
    optimizer = torch.optim.SGD(reference.parameters(), lr=0.1, momentum=0.9)
    for x, y in data:
        with torch.autocast('cpu', dtype=torch.bfloat16):
            out = reference(x)
        loss = ((out.float() - y) ** 2).mean()
        loss.backward()
        optimizer.step()
        optimizer.zero_grad()
    wrapper = AmpOptimWrapper(
        torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9), dtype='bfloat16'
    )
    for x, y in data:
        with wrapper.optim_context(model):
            out = model(x)
        wrapper.update_params(((out.float() - y) ** 2).mean())
    for expected, actual in zip(reference.parameters(), model.parameters()):
        assert torch.equal(expected, actual)
    assert wrapper.state_dict().keys() == wrapper.optimizer.state_dict().keys()


def test_bfloat16_with_clipping_and_accumulation(message_hub):
    model = make_model()
    wrapper = AmpOptimWrapper(
        torch.optim.SGD(model.parameters(), lr=0.1),
        accumulative_counts=2,
        clip_grad=dict(max_norm=0.1),
        dtype=torch.bfloat16,
    )
    wrapper.initialize_count_status(model, 0, 4)
    for _ in range(4):
        with wrapper.optim_context(model):
            loss = model(torch.randn(4, 8)).float().pow(2).mean()
        wrapper.update_params(loss)
    assert len(message_hub.get_scalar('train/grad_norm')) == 2


def test_loss_scale_settings():
    assert scaler_arguments('dynamic') == ({}, None)
    assert scaler_arguments(512) == ({'init_scale': 512.0}, 512.0)  # the reference rejects ints
    assert scaler_arguments(256.0) == ({'init_scale': 256.0}, 256.0)
    assert scaler_arguments(dict(init_scale=1024, growth_interval=100)) == (
        {'init_scale': 1024, 'growth_interval': 100},
        None,
    )


@pytest.mark.parametrize(
    'loss_scale, message',
    [
        ('static', "use 'dynamic', a number"),
        (True, "use 'dynamic', a number"),
        (0, 'must be > 0'),
        (dict(init_scal=1024), "Did you mean 'init_scale'"),
    ],
)
def test_invalid_loss_scale(loss_scale, message):
    with pytest.raises(ConfigError, match=message):
        AmpOptimWrapper(torch.optim.SGD(make_model().parameters(), lr=0.1), loss_scale=loss_scale)


def test_dtype_names():
    assert resolve_dtype(None, 'cpu') is torch.bfloat16
    assert resolve_dtype(None, 'cuda') is torch.float16
    assert resolve_dtype('bfloat16', 'cpu') is torch.bfloat16
    assert resolve_dtype(torch.float32, 'cpu') is torch.float32
    with pytest.raises(ConfigError, match="Did you mean .*'float16'"):
        resolve_dtype('float61', 'cuda')
    with pytest.raises(ConfigError, match='not an autocast dtype'):
        resolve_dtype('fp16', 'cuda')
    with pytest.raises(ConfigError, match="on CPU use dtype='bfloat16'"):
        resolve_dtype('float16', 'cpu')


def test_a_loss_scale_with_bfloat16_is_ignored_with_a_warning(caplog):
    with caplog.at_level('WARNING', logger='cadence'):
        wrapper = AmpOptimWrapper(
            torch.optim.SGD(make_model().parameters(), lr=0.1), loss_scale=512
        )
    assert wrapper.loss_scaler is None
    assert 'loss_scale=512 is ignored' in caplog.text


def test_meta_parameters_fall_back_to_the_machine_device():
    with torch.device('meta'):
        model = nn.Linear(8, 1)
    wrapper = AmpOptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    assert wrapper.device_type == ('cuda' if torch.cuda.is_available() else 'cpu')


@CUDA
def test_float16_dynamic_scaling_trains_and_checkpoints_the_scaler():
    model = make_model('cuda')
    wrapper = AmpOptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01))
    assert wrapper.cast_dtype is torch.float16
    assert wrapper.loss_scaler is not None
    for _ in range(3):
        with wrapper.optim_context(model):
            out = model(torch.randn(4, 8, device='cuda'))
        assert out.dtype is torch.float16
        wrapper.update_params(out.float().pow(2).mean())
    state = wrapper.state_dict()
    assert state['loss_scaler']['scale'] == 65536.0
    buffer = io.BytesIO()
    torch.save(state, buffer)
    buffer.seek(0)
    fresh = AmpOptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01), loss_scale=8.0)
    fresh.load_state_dict(torch.load(buffer, weights_only=True))
    assert fresh.loss_scaler.get_scale() == 65536.0


@CUDA
def test_float16_overflow_step_is_skipped_and_counted(message_hub):
    model = make_model('cuda')
    wrapper = AmpOptimWrapper(torch.optim.SGD(model.parameters(), lr=0.01), loss_scale=1024.0)
    before = [p.detach().clone() for p in model.parameters()]
    with wrapper.optim_context(model):
        out = model(torch.randn(4, 8, device='cuda'))
    wrapper.update_params(out.float().mean() * float('inf'))
    assert all(torch.equal(b, p) for b, p in zip(before, model.parameters()))
    assert wrapper.skipped_steps == 1
    assert message_hub.get_scalar('train/skipped_steps').current() == 1
    assert wrapper.loss_scaler.get_scale() == 1024.0  # a static scale stays


@CUDA
def test_float16_clipping_sees_unscaled_gradients(message_hub):
    reference, model = make_model('cuda'), make_model('cuda')
    x = torch.randn(4, 8, device='cuda')
    with torch.autocast('cuda', dtype=torch.float16):
        out = reference(x)
    out.float().pow(2).mean().backward()
    expected = nn.utils.clip_grad_norm_(reference.parameters(), max_norm=1e9)
    wrapper = AmpOptimWrapper(
        torch.optim.SGD(model.parameters(), lr=0.01), clip_grad=dict(max_norm=1e9)
    )
    with wrapper.optim_context(model):
        out = model(x)
    wrapper.update_params(out.float().pow(2).mean())
    assert message_hub.get_scalar('train/grad_norm').current() == pytest.approx(
        expected.item(), rel=1e-3
    )
