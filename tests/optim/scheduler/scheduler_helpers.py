"""Test helpers: optimizers, an optimizer-wrapper stand-in, a Runner-like driver, and an oracle.

The oracle (:class:`ChainedReference`) is an independent, deliberately naive transcription of
the reference engine's *chained* formulas (``mmengine-behaviour.md`` §4.2 and the "chained"
column of §4.3): every step recomputes the value from the current value, exactly the way the
reference does. It shares no code with ``cadence.optim.scheduler`` and serves as truth for
randomized schedule lists with overlaps and gaps.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from typing import Any

import torch

from cadence.optim.scheduler import step_after_train_epoch, step_after_train_iter

INF = int(1e9)


def sgd(groups: int = 1, lr: float = 0.1, momentum: float = 0.9, weight_decay: float = 1e-4):
    """SGD over ``groups`` param groups; group ``i`` has lr ``lr * (i + 1)``."""
    params = [
        {'params': [torch.nn.Parameter(torch.zeros(2))], 'lr': lr * (i + 1)} for i in range(groups)
    ]
    return torch.optim.SGD(params, lr=lr, momentum=momentum, weight_decay=weight_decay)


def adam(lr: float = 0.1, betas=(0.9, 0.999)):
    return torch.optim.Adam([torch.nn.Parameter(torch.zeros(2))], lr=lr, betas=betas)


class PseudoGroupWrapper:
    """What the reference's ``OptimWrapper`` shows schedulers (§2.1): with more than one group,
    ``param_groups`` ends with a pseudo-group holding the optimizer's defaults (the base lr)."""

    def __init__(self, optimizer: torch.optim.Optimizer) -> None:
        self.optimizer = optimizer
        self.base_param_settings = None
        if len(optimizer.param_groups) > 1:
            self.base_param_settings = {'params': torch.tensor([0.0]), **optimizer.defaults}

    @property
    def param_groups(self) -> list[dict]:
        extra = [self.base_param_settings] if self.base_param_settings is not None else []
        return self.optimizer.param_groups + extra

    @property
    def defaults(self) -> dict:
        return self.optimizer.defaults


def read(group: dict, key: str) -> float:
    if key == 'momentum' and 'momentum' not in group:
        return group['betas'][0]
    return group[key]


def trace(scheduler: Any, optimizer: Any, steps: int, key: str = 'lr') -> list[Any]:
    """The first group's ``key`` before each of ``steps`` calls of ``scheduler.step()``."""
    values = []
    for _ in range(steps):
        values.append(optimizer.param_groups[0][key])
        scheduler.step()
    return values


def drive(
    schedulers: Any,
    optimizer: Any,
    iterations: int,
    epoch_length: int | None,
    keys=('lr',),
    train_by_epoch: bool = True,
) -> dict[str, list[list[float]]]:
    """Step ``schedulers`` as the Runner does; values in force during each iteration."""
    out: dict[str, list[list[float]]] = {k: [] for k in keys}
    for iteration in range(iterations):
        for key in keys:
            out[key].append([read(g, key) for g in optimizer.param_groups])
        step_after_train_iter(schedulers)
        if train_by_epoch and epoch_length and (iteration + 1) % epoch_length == 0:
            step_after_train_epoch(schedulers)
    return out


# -- the oracle -------------------------------------------------------------------------------


class ChainedReference:
    """One scheduler of the reference, chained form (the truth for overlap/gap semantics)."""

    def __init__(self, groups: list[dict], key: str, kind: str, args: dict, begin: int, end: int,
                 by_epoch: bool) -> None:  # fmt: skip
        self.groups, self.key, self.kind, self.args = groups, key, kind, dict(args)
        self.begin, self.end, self.by_epoch = begin, end, by_epoch
        for group in groups:
            group.setdefault(f'initial_{key}', group[key])
        self.base = [g[f'initial_{key}'] for g in groups]
        self.total = end - begin - 1
        if kind == 'cosine':
            self.args['T_max'] = self.args.get('T_max') or (end - begin)
        if kind == 'multistep':
            self.args['milestones'] = Counter(self.args['milestones'])
        if kind == 'restart':
            cumulative, total = [], 0
            for period in self.args['periods']:
                total += period
                cumulative.append(total)
            self.cumulative = cumulative
        self.global_step = -1
        self.last_step = -1
        self.step()

    def eta(self, base: float) -> float:
        ratio = self.args.get('eta_min_ratio')
        return base * ratio if ratio is not None else (self.args.get('eta_min') or 0.0)

    def step(self) -> None:
        self.global_step += 1
        if self.begin <= self.global_step < self.end:
            self.last_step += 1
            values = [
                self.value(v, b) for v, b in zip([g[self.key] for g in self.groups], self.base)
            ]
            for group, value in zip(self.groups, values):
                group[self.key] = value

    def value(self, v: float, base: float) -> float:
        t, a, kind = self.last_step, self.args, self.kind
        if kind == 'constant':
            if t == 0:
                return v * a['factor']
            return v if t != self.total else v * (1.0 / a['factor'])
        if kind == 'linear':
            sf, ef = a['start_factor'], a.get('end_factor', 1.0)
            if t == 0:
                return v * sf
            return v * (1.0 + (ef - sf) / (self.total * sf + (t - 1) * (ef - sf)))
        if kind == 'step':
            return v if t == 0 or t % a['step_size'] else v * a['gamma']
        if kind == 'multistep':
            return v * a['gamma'] ** a['milestones'][t] if t in a['milestones'] else v
        if kind == 'exp':
            return v if t == 0 else v * a['gamma']
        if kind == 'cosine':
            tm, eta = a['T_max'], self.eta(base)
            if t == 0:
                return v
            if (t - 1 - tm) % (2 * tm) == 0:
                return v + (base - eta) * (1 - math.cos(math.pi / tm)) / 2
            ratio = (1 + math.cos(math.pi * t / tm)) / (1 + math.cos(math.pi * (t - 1) / tm))
            return ratio * (v - eta) + eta
        if kind == 'poly':
            eta, power = a.get('eta_min', 0.0), a.get('power', 1.0)
            if t == 0:
                return v
            return (v - eta) * (1 - 1 / (self.total - t + 1)) ** power + eta
        if kind == 'restart':
            index = next((i for i, c in enumerate(self.cumulative) if t < c), None)
            if index is None:
                return v
            first = self.cumulative[index - 1] if index else 0
            period, s, eta = a['periods'][index], t - first, self.eta(base)
            if s == 0:
                return base * a['restart_weights'][index]
            ratio = (1 + math.cos(math.pi * s / period)) / (
                1 + math.cos(math.pi * (s - 1) / period)
            )
            return ratio * (v - eta) + eta
        raise AssertionError(kind)


