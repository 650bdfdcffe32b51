"""Checkpoint save and load time for the medium model, against plain ``torch.save``/``torch.load``.

The medium task's Runner trains three iterations (so the optimizer has its momentum buffers),
then, alternating and repeated:

* Cadence save: ``runner.save_checkpoint`` — weights, optimizer, schedulers, message hub,
  loop position, random generators and hook state, written atomically (temporary file,
  ``fsync``, rename, ``fsync`` of the directory);
* plain save: ``torch.save({'state_dict': ..., 'optimizer': ...})`` of the same model and
  optimizer, and the same followed by an ``fsync`` (what the durability costs);
* Cadence load: ``runner.resume(path)`` — ``torch.load(weights_only=True)`` and every state
  restored;
* plain load: ``torch.load(weights_only=True)`` and ``load_state_dict`` on model and optimizer.

    python bench/checkpoint_io.py [--repeats 7]
"""

from __future__ import annotations

import argparse
import os
import statistics
import tempfile
import time
from typing import Any

import torch

import tasks


def _timed(function) -> float:
    start = time.perf_counter()
    function()
    return time.perf_counter() - start


def measure(repeats: int = 7) -> dict[str, Any]:
    """Median seconds of each operation, and the file size."""
    task = tasks.MEDIUM
    times: dict[str, list[float]] = {
        'cadence_save': [],
        'torch_save': [],
        'torch_save_fsync': [],
        'cadence_load': [],
        'torch_load': [],
    }

    def three_iterations(cfg: dict[str, Any]) -> None:
        cfg['train_dataloader']['dataset']['samples'] = 3 * task.batch_size

    tasks.CLOCK.arm([])
    runner_context = tasks.quiet_runner(task, 1, three_iterations)
    with runner_context as runner, tempfile.TemporaryDirectory() as directory:
        runner.train()
        model, optimizer = runner.model, runner.optim_wrapper.optimizer
        cadence_path = os.path.join(directory, 'cadence.pth')
        plain_path = os.path.join(directory, 'plain.pth')

        def plain_save(fsync: bool = False) -> None:
            with open(plain_path, 'wb') as handle:
                state = {'state_dict': model.state_dict(), 'optimizer': optimizer.state_dict()}
                torch.save(state, handle)
                if fsync:
                    handle.flush()
                    os.fsync(handle.fileno())

        def plain_load() -> None:
            state = torch.load(plain_path, weights_only=True)
            model.load_state_dict(state['state_dict'])
            optimizer.load_state_dict(state['optimizer'])

        for _ in range(repeats):
            times['cadence_save'].append(
                _timed(lambda: runner.save_checkpoint(directory, 'cadence.pth'))
            )
            times['torch_save'].append(_timed(plain_save))
            times['torch_save_fsync'].append(_timed(lambda: plain_save(fsync=True)))
            times['cadence_load'].append(_timed(lambda: runner.resume(cadence_path)))
            times['torch_load'].append(_timed(plain_load))
        sizes = {
            'cadence_file_mb': os.path.getsize(cadence_path) / 2**20,
            'torch_file_mb': os.path.getsize(plain_path) / 2**20,
        }
    result: dict[str, Any] = {name: statistics.median(values) for name, values in times.items()}
    result.update(sizes)
    result['parameters'] = sum(p.numel() for p in model.parameters())
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--repeats', type=int, default=7)
    args = parser.parse_args()
    torch.set_num_threads(1)
    for name, value in measure(args.repeats).items():
        unit = 'ms' if not name.endswith(('_mb', 'parameters')) else ''
        shown = f'{value * 1e3:8.1f} ms' if unit else f'{value:10.1f}'
        print(f'{name:<20} {shown}')


if __name__ == '__main__':
    main()
