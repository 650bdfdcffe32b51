"""Gradient accumulation: the counter arithmetic, and training against hand-written loops."""

from __future__ import annotations

import contextlib
import logging

import pytest
import torch
from torch import nn

from cadence.optim import OptimWrapper, OptimWrapperDict
from cadence.optim.optimizer.accumulation import loss_factor, should_sync, should_update
from reference.models import TwoLayerNet


def test_worked_example_a3_m10():
    """Behaviour §2.1 (s4): A=3, M=10, one backward per iteration."""
    factors = [loss_factor(c, 10, 3) for c in range(10)]
    assert factors == [3] * 9 + [1]
    updates = [c for c in range(10) if should_update(c + 1, 10, 3)]
    assert updates == [2, 5, 8, 9]
    syncs = [c for c in range(10) if should_sync(c, 10, 3)]
    assert syncs == [2, 5, 8, 9]


def test_when_the_run_is_a_multiple_of_the_window_every_factor_is_a():
    assert [loss_factor(c, 8, 4) for c in range(8)] == [4] * 8


def test_without_initialisation_the_last_window_never_steps():
    assert [loss_factor(c, -1, 3) for c in range(10)] == [3] * 10
    assert [c for c in range(10) if should_update(c + 1, -1, 3)] == [2, 5, 8]


def test_no_accumulation_divides_by_one_and_always_updates():
    assert all(loss_factor(c, 7, 1) == 1 for c in range(7))
    assert all(should_update(c + 1, 7, 1) for c in range(7))


def Net() -> nn.Module:
    return TwoLayerNet(hidden=8, squeeze=True)


