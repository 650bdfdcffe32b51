"""Training, validation and test loops (registered in ``LOOPS``).

Train loops keep an exact *data position* — the pass over the data (epoch) and the number of
batches already taken from it — so a checkpoint saved at any iteration resumes with the very
next batch: samplers skip the indices already trained on without loading them.
"""

from __future__ import annotations

import bisect
from collections.abc import Callable, Iterator, Sequence
from typing import Any

import torch
from torch.utils.data import BatchSampler, DataLoader

from ..dataset import index_sampler, start_epoch
from ..errors import ConfigError
from ..evaluator import build_evaluator
from ..logging import get_logger
from ..registry import LOOPS


class BaseLoop:
    """A loop over ``dataloader`` driven by ``runner``."""

    def __init__(self, runner, dataloader: DataLoader) -> None:
        self._runner = runner
        self.dataloader = dataloader

    @property
    def runner(self):
        return self._runner

    def run(self) -> Any:
        raise NotImplementedError


def _positive_int(value: Any, name: str) -> int:
    if isinstance(value, bool) or not isinstance(value, (int, float)) or value != int(value):
        raise ConfigError(f'{name} must be a whole number, got {value!r}')
    if value < 1:
        raise ConfigError(f'{name} must be at least 1, got {value!r}')
    return int(value)


def dynamic_schedule(
    val_interval: int, dynamic_intervals: Sequence[tuple[int, int]] | None
) -> tuple[list[int], list[int]]:
    """``(milestones, intervals)``: from ``milestones[i]`` completed epochs (or iterations)
    on, validate every ``intervals[i]``."""
    milestones, intervals = [0], [val_interval]
    for index, item in enumerate(dynamic_intervals or []):
        if not isinstance(item, (list, tuple)) or len(item) != 2:
            raise ConfigError(
                f'dynamic_intervals[{index}] must be a (milestone, interval) pair, got {item!r}'
            )
        milestone, interval = item
        _positive_int(interval, f'dynamic_intervals[{index}] interval')
        if milestone <= milestones[-1]:
            raise ConfigError(
                f'dynamic_intervals milestones must increase, got {milestone} after '
                f'{milestones[-1]}'
            )
        milestones.append(int(milestone))
        intervals.append(int(interval))
    return milestones, intervals


def _skip_batches(dataloader: DataLoader, batches: int, batch_size: int) -> Iterator[Any]:
    """An iterator over ``dataloader`` that starts after ``batches`` batches.

    Resumable samplers skip by index (nothing is loaded); otherwise the batches are loaded and
    dropped, with a warning.
    """
    if batches <= 0:
        return iter(dataloader)
    sampler = index_sampler(dataloader)
    if type(dataloader.batch_sampler) is BatchSampler and hasattr(sampler, 'skip_samples'):
        sampler.skip_samples(batches * batch_size)
        return iter(dataloader)
    get_logger().warning(
        f'{type(sampler).__name__} cannot skip samples by index: loading and dropping '
        f'{batches} batches to reach the resumed position'
    )
    iterator = iter(dataloader)
    for _ in range(batches):
        next(iterator)
    return iterator


