"""Per-iteration cost of ``Runner.train()`` against a hand-written PyTorch loop.

Both sides train the same task (see ``tasks.py``) from the same kind of DataLoader; the clock is
read when the DataLoader collates batch ``warmup`` and the run's last batch, so a side's figure
is (time between the two) / (iterations between them): steady-state iterations only, epoch
boundaries included, construction, the first iterations and the final checkpoint excluded, and
the same clock cost on both sides. The Runner runs with its default hooks, a log line every 50
iterations (written to the log file and to a discarded console) and one checkpoint at the end.

Rounds alternate the two sides; each round gives a figure per side. The overhead is reported
two ways: the median over rounds of the per-round difference (neighbouring runs see the same
machine, so the difference is steadier than either figure), and the fastest Runner round
against the fastest hand-loop round (each side at its least disturbed). On a shared or virtual
machine both move by several microseconds between runs; ``instructions.py`` gives a figure that
does not.

    python bench/overhead.py [--task tiny|medium] [--rounds 9]
"""

from __future__ import annotations

import argparse
import gc
import os
import statistics
import tempfile
from dataclasses import dataclass
from typing import Any

import torch

import tasks
from tasks import CLOCK, Task

#: Steady-state iterations of each side per round, and the iterations skipped before them.
ITERATIONS = {'tiny': 500, 'medium': 60}
WARMUP = {'tiny': 50, 'medium': 5}


@dataclass
class Overhead:
    """Per-iteration seconds of both sides in every round."""

    task: str
    iterations: int
    hand: list[float]
    runner: list[float]

    @property
    def hand_us(self) -> float:
        return statistics.median(self.hand) * 1e6

    @property
    def runner_us(self) -> float:
        return statistics.median(self.runner) * 1e6

    @property
    def added_us(self) -> float:
        """Median over rounds of (Runner - hand loop), per iteration."""
        return statistics.median(r - h for r, h in zip(self.runner, self.hand)) * 1e6

    @property
    def ratio(self) -> float:
        """Median over rounds of Runner / hand loop."""
        return statistics.median(r / h for r, h in zip(self.runner, self.hand))

    @property
    def fastest_added_us(self) -> float:
        """Fastest Runner round minus fastest hand-loop round (each side at its least
        disturbed)."""
        return (min(self.runner) - min(self.hand)) * 1e6

    @property
    def fastest_ratio(self) -> float:
        return min(self.runner) / min(self.hand)

    def as_dict(self) -> dict[str, Any]:
        return {
            'task': self.task,
            'iterations_per_round': self.iterations,
            'rounds': len(self.hand),
            'hand_us': self.hand_us,
            'runner_us': self.runner_us,
            'added_us': self.added_us,
            'ratio': self.ratio,
            'fastest_added_us': self.fastest_added_us,
            'fastest_ratio': self.fastest_ratio,
            'hand_rounds_us': [s * 1e6 for s in self.hand],
            'runner_rounds_us': [s * 1e6 for s in self.runner],
        }


def _epochs_and_marks(task: Task, iterations: int, warmup: int) -> tuple[int, int, int]:
    per_epoch = task.samples // task.batch_size
    epochs = -(-(iterations + warmup + 1) // per_epoch)
    last = epochs * per_epoch - 1
    return epochs, last - iterations, last


def hand_side(task: Task, iterations: int, warmup: int) -> float:
    """Seconds per steady-state iteration of the hand-written loop."""
    epochs, first, last = _epochs_and_marks(task, iterations, warmup)
    torch.manual_seed(0)
    model = tasks.mlp(task.widths)
    loader = tasks.hand_loader(task)
    with tempfile.TemporaryDirectory() as work_dir:
        CLOCK.arm([first, last])
        tasks.hand_written_loop(
            task, model, loader, epochs, checkpoint=os.path.join(work_dir, 'last.pth')
        )
    return CLOCK.seconds_between(first, last) / (last - first)


def runner_side(task: Task, iterations: int, warmup: int) -> float:
    """Seconds per steady-state iteration of ``Runner.train()``."""
    epochs, first, last = _epochs_and_marks(task, iterations, warmup)
    with tasks.quiet_runner(task, epochs) as runner:
        CLOCK.arm([first, last])
        runner.train()
    return CLOCK.seconds_between(first, last) / (last - first)


def measure(task_name: str, rounds: int, iterations: int | None = None) -> Overhead:
    """Alternate the two sides for ``rounds`` rounds (after one warm-up round of each)."""
    task = tasks.TASKS[task_name]
    iterations = iterations or ITERATIONS[task_name]
    warmup = WARMUP[task_name]
    hand_side(task, iterations // 4, warmup)
    runner_side(task, iterations // 4, warmup)
    hand, runner = [], []
    for index in range(rounds):
        gc.collect()
        # alternate which side goes first, so neither always follows the other
        if index % 2:
            runner.append(runner_side(task, iterations, warmup))
            hand.append(hand_side(task, iterations, warmup))
        else:
            hand.append(hand_side(task, iterations, warmup))
            runner.append(runner_side(task, iterations, warmup))
    return Overhead(task_name, iterations, hand, runner)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument('--task', choices=sorted(tasks.TASKS), default='tiny')
    parser.add_argument('--rounds', type=int, default=21)
    parser.add_argument('--iterations', type=int, help='steady-state iterations per round')
    args = parser.parse_args()
    torch.set_num_threads(1)
    result = measure(args.task, args.rounds, args.iterations)
    print(
        f'{args.task}: hand-written loop {result.hand_us:.1f} us/iter, Runner '
        f'{result.runner_us:.1f} us/iter, added {result.added_us:.1f} us '
        f'({result.ratio:.3f}x) over {args.rounds} rounds; fastest rounds: added '
        f'{result.fastest_added_us:.1f} us ({result.fastest_ratio:.3f}x)'
    )


if __name__ == '__main__':
    main()