def make_data(iterations: int, batch: int) -> list[tuple[torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(1)
    return [
        (torch.randn(batch, 4, generator=generator), torch.randn(batch, generator=generator))
        for _ in range(iterations)
    ]


def run_wrapper(model, data, accumulative_counts, momentum=0.9, clip_grad=None):
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=momentum)
    wrapper = OptimWrapper(optimizer, accumulative_counts=accumulative_counts, clip_grad=clip_grad)
    wrapper.initialize_count_status(model, 0, len(data))
    for x, y in data:
        with wrapper.optim_context(model):
            loss = ((model(x) - y) ** 2).mean()
        wrapper.update_params(loss)
    return wrapper


def run_big_batches(model, data, accumulative_counts, momentum=0.9):
    """The truth: each window's batches concatenated into one batch, one plain step each
    (the last window has only the iterations that are left)."""
    optimizer = torch.optim.SGD(model.parameters(), lr=0.1, momentum=momentum)
    for start in range(0, len(data), accumulative_counts):
        window = data[start : start + accumulative_counts]
        x = torch.cat([x for x, _ in window])
        y = torch.cat([y for _, y in window])
        optimizer.zero_grad()
        ((model(x) - y) ** 2).mean().backward()
        optimizer.step()


@pytest.mark.parametrize('accumulative_counts, iterations', [(3, 10), (4, 8), (4, 13), (5, 3)])
def test_accumulation_equals_one_big_batch_per_window(accumulative_counts, iterations):
    torch.manual_seed(0)
    reference, model = Net(), Net()
    model.load_state_dict(reference.state_dict())
    data = make_data(iterations, batch=2)
    run_big_batches(reference, data, accumulative_counts)
    run_wrapper(model, data, accumulative_counts)
    for expected, actual in zip(reference.parameters(), model.parameters()):
        torch.testing.assert_close(actual, expected, rtol=1e-6, atol=1e-7)


def test_hand_written_accumulation_loop_with_partial_last_window():
    """The textbook loop: loss / window length, backward, step at the end of each window."""
    torch.manual_seed(0)
    reference, model = Net(), Net()
    model.load_state_dict(reference.state_dict())
    data = make_data(10, batch=3)
    optimizer = torch.optim.SGD(reference.parameters(), lr=0.1, momentum=0.9)
    windows = [range(0, 3), range(3, 6), range(6, 9), range(9, 10)]
    for window in windows:
        for i in window:
            x, y = data[i]
            (((reference(x) - y) ** 2).mean() / len(window)).backward()
        optimizer.step()
        optimizer.zero_grad()
    run_wrapper(model, data, 3)
    for expected, actual in zip(reference.parameters(), model.parameters()):
        torch.testing.assert_close(actual, expected, rtol=1e-6, atol=1e-7)


def test_clipping_happens_once_per_window_on_the_accumulated_gradient(message_hub):
    torch.manual_seed(0)
    reference, model = Net(), Net()
    model.load_state_dict(reference.state_dict())
    data = make_data(4, batch=2)
    optimizer = torch.optim.SGD(reference.parameters(), lr=0.1)
    norms = []
    for window in (data[:2], data[2:]):
        for x, y in window:
            (((reference(x) - y) ** 2).mean() / 2).backward()
        norms.append(nn.utils.clip_grad_norm_(reference.parameters(), max_norm=0.05))
        optimizer.step()
        optimizer.zero_grad()
    run_wrapper(model, data, 2, momentum=0.0, clip_grad=dict(max_norm=0.05))
    for expected, actual in zip(reference.parameters(), model.parameters()):
        torch.testing.assert_close(actual, expected)
    logged, _ = message_hub.get_scalar('train/grad_norm').data
    assert logged == pytest.approx([n.item() for n in norms])


class FakeDDP(nn.Module):
    """Records whether each forward pass ran under ``no_sync()``."""

    def __init__(self) -> None:
        super().__init__()
        self.module = Net()
        self.syncing = True
        self.forward_synced: list[bool] = []

    @contextlib.contextmanager
    def no_sync(self):
        self.syncing = False
        try:
            yield
        finally:
            self.syncing = True

    def forward(self, x):
        self.forward_synced.append(self.syncing)
        return self.module(x)


def test_optim_context_enters_no_sync_except_on_update_iterations():
    model = FakeDDP()
    run_wrapper(model, make_data(10, batch=2), accumulative_counts=3)
    synced = [i for i, s in enumerate(model.forward_synced) if s]
    assert synced == [2, 5, 8, 9]


def test_without_accumulation_every_iteration_syncs():
    model = FakeDDP()
    run_wrapper(model, make_data(4, batch=2), accumulative_counts=1)
    assert model.forward_synced == [True] * 4


def test_window_spans_epochs_and_resume_continues_the_count():
    wrapper = OptimWrapper(torch.optim.SGD(Net().parameters(), lr=0.1), accumulative_counts=4)
    wrapper.initialize_count_status(Net(), 8, 10)  # resumed at iteration 8 of 10
    assert wrapper.inner_count == 8
    assert wrapper.scale_loss(torch.tensor(2.0)).item() == pytest.approx(1.0)  # last window: 2


def test_initialize_count_status_warns_about_batchnorm_and_odd_resume(caplog):
    model = nn.Sequential(nn.Linear(2, 2), nn.BatchNorm1d(2))
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1), accumulative_counts=4)
    with caplog.at_level(logging.WARNING, logger='cadence'):
        wrapper.initialize_count_status(model, 6, 20)
    text = caplog.text
    assert 'BatchNorm' in text
    assert 'not a multiple of accumulative_counts=4' in text


def test_optim_wrapper_dict_initialises_every_wrapper():
    """The reference's OptimWrapperDict ignores this call; here each wrapper learns max_counts."""
    gen, disc = Net(), Net()
    wrappers = OptimWrapperDict(
        generator=OptimWrapper(torch.optim.SGD(gen.parameters(), lr=0.1), accumulative_counts=3),
        discriminator=OptimWrapper(torch.optim.SGD(disc.parameters(), lr=0.1)),
    )
    wrappers.initialize_count_status(gen, 0, 10)
    assert wrappers['generator'].max_counts == 10
    assert wrappers['discriminator'].max_counts == 10
    for _ in range(9):
        wrappers['generator'].backward(torch.zeros((), requires_grad=True))
    # The 10th iteration is a window of 1: its loss is not divided.
    assert wrappers['generator'].scale_loss(torch.tensor(6.0)).item() == 6.0
