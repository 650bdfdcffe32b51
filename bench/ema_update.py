"""Cost of one EMA update (``ExponentialMovingAverage.update_parameters``).

Compares, on this machine and on the same models:

* Cadence: cached tensor lists, ``torch._foreach_lerp_`` / ``_foreach_copy_``, a Python step
  counter;
* a per-tensor update written the way the reference does it: ``named_parameters()`` (or
  ``state_dict()``) walked at every update, one ``lerp_`` per tensor, buffers copied one by one,
  and the step counter kept in a tensor (``if steps == 0`` reads it back: a host
  synchronisation per update on a GPU).

Models: the tiny MLP of the Runner benchmark task, and a deep MLP with BatchNorm (about 600
tensors). Each figure is the median of several repeats. Run: ``python bench/ema_update.py
[--json]``.
"""

from __future__ import annotations

import argparse
import json
import platform
import statistics
import time

import torch
from torch import nn

from cadence.model import ExponentialMovingAverage


class PerTensorEMA:
    """The reference's update loop, for comparison (not used by Cadence)."""

    def __init__(self, model: nn.Module, momentum: float, update_buffers: bool = False) -> None:
        import copy

        self.module = copy.deepcopy(model).requires_grad_(False)
        self.momentum = momentum
        self.update_buffers = update_buffers
        self.steps = torch.tensor(0, dtype=torch.long)

    @torch.no_grad()
    def update_parameters(self, model: nn.Module) -> None:
        if self.update_buffers:
            averaged, source = self.module.state_dict(), model.state_dict()
        else:
            averaged, source = dict(self.module.named_parameters()), dict(model.named_parameters())
        if self.steps == 0:
            for key, value in averaged.items():
                value.copy_(source[key])
        else:
            for key, value in averaged.items():
                if value.dtype.is_floating_point:
                    value.lerp_(source[key], self.momentum)
        if not self.update_buffers:
            for mine, theirs in zip(self.module.buffers(), model.buffers()):
                mine.copy_(theirs)
        self.steps += 1


def tiny_mlp() -> nn.Module:
    return nn.Sequential(
        nn.Linear(64, 256), nn.ReLU(), nn.Linear(256, 128), nn.ReLU(), nn.Linear(128, 10)
    )


def deep_mlp(blocks: int = 120) -> nn.Module:
    layers: list[nn.Module] = []
    for _ in range(blocks):
        layers += [nn.Linear(64, 64), nn.BatchNorm1d(64), nn.ReLU()]
    return nn.Sequential(*layers)


def update_cost(make_average, model: nn.Module, updates: int, repeats: int) -> float:
    """Median microseconds per ``update_parameters`` call (after a warm-up update)."""
    results = []
    for _ in range(repeats):
        average = make_average(model)
        average.update_parameters(model)
        start = time.perf_counter_ns()
        for _ in range(updates):
            average.update_parameters(model)
        results.append((time.perf_counter_ns() - start) / updates / 1000)
    return statistics.median(results)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--json', action='store_true', help='print the figures as JSON')
    parser.add_argument('--updates', type=int, default=2000)
    parser.add_argument('--repeats', type=int, default=5)
    args = parser.parse_args()
    torch.set_num_threads(1)
    figures = {}
    for name, model in (('tiny MLP', tiny_mlp()), ('deep MLP + BN', deep_mlp())):
        tensors = len(model.state_dict())
        for buffers in (False, True):
            label = f'{name} ({tensors} tensors, update_buffers={buffers})'
            ours = update_cost(
                lambda m, b=buffers: ExponentialMovingAverage(m, momentum=0.0002, update_buffers=b),
                model,
                args.updates,
                args.repeats,
            )
            reference = update_cost(
                lambda m, b=buffers: PerTensorEMA(m, momentum=0.0002, update_buffers=b),
                model,
                args.updates,
                args.repeats,
            )
            figures[label] = {'cadence_us': ours, 'per_tensor_us': reference}
    if args.json:
        print(json.dumps({'machine': platform.processor() or platform.machine(), **figures}))
        return
    print(f'EMA update cost on {platform.machine()}, torch {torch.__version__}, 1 thread')
    for label, values in figures.items():
        print(
            f'  {label:<55} cadence {values["cadence_us"]:8.1f} us   '
            f'per-tensor {values["per_tensor_us"]:8.1f} us'
        )


if __name__ == '__main__':
    main()
