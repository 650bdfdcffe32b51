"""Plain ``torch.optim`` optimizers stepped by hand, as in the seeds' first examples, and the same
schedules computed by PyTorch's own ``torch.optim.lr_scheduler`` as independent truth."""

from __future__ import annotations

import pytest
import torch
from torch.optim import lr_scheduler as torch_schedulers

from cadence.optim import scheduler as cadence_schedulers


def optimizer():
    model = torch.nn.Linear(1, 1)
    return torch.optim.SGD(model.parameters(), lr=0.1, momentum=0.9)


PAIRS = [
    (lambda o: torch_schedulers.ExponentialLR(o, gamma=0.9),
     lambda o: cadence_schedulers.ExponentialLR(o, gamma=0.9)),
    (lambda o: torch_schedulers.StepLR(o, step_size=3, gamma=0.5),
     lambda o: cadence_schedulers.StepLR(o, step_size=3, gamma=0.5)),
    (lambda o: torch_schedulers.MultiStepLR(o, milestones=[8, 11], gamma=0.1),
     lambda o: cadence_schedulers.MultiStepLR(o, milestones=[8, 11], gamma=0.1)),
    (lambda o: torch_schedulers.LinearLR(o, start_factor=0.25, end_factor=1.0, total_iters=6),
     lambda o: cadence_schedulers.LinearLR(o, start_factor=0.25, end=7)),
    (lambda o: torch_schedulers.ConstantLR(o, factor=0.5, total_iters=4),
     lambda o: cadence_schedulers.ConstantLR(o, factor=0.5, end=5)),
    (lambda o: torch_schedulers.CosineAnnealingLR(o, T_max=7, eta_min=0.001),
     lambda o: cadence_schedulers.CosineAnnealingLR(o, T_max=7, eta_min=0.001)),
    (lambda o: torch_schedulers.PolynomialLR(o, total_iters=9, power=2.0),
     lambda o: cadence_schedulers.PolyLR(o, power=2.0, end=10)),
    (lambda o: torch_schedulers.OneCycleLR(o, max_lr=1.0, total_steps=15, cycle_momentum=False),
     lambda o: cadence_schedulers.OneCycleLR(o, eta_max=1.0, total_steps=15)),
]  # fmt: skip


@pytest.mark.parametrize('pair', PAIRS, ids=lambda p: 'pair')
def test_same_values_as_torch(pair):
    make_torch, make_cadence = pair
    reference, ours = optimizer(), optimizer()
    torch_scheduler, cadence_scheduler = make_torch(reference), make_cadence(ours)
    for epoch in range(15):
        assert ours.param_groups[0]['lr'] == pytest.approx(reference.param_groups[0]['lr'],
                                                           rel=1e-12, abs=1e-15), epoch  # fmt: skip
        reference.step()
        torch_scheduler.step()
        ours.step()
        cadence_scheduler.step()


def test_seed_example_hand_written_loop():
    """The seed's loop: step the optimizer every batch, the scheduler after every epoch."""
    model = torch.nn.Linear(1, 1)
    dataset = [torch.randn((1, 1, 1)) for _ in range(20)]
    optimizer = torch.optim.SGD(model.parameters(), 0.1)
    scheduler = cadence_schedulers.ExponentialLR(optimizer, gamma=0.9)
    for epoch in range(10):
        assert optimizer.param_groups[0]['lr'] == pytest.approx(0.1 * 0.9**epoch)
        for data in dataset:
            optimizer.zero_grad()
            output = model(data)
            loss = (1 - output).sum()
            loss.backward()
            optimizer.step()
        scheduler.step()


def test_seed_multistep_on_a_plain_optimizer():
    model = torch.nn.Linear(1, 1)
    optimizer = torch.optim.SGD(model.parameters(), lr=0.01, momentum=0.9)
    scheduler = cadence_schedulers.MultiStepLR(optimizer, milestones=[8, 11], gamma=0.1)
    lrs = []
    for _ in range(12):
        lrs.append(optimizer.param_groups[0]['lr'])
        optimizer.step()
        scheduler.step()
    assert lrs == pytest.approx([0.01] * 8 + [0.001] * 3 + [0.0001])