class _TrainLoop(BaseLoop):
    """What both train loops share: counters, validation schedule, position, interruption."""

    def __init__(
        self,
        runner,
        dataloader: DataLoader,
        val_begin: int,
        val_interval: int,
        dynamic_intervals: Sequence[tuple[int, int]] | None,
    ) -> None:
        super().__init__(runner, dataloader)
        self.val_begin = val_begin
        self.val_interval = _positive_int(val_interval, 'val_interval')
        self.dynamic_milestones, self.dynamic_intervals = dynamic_schedule(
            self.val_interval, dynamic_intervals
        )
        self._epoch = 0
        self._iter = 0
        self._pass = 0  # passes over the data started (the epoch of the sampler)
        self._batches = 0  # batches taken from the current pass
        self._iter_done = False  # inside after_train_iter: the step has been applied
        self._epoch_done = False  # inside after_train_epoch
        self.stop_training = False
        self._after_validation: list[Callable[[], None]] = []
        batch_sampler = dataloader.batch_sampler
        self.batch_size = getattr(batch_sampler, 'batch_size', None) or dataloader.batch_size or 1

    @property
    def epoch(self) -> int:
        return self._epoch

    @property
    def iter(self) -> int:
        return self._iter

    @property
    def max_epochs(self) -> int:
        return self._max_epochs

    @property
    def completed_iters(self) -> int:
        """Iterations whose step has been applied (the current one included once it has)."""
        return self._iter + 1 if self._iter_done else self._iter

    @property
    def max_iters(self) -> int:
        return self._max_iters

    def _current_interval(self, done: int) -> int:
        """The interval in force after ``done`` completed epochs or iterations."""
        return self.dynamic_intervals[bisect.bisect_right(self.dynamic_milestones, done) - 1]

    def _validation_due(self, done: int, last: int) -> bool:
        if self.runner.val_loop is None or done < self.val_begin:
            return False
        return done % self._current_interval(done) == 0 or done == last

    # -- validation ----------------------------------------------------------------------------

    def validation_follows(self) -> bool:
        """Whether a validation runs as soon as the training step now finishing is done.

        Meaningful inside ``after_train_epoch`` (epoch-based) or ``after_train_iter``
        (iteration-based); work that should see the validation's results (a checkpoint that
        must include the best score, a plateau scheduler's or early stopping's state) can wait
        for it with :meth:`after_validation`.
        """
        return False

    def after_validation(self, callback: Callable[[], None]) -> None:
        """Run ``callback`` once the coming validation and all its hooks are done.

        If the validation fails, the callback still runs before the error propagates, so a
        deferred checkpoint is never lost.
        """
        self._after_validation.append(callback)

    def _flush_after_validation(self) -> None:
        callbacks, self._after_validation = self._after_validation, []
        for callback in callbacks:
            callback()

    def _validate(self) -> None:
        try:
            self.runner.val_loop.run()
        finally:
            self._flush_after_validation()

    def run_iter(self, batch_idx: int, data_batch: Any) -> None:
        runner = self._runner
        runner.call_hook('before_train_iter', batch_idx=batch_idx, data_batch=data_batch)
        outputs = runner.model.train_step(data_batch, optim_wrapper=runner.optim_wrapper)
        self._iter_done = True
        runner.call_hook(
            'after_train_iter', batch_idx=batch_idx, data_batch=data_batch, outputs=outputs
        )
        self._iter_done = False
        self._iter += 1

    # -- position ----------------------------------------------------------------------------

    def state_dict(self) -> dict[str, Any]:
        """Counters and data position as of the last completed step (plain data)."""
        epoch, iteration, data_pass, batches = self._epoch, self._iter, self._pass, self._batches
        if self._iter_done:
            iteration += 1
        if self._epoch_done:
            epoch, data_pass, batches = epoch + 1, data_pass + 1, 0
        sampler = index_sampler(self.dataloader)
        sampler_state = sampler.state_dict() if hasattr(sampler, 'state_dict') else None
        return {
            'epoch': epoch,
            'iter': iteration,
            'pass': data_pass,
            'batches': batches,
            'batch_size': self.batch_size,
            'sampler': sampler_state,
        }

    def load_state_dict(self, state: dict[str, Any]) -> None:
        self._epoch = int(state['epoch'])
        self._iter = int(state['iter'])
        self._pass = int(state['pass'])
        batches = int(state['batches'])
        if state.get('batch_size') not in (None, self.batch_size) and batches:
            samples = batches * int(state['batch_size'])
            get_logger().warning(
                f'the checkpoint was saved with batch size {state["batch_size"]}, this run uses '
                f'{self.batch_size}: resuming after {samples} samples of the epoch, '
                f'rounded down to whole batches'
            )
            batches = samples // self.batch_size
        self._batches = batches
        sampler = index_sampler(self.dataloader)
        if state.get('sampler') is not None and hasattr(sampler, 'load_state_dict'):
            sampler.load_state_dict(state['sampler'])

    def _check_interrupt(self) -> None:
        if self._runner.interrupt.should_stop(self._iter):
            self.runner.stop_on_interrupt()