#: cadence type name -> oracle kind
KINDS = {
    'ConstantLR': 'constant',
    'LinearLR': 'linear',
    'StepLR': 'step',
    'MultiStepLR': 'multistep',
    'ExponentialLR': 'exp',
    'CosineAnnealingLR': 'cosine',
    'PolyLR': 'poly',
    'CosineRestartLR': 'restart',
}


def oracle_from_cfg(groups: list[dict], cfg: dict, epoch_length: int, max_epochs: int):
    """Build the oracle for one LR scheduler config as the reference Runner would (§4.6)."""
    cfg = dict(cfg)
    kind = KINDS[cfg.pop('type')]
    by_epoch = cfg.pop('by_epoch', True)
    convert = cfg.pop('convert_to_iter_based', False)
    begin = cfg.pop('begin', 0)
    end = cfg.pop('end', max_epochs if by_epoch else max_epochs * epoch_length)
    if convert:
        by_epoch = False
        begin = int(begin * epoch_length)
        end = int(end * epoch_length) if end != INF else end
        for name in ('step_size', 'T_max'):
            if cfg.get(name) is not None:
                cfg[name] = cfg[name] * epoch_length
        if 'milestones' in cfg:
            cfg['milestones'] = [m * epoch_length for m in cfg['milestones']]
        if 'periods' in cfg:
            cfg['periods'] = [p * epoch_length for p in cfg['periods']]
        assert kind != 'exp', 'the reference does not rescale gamma (deviation 2)'
    return ChainedReference(groups, 'lr', kind, cfg, begin, end, by_epoch)


# -- random schedule lists --------------------------------------------------------------------


def random_scheduler(rng: random.Random, max_epochs: int, epoch_length: int) -> dict:
    kind = rng.choice(
        ['ConstantLR', 'LinearLR', 'StepLR', 'MultiStepLR', 'ExponentialLR',
         'CosineAnnealingLR', 'PolyLR', 'CosineRestartLR']
    )  # fmt: skip
    by_epoch = rng.random() < 0.5
    convert = by_epoch and kind != 'ExponentialLR' and rng.random() < 0.5
    span = max_epochs if by_epoch else max_epochs * epoch_length
    begin = rng.randrange(0, span - 1)
    cfg: dict = {'type': kind, 'by_epoch': by_epoch, 'begin': begin}
    if rng.random() < 0.8:
        cfg['end'] = rng.randrange(begin + 1, span + 1)
    if convert:
        cfg['convert_to_iter_based'] = True
    window = cfg.get('end', span) - begin
    if kind == 'ConstantLR':
        cfg['factor'] = rng.uniform(0.1, 0.9)
    elif kind == 'LinearLR':
        cfg['start_factor'] = rng.uniform(0.01, 0.9)
        cfg['end_factor'] = rng.uniform(0.5, 1.0)
    elif kind == 'StepLR':
        cfg['step_size'] = rng.randrange(1, 4)
        cfg['gamma'] = rng.uniform(0.3, 0.9)
    elif kind == 'MultiStepLR':
        cfg['milestones'] = sorted(rng.sample(range(0, window + 2), 2))
        cfg['gamma'] = rng.uniform(0.3, 0.9)
    elif kind == 'ExponentialLR':
        cfg['gamma'] = rng.uniform(0.8, 0.99)
    elif kind == 'CosineAnnealingLR':
        if rng.random() < 0.5:
            cfg['T_max'] = rng.randrange(1, window + 3)
        if rng.random() < 0.5:
            cfg['eta_min'] = rng.uniform(0, 0.01)
        elif rng.random() < 0.5:
            cfg['eta_min_ratio'] = rng.uniform(0, 0.2)
    elif kind == 'PolyLR':
        cfg['eta_min'] = rng.uniform(0, 0.01)
        cfg['power'] = rng.uniform(0.5, 2.0)
    else:
        cfg['periods'] = [rng.randrange(1, 5) for _ in range(2)]
        cfg['restart_weights'] = [1.0, rng.uniform(0.3, 1.0)]
        cfg['eta_min'] = rng.uniform(0, 0.01)
    return cfg
