"""How long ``build_optim_wrapper`` takes with a ``paramwise_cfg``, and how many groups it makes.

Targets (DESIGN, Performance): under 10 ms for a 2,000-tensor model (50 ms accepted), under
50 ms for 10,000 tensors, as few groups as distinct settings. For comparison the script also
times torch building the same optimizer with one group per tensor, the layout the reference
hands to torch (MMEngine takes about 125 ms for 1,000 tensors and 11 s for 10,000).

The model is ResNet-like (conv + BatchNorm per layer, a biased depthwise conv every fourth
layer, a linear head) with MMPretrain-style names; the ``paramwise_cfg`` combines the seeds'
options: ``norm_decay_mult``, ``bias_decay_mult``, ``dwconv_decay_mult`` and ``custom_keys``.

    python bench/optim_construction.py [--repeats 21] [--sizes 2000 10000] [--json out.json]
"""

from __future__ import annotations

import argparse
import gc
import json
import platform
import statistics
import time

import torch
from torch import nn

from cadence.optim import build_optim_wrapper

PARAMWISE_CFG = dict(
    norm_decay_mult=0.0,
    bias_decay_mult=0.0,
    dwconv_decay_mult=0.0,
    custom_keys={
        'backbone.layer0': dict(lr_mult=0, decay_mult=0),
        'head': dict(lr_mult=0.1),
    },
)
OPTIM_WRAPPER = dict(
    optimizer=dict(type='SGD', lr=0.1, momentum=0.9, weight_decay=1e-4),
    paramwise_cfg=PARAMWISE_CFG,
)


def resnet_like(num_tensors: int) -> nn.Module:
    """A model with about ``num_tensors`` parameter tensors (3 per layer, 4 for depthwise)."""
    model = nn.Module()
    model.backbone = nn.Module()
    count, index = 0, 0
    while count < num_tensors - 2:
        depthwise = index % 4 == 3
        layer = nn.Sequential(
            nn.Conv2d(4, 4, 3, groups=4 if depthwise else 1, bias=depthwise), nn.BatchNorm2d(4)
        )
        model.backbone.add_module(f'layer{index}', layer)
        count += 4 if depthwise else 3
        index += 1
    model.head = nn.Linear(4, 10)
    return model


def time_it(function, repeats: int) -> tuple[list[float], list[float]]:
    """Wall-clock and CPU seconds of each call (CPU time is what a loaded machine does not
    inflate)."""
    gc.collect()
    wall, cpu = [], []
    for _ in range(repeats):
        start, start_cpu = time.perf_counter(), time.process_time()
        function()
        cpu.append(time.process_time() - start_cpu)
        wall.append(time.perf_counter() - start)
    return wall, cpu


def measure(num_tensors: int, repeats: int, baseline: bool) -> dict:
    model = resnet_like(num_tensors)
    tensors = len(list(model.parameters()))
    wrapper = build_optim_wrapper(model, OPTIM_WRAPPER)
    groups = wrapper.optimizer.param_groups
    distinct = {(g['lr'], g['weight_decay']) for g in groups}
    wall, cpu = time_it(lambda: build_optim_wrapper(model, OPTIM_WRAPPER), repeats)
    result = {
        'tensors': tensors,
        'groups': len(groups),
        'distinct_settings': len(distinct),
        'median_ms': statistics.median(wall) * 1e3,
        'min_ms': min(wall) * 1e3,
        'median_cpu_ms': statistics.median(cpu) * 1e3,
    }
    if baseline:
        lookup = {id(p): g for g in groups for p in g['params']}
        per_tensor = [
            {
                'params': [p],
                'lr': lookup[id(p)]['lr'],
                'weight_decay': lookup[id(p)]['weight_decay'],
            }
            for p in model.parameters()
        ]
        base_wall, _ = time_it(lambda: torch.optim.SGD(per_tensor, lr=0.1, momentum=0.9), 3)
        result['torch_one_group_per_tensor_ms'] = statistics.median(base_wall) * 1e3
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeats', type=int, default=21)
    parser.add_argument('--sizes', type=int, nargs='+', default=[1000, 2000, 10000])
    parser.add_argument('--json', help='also write the figures to this file')
    args = parser.parse_args()
    torch.set_num_threads(1)
    build_optim_wrapper(resnet_like(50), OPTIM_WRAPPER)  # warm up imports and caches
    rows = [measure(n, args.repeats, baseline=n <= 2000) for n in args.sizes]
    print(f'build_optim_wrapper with a seeds-style paramwise_cfg ({platform.processor() or "cpu"})')
    print(f'{"tensors":>8} {"groups":>7} {"distinct":>9} {"median ms":>10} {"min ms":>8} '
          f'{"CPU ms":>7} {"torch, 1 group/tensor ms":>25}')  # fmt: skip
    for row in rows:
        baseline = row.get('torch_one_group_per_tensor_ms')
        print(
            f'{row["tensors"]:>8} {row["groups"]:>7} {row["distinct_settings"]:>9} '
            f'{row["median_ms"]:>10.2f} {row["min_ms"]:>8.2f} {row["median_cpu_ms"]:>7.2f} '
            f'{"" if baseline is None else f"{baseline:.1f}":>25}'
        )
    if args.json:
        with open(args.json, 'w', encoding='utf-8') as f:
            json.dump({'paramwise_cfg': PARAMWISE_CFG, 'results': rows}, f, indent=2)


if __name__ == '__main__':
    main()
