"""What multi-process training adds, measured with 2 processes on gloo (CPU) on this machine.

* ``collect_results``: gathering per-sample metric results (one ``pred_score`` tensor of 10 and
  one ``gt_label`` per sample, Accuracy's format) from both ranks, with tensors packed as NumPy
  arrays (what Cadence does) and pickled as tensors (what ``all_gather_object`` does alone,
  as in the reference).
* the stop agreement: one all-reduce of a flag every ``AGREE_EVERY`` iterations, per
  iteration, next to a blocking all-reduce of the same flag.
* one ``all_reduce_params(..., op='mean')`` of a ResNet-50-sized set of BatchNorm buffers
  (SyncBuffersHook's work per epoch).

Each figure is the median of several repeats. Run: ``python bench/dist_costs.py [--json]``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import socket
import statistics
import tempfile
import time

import torch
import torch.distributed as torch_dist
import torch.multiprocessing as mp

SAMPLES_PER_RANK = (180, 5000)
REPEATS = 5


def _median_time(function, repeats: int = REPEATS) -> float:
    times = []
    for _ in range(repeats):
        start = time.perf_counter()
        function()
        times.append(time.perf_counter() - start)
    return statistics.median(times)


def _worker(rank: int, port: int, out: str) -> None:
    os.environ.update(MASTER_ADDR='127.0.0.1', MASTER_PORT=str(port))
    torch.set_num_threads(1)
    torch_dist.init_process_group('gloo', rank=rank, world_size=2)
    from cadence.dist import all_gather_object, all_reduce_params, collect_results
    from cadence.runner.interrupt import AGREE_EVERY, InterruptRequest

    figures: dict[str, float] = {}
    for count in SAMPLES_PER_RANK:
        results = [
            {'pred_score': torch.rand(10), 'gt_label': torch.tensor(i % 10)} for i in range(count)
        ]
        collect_results(results, 2 * count)  # warm up
        figures[f'collect_{count}_packed_ms'] = 1e3 * _median_time(
            lambda results=results, count=count: collect_results(results, 2 * count)
        )
        figures[f'collect_{count}_tensors_ms'] = 1e3 * _median_time(
            lambda results=results: all_gather_object(results)
        )

    request = InterruptRequest(world_size=2)
    iterations = 2000

    def agree() -> None:
        for i in range(1, iterations + 1):
            request.should_stop(i)

    request._agreed_at = -1
    figures['agreement_per_iter_us'] = 1e6 * _median_time(agree) / iterations
    flag = torch.zeros(1, dtype=torch.int64)
    figures['blocking_all_reduce_us'] = (
        1e6 * _median_time(lambda: [torch_dist.all_reduce(flag) for _ in range(200)]) / 200
    )
    figures['agree_every'] = AGREE_EVERY

    # ResNet-50: 53 BatchNorm layers, 26,560 channels in all; 3 buffers each
    widths = [64] * 10 + [128] * 12 + [256] * 18 + [512] * 9 + [1024] * 3 + [2048]
    scale = 26560 / sum(widths)
    buffers = []
    for width in widths:
        channels = max(1, round(width * scale))
        buffers += [torch.rand(channels), torch.rand(channels), torch.tensor(5)]
    figures['sync_buffers_resnet50_ms'] = 1e3 * _median_time(
        lambda: all_reduce_params(buffers, op='mean')
    )
    if rank == 0:
        with open(os.path.join(out, 'figures.json'), 'w', encoding='utf-8') as handle:
            json.dump(figures, handle)
    torch_dist.destroy_process_group()


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--json', action='store_true', help='print the figures as JSON')
    args = parser.parse_args()
    with socket.socket() as sock:
        sock.bind(('127.0.0.1', 0))
        port = sock.getsockname()[1]
    with tempfile.TemporaryDirectory() as out:
        mp.spawn(_worker, args=(port, out), nprocs=2, join=True)
        with open(os.path.join(out, 'figures.json'), encoding='utf-8') as handle:
            figures = json.load(handle)
    figures['machine'] = f'{platform.processor() or platform.machine()}, {os.cpu_count()} CPUs'
    if args.json:
        print(json.dumps(figures, indent=2))
        return
    print(f'2 processes, gloo, {figures["machine"]}')
    for count in SAMPLES_PER_RANK:
        print(
            f'collect_results, {count} samples per rank: '
            f'{figures[f"collect_{count}_packed_ms"]:.1f} ms packed, '
            f'{figures[f"collect_{count}_tensors_ms"]:.1f} ms pickling tensors'
        )
    print(
        f'stop agreement: {figures["agreement_per_iter_us"]:.1f} us per iteration (one '
        f'all-reduce of {figures["blocking_all_reduce_us"]:.0f} us every '
        f'{figures["agree_every"]} iterations)'
    )
    print(f'SyncBuffersHook, ResNet-50 buffers: {figures["sync_buffers_resnet50_ms"]:.2f} ms')


if __name__ == '__main__':
    main()
