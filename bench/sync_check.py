"""Host synchronisations per training iteration of ``Runner.train()`` on the tiny task.

Counts the host's reads of tensor values (``aten._local_scalar_dense``: ``.item()``,
``float(t)``, ``bool(t)``) in every iteration, separating the iterations that write a log line
or end an epoch from the others (target: none there). With CUDA, the model runs on the GPU and
``torch.cuda.set_sync_debug_mode('error')`` is on during the other iterations, so any
synchronising CUDA call fails the run; without CUDA that part says it was skipped.

    python bench/sync_check.py [--iterations 500]
"""

from __future__ import annotations

import argparse
from typing import Any

import torch

import tasks


def check(iterations: int = 500) -> dict[str, Any]:
    from cadence.utils import HostSyncCounter, SyncsPerIteration

    task = tasks.TINY
    per_epoch = task.samples // task.batch_size
    epochs = max(1, -(-iterations // per_epoch))
    cuda = torch.cuda.is_available()
    counter = HostSyncCounter()
    recorder = SyncsPerIteration(counter, cuda_debug_mode='error' if cuda else None)
    tasks.CLOCK.arm([])
    with tasks.quiet_runner(task, epochs) as runner:
        runner.register_hook(recorder)
        with counter:
            runner.train()
    result: dict[str, Any] = recorder.summary()
    result['cuda_sync_debug_mode'] = (
        "'error' during the other iterations: no synchronising call"
        if cuda
        else 'skipped: no CUDA on this machine'
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--iterations', type=int, default=500)
    args = parser.parse_args()
    torch.set_num_threads(1)
    for key, value in check(args.iterations).items():
        print(f'{key:<32} {value}')


if __name__ == '__main__':
    main()
