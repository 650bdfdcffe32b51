"""``MyOptimizer``, the seeds' custom-optimizer template made real (imported by
``custom_optimizer.py`` through ``custom_imports``; not a config itself).

The template's signature ``__init__(self, a, b, c)`` lacks the parameters, which every optimizer
needs; as in the reference, the constructor passes them as the first argument, here ``params``.
The update is heavy-ball SGD: ``v = b * v + g + c * p``, ``p -= a * v`` (``a``: learning rate,
``b``: momentum, ``c``: L2 weight decay).
"""

import torch
from torch.optim import Optimizer

from cadence.registry import OPTIMIZERS


@OPTIMIZERS.register_module()
class MyOptimizer(Optimizer):
    def __init__(self, params, a, b, c):
        super().__init__(params, dict(a=a, b=b, c=c))

    @torch.no_grad()
    def step(self, closure=None):
        loss = None
        if closure is not None:
            with torch.enable_grad():
                loss = closure()
        for group in self.param_groups:
            for p in group['params']:
                if p.grad is None:
                    continue
                update = p.grad.add(p, alpha=group['c'])
                velocity = self.state[p].get('velocity')
                if velocity is None:
                    velocity = self.state[p]['velocity'] = torch.zeros_like(p)
                velocity.mul_(group['b']).add_(update)
                p.sub_(velocity, alpha=group['a'])
        return loss
