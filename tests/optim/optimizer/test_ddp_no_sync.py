"""Accumulation under DistributedDataParallel with 2 real processes (gloo, CPU).

Gradients must be all-reduced only on the iterations that update (``optim_context`` enters
``no_sync()`` on the others), and the final weights must equal one process training on the
global batch with the same accumulation.
"""

from __future__ import annotations

import os

import pytest
import torch
import torch.distributed as dist
import torch.multiprocessing as mp
from torch import nn
from torch.nn.parallel import DistributedDataParallel

from cadence.optim import OptimWrapper
from reference.models import TwoLayerNet
from support.dist_scenarios import free_port

WORLD_SIZE = 2
ACCUMULATIVE_COUNTS = 3
ITERATIONS = 7  # windows: 0-2, 3-5, 6 (a last window of one)
GLOBAL_BATCH = 4


def Net() -> nn.Module:
    return TwoLayerNet(hidden=6, squeeze=True)


def global_batches() -> list[tuple[torch.Tensor, torch.Tensor]]:
    generator = torch.Generator().manual_seed(3)
    return [
        (
            torch.randn(GLOBAL_BATCH, 4, generator=generator),
            torch.randn(GLOBAL_BATCH, generator=generator),
        )
        for _ in range(ITERATIONS)
    ]


def train(model: nn.Module, batches, module_for_context: nn.Module) -> None:
    optimizer = torch.optim.SGD(model.parameters(), lr=0.2, momentum=0.9)
    wrapper = OptimWrapper(optimizer, accumulative_counts=ACCUMULATIVE_COUNTS)
    wrapper.initialize_count_status(module_for_context, 0, ITERATIONS)
    for iteration, (x, y) in enumerate(batches):
        module_for_context.iteration = iteration
        with wrapper.optim_context(module_for_context):
            loss = ((module_for_context(x) - y) ** 2).mean()
        wrapper.update_params(loss)


def worker(rank: int, port: int, out_dir: str) -> None:
    os.environ['MASTER_ADDR'] = '127.0.0.1'
    os.environ['MASTER_PORT'] = str(port)
    dist.init_process_group('gloo', rank=rank, world_size=WORLD_SIZE)
    try:
        torch.manual_seed(0)
        model = Net()
        ddp = DistributedDataParallel(model)
        reduced_at: list[int] = []

        def counting_allreduce(state, bucket):
            reduced_at.append(ddp.iteration)
            tensor = bucket.buffer().div_(WORLD_SIZE)
            return dist.all_reduce(tensor, async_op=True).get_future().then(lambda f: f.value()[0])

        ddp.register_comm_hook(None, counting_allreduce)
        share = GLOBAL_BATCH // WORLD_SIZE
        local = [(x[rank * share : (rank + 1) * share], y[rank * share : (rank + 1) * share])
                 for x, y in global_batches()]  # fmt: skip
        train(model, local, ddp)
        torch.save(
            {'reduced_at': reduced_at, 'state': model.state_dict()},
            os.path.join(out_dir, f'rank{rank}.pt'),
        )
    finally:
        dist.destroy_process_group()


@pytest.mark.dist
@pytest.mark.slow
def test_ddp_all_reduces_only_on_update_steps_and_matches_one_process(tmp_path):
    mp.spawn(worker, args=(free_port(), str(tmp_path)), nprocs=WORLD_SIZE, join=True)
    results = [torch.load(tmp_path / f'rank{r}.pt', weights_only=True) for r in range(WORLD_SIZE)]
    for result in results:
        assert sorted(set(result['reduced_at'])) == [2, 5, 6]

    torch.manual_seed(0)
    single = Net()
    train(single, global_batches(), single)
    for result in results:
        for name, expected in single.state_dict().items():
            torch.testing.assert_close(result['state'][name], expected, rtol=1e-6, atol=1e-7)