@LOOPS.register_module()
class EpochBasedTrainLoop(_TrainLoop):
    """Train for ``max_epochs`` passes over the data, validating between epochs.

    Args:
        runner: The Runner.
        dataloader: The training dataloader.
        max_epochs: Number of epochs.
        val_begin: First epoch (count of completed epochs) after which to validate.
        val_interval: Validate every this many epochs (and after the last one).
        dynamic_intervals: ``[(milestone, interval), ...]``: from ``milestone`` completed
            epochs on, validate every ``interval`` epochs.
    """

    def __init__(
        self,
        runner,
        dataloader: DataLoader,
        max_epochs: int,
        val_begin: int = 1,
        val_interval: int = 1,
        dynamic_intervals: Sequence[tuple[int, int]] | None = None,
    ) -> None:
        super().__init__(runner, dataloader, val_begin, val_interval, dynamic_intervals)
        from ..dataset import InfiniteSampler

        if isinstance(index_sampler(dataloader), InfiniteSampler):
            raise ConfigError(
                'InfiniteSampler never ends an epoch; use DefaultSampler with an epoch-based '
                'loop, or train_cfg=dict(by_epoch=False, max_iters=...) with InfiniteSampler'
            )
        self._max_epochs = _positive_int(max_epochs, 'max_epochs')
        self._max_iters = self._max_epochs * len(dataloader)

    def run(self) -> Any:
        runner = self.runner
        runner.call_hook('before_train')
        while self._epoch < self._max_epochs and not self.stop_training:
            try:
                self.run_epoch()
            except BaseException:
                self._flush_after_validation()  # nothing deferred is lost if the epoch fails
                raise
            if self._validation_due(self._epoch, self._max_epochs):
                self._validate()
            self._check_interrupt()
        runner.check_losses()
        runner.call_hook('after_train')
        return runner.model

    def run_epoch(self) -> None:
        runner = self.runner
        runner.call_hook('before_train_epoch')
        runner.model.train()
        self._pass = self._epoch
        start_epoch(self.dataloader, self._epoch)
        resumed = self._batches
        iterator = _skip_batches(self.dataloader, resumed, self.batch_size)
        for batch_idx, data_batch in enumerate(iterator, start=resumed):
            self._batches += 1
            self.run_iter(batch_idx, data_batch)
            self._check_interrupt()
        self._epoch_done = True
        runner.call_hook('after_train_epoch')
        self._epoch_done = False
        self._epoch += 1
        self._pass = self._epoch
        self._batches = 0

    def validation_follows(self) -> bool:
        return self._epoch_done and self._validation_due(self._epoch + 1, self._max_epochs)


