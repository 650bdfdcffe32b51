"""call_module: forward directly only when nn.Module.__call__ would do nothing else."""

from __future__ import annotations

import torch
from torch import nn

from cadence.model.module_call import call_module


class Doubler(nn.Module):
    def forward(self, x, scale=1):
        return 2 * x * scale


def test_a_plain_module_gives_what_calling_it_gives():
    module = Doubler()
    x = torch.tensor([1.0, 2.0])
    assert torch.equal(call_module(module, x, scale=3), module(x, scale=3))


def test_forward_hooks_of_the_module_still_run():
    module = Doubler()
    seen = []
    module.register_forward_pre_hook(lambda m, args: seen.append('pre'))
    handle = module.register_forward_hook(lambda m, args, out: out + 1)
    assert torch.equal(call_module(module, torch.tensor([1.0])), torch.tensor([3.0]))
    assert seen == ['pre']
    handle.remove()


def test_global_module_hooks_still_run():
    seen = []
    handle = nn.modules.module.register_module_forward_hook(
        lambda m, args, out: seen.append(type(m).__name__)
    )
    try:
        call_module(Doubler(), torch.tensor([1.0]))
    finally:
        handle.remove()
    assert seen == ['Doubler']


def test_a_model_with_hooks_trains_through_train_step_with_its_hooks(tmp_path):
    from cadence.model import BaseModel
    from cadence.optim import OptimWrapper

    class Model(BaseModel):
        def __init__(self):
            super().__init__()
            self.linear = nn.Linear(2, 1)

        def forward(self, inputs, data_samples=None, mode='tensor'):
            out = self.linear(inputs)
            return {'loss': out.pow(2).mean()} if mode == 'loss' else out

    model = Model()
    calls = []
    model.register_forward_hook(lambda m, args, kwargs, out: calls.append(kwargs), with_kwargs=True)
    model.data_preprocessor.register_forward_hook(lambda m, args, out: calls.append('pre'))
    wrapper = OptimWrapper(torch.optim.SGD(model.parameters(), lr=0.1))
    model.train_step({'inputs': torch.ones(4, 2)}, wrapper)
    assert calls[0] == 'pre' and calls[1]['mode'] == 'loss' and len(calls) == 2
