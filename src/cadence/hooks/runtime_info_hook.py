"""``RuntimeInfoHook``: publishes the run's state (epoch, iter, lr, losses, metrics) to the
message hub, where the logger and other hooks read it."""

from __future__ import annotations

from typing import Any

from ..registry import HOOKS
from ..version import __version__
from .hook import Hook


def _is_scalar(value: Any) -> bool:
    if isinstance(value, (int, float)) and not isinstance(value, bool):
        return True
    return hasattr(value, 'numel') and value.numel() == 1


@HOOKS.register_module()
class RuntimeInfoHook(Hook):
    """Keeps the message hub current.

    ``train/lr`` (and ``train/base_lr`` when the optimizer wrapper reports one) are recorded
    *before* each iteration, so the logged value is the one used by that iteration; every value
    the model's ``train_step`` returns is recorded after it as ``train/<name>`` (tensors stay
    on the device until the logger reads them).
    """

    priority = 'VERY_HIGH'

    def __init__(self) -> None:
        self._train_keys: dict[str, str] = {}

    def _key(self, name: str) -> str:
        key = self._train_keys.get(name)
        if key is None:
            key = self._train_keys[name] = f'train/{name}'
        return key

    def before_run(self, runner) -> None:
        runner.message_hub.update_info_dict(
            {
                'cfg': runner.cfg.pretty_text if runner.cfg else '',
                'seed': runner.seed,
                'experiment_name': runner.experiment_name,
                'cadence_version': __version__,
            }
        )

    def before_train(self, runner) -> None:
        hub = runner.message_hub
        hub.update_info_dict(
            {
                'loop_stage': 'train',
                'epoch': runner.epoch,
                'iter': runner.iter,
                'max_epochs': runner.max_epochs,
                'max_iters': runner.max_iters,
            }
        )
        meta = getattr(runner.train_dataloader.dataset, 'metainfo', None)
        if meta is not None:
            hub.update_info('dataset_meta', meta)

    def after_train(self, runner) -> None:
        runner.message_hub.pop_info('loop_stage')

    def before_train_epoch(self, runner) -> None:
        runner.message_hub.update_info('epoch', runner.epoch)

    def before_train_iter(self, runner, batch_idx: int, data_batch: Any = None) -> None:
        hub = runner.message_hub
        hub.update_info('iter', runner.iter)
        for name, values in runner.optim_wrapper.get_lr().items():
            hub.update_scalar(self._key(name), values[0])

    def after_train_iter(
        self, runner, batch_idx: int, data_batch: Any = None, outputs: Any = None
    ) -> None:
        if outputs:
            hub = runner.message_hub
            for name, value in outputs.items():
                hub.update_scalar(self._key(name), value)

    def before_val(self, runner) -> None:
        runner.message_hub.update_info('loop_stage', 'val')

    def after_val(self, runner) -> None:
        self._restore_stage(runner)

    def before_test(self, runner) -> None:
        runner.message_hub.update_info('loop_stage', 'test')

    def after_test(self, runner) -> None:
        self._restore_stage(runner)

    @staticmethod
    def _restore_stage(runner) -> None:
        if runner.training:
            runner.message_hub.update_info('loop_stage', 'train')
        else:
            runner.message_hub.pop_info('loop_stage')

    def after_val_epoch(self, runner, metrics: dict | None = None) -> None:
        self._record_metrics(runner, 'val', metrics)

    def after_test_epoch(self, runner, metrics: dict | None = None) -> None:
        self._record_metrics(runner, 'test', metrics)

    @staticmethod
    def _record_metrics(runner, mode: str, metrics: dict | None) -> None:
        for name, value in (metrics or {}).items():
            if _is_scalar(value):
                runner.message_hub.update_scalar(f'{mode}/{name}', value)
            else:
                runner.message_hub.update_info(f'{mode}/{name}', value)