@LOOPS.register_module()
class IterBasedTrainLoop(_TrainLoop):
    """Train for ``max_iters`` iterations, restarting the dataloader when it runs out (without
    sleeping), validating every ``val_interval`` iterations.

    Args:
        runner: The Runner.
        dataloader: The training dataloader.
        max_iters: Number of iterations.
        val_begin: First iteration (count of completed iterations) after which to validate.
        val_interval: Validate every this many iterations (and after the last one).
        dynamic_intervals: ``[(milestone, interval), ...]`` in iterations.
    """

    def __init__(
        self,
        runner,
        dataloader: DataLoader,
        max_iters: int,
        val_begin: int = 1,
        val_interval: int = 1000,
        dynamic_intervals: Sequence[tuple[int, int]] | None = None,
    ) -> None:
        super().__init__(runner, dataloader, val_begin, val_interval, dynamic_intervals)
        self._max_iters = _positive_int(max_iters, 'max_iters')
        self._max_epochs = 1
        self._iterator: Iterator[Any] | None = None

    def validation_follows(self) -> bool:
        return self._iter_done and self._validation_due(self._iter + 1, self._max_iters)

    def _next_batch(self) -> Any:
        if self._iterator is None:
            self._start_pass(skip=self._batches)
        try:
            batch = next(self._iterator)
        except StopIteration:
            self._pass += 1
            self._start_pass(skip=0)
            try:
                batch = next(self._iterator)
            except StopIteration:
                raise ConfigError('the training dataloader yields no batches') from None
        self._batches += 1
        return batch

    def _start_pass(self, skip: int) -> None:
        sampler = index_sampler(self.dataloader)
        if hasattr(sampler, 'set_epoch'):
            sampler.set_epoch(self._pass)
        start_epoch(self.dataloader, self._pass)
        self._batches = skip
        self._iterator = _skip_batches(self.dataloader, skip, self.batch_size)

    def run(self) -> Any:
        runner = self.runner
        runner.call_hook('before_train')
        runner.call_hook('before_train_epoch')
        runner.model.train()
        while self._iter < self._max_iters and not self.stop_training:
            data_batch = self._next_batch()
            try:
                self.run_iter(self._iter, data_batch)
            except BaseException:
                self._flush_after_validation()  # nothing deferred is lost if the step fails
                raise
            if self._validation_due(self._iter, self._max_iters):
                self._validate()
                runner.model.train()
            self._check_interrupt()
        self._epoch_done = True
        runner.call_hook('after_train_epoch')
        self._epoch_done = False
        runner.check_losses()
        runner.call_hook('after_train')
        return runner.model


class _EvalLoop(BaseLoop):
    """Validation and test: predictions under ``no_grad``, fed to an evaluator."""

    mode = 'val'

    def __init__(self, runner, dataloader: DataLoader, evaluator: Any, fp16: bool = False):
        super().__init__(runner, dataloader)
        self.evaluator = build_evaluator(evaluator, f'{self.mode}_evaluator')
        self.evaluator.dataset_meta = getattr(dataloader.dataset, 'metainfo', None)
        self.fp16 = fp16
        self._autocast_device = 'cuda' if torch.cuda.is_available() else 'cpu'

    def run(self) -> dict[str, Any]:
        runner, mode = self.runner, self.mode
        runner.call_hook(f'before_{mode}')
        runner.call_hook(f'before_{mode}_epoch')
        runner.model.eval()
        for batch_idx, data_batch in enumerate(self.dataloader):
            self.run_iter(batch_idx, data_batch)
        metrics = self.evaluator.evaluate(len(self.dataloader.dataset))
        runner.call_hook(f'after_{mode}_epoch', metrics=metrics)
        runner.call_hook(f'after_{mode}')
        return metrics

    @torch.no_grad()
    def run_iter(self, batch_idx: int, data_batch: Any) -> None:
        runner, mode = self.runner, self.mode
        runner.call_hook(f'before_{mode}_iter', batch_idx=batch_idx, data_batch=data_batch)
        with torch.autocast(self._autocast_device, enabled=self.fp16):
            outputs = getattr(runner.model, f'{mode}_step')(data_batch)
        self.evaluator.process(data_samples=outputs, data_batch=data_batch)
        runner.call_hook(
            f'after_{mode}_iter', batch_idx=batch_idx, data_batch=data_batch, outputs=outputs
        )


@LOOPS.register_module()
class ValLoop(_EvalLoop):
    """One pass over the validation data.

    Args:
        runner: The Runner.
        dataloader: The validation dataloader.
        evaluator: The evaluator or metric config(s).
        fp16: Run the model under autocast (float16 on CUDA, bfloat16 on CPU).
    """

    mode = 'val'


@LOOPS.register_module()
class TestLoop(_EvalLoop):
    """One pass over the test data (arguments as :class:`ValLoop`)."""

    mode = 'test'
