"""The seeds' custom-hook snippets as runnable configs (custom_imports + custom_hooks)."""

from __future__ import annotations

from cadence.config import Config
from cadence.hooks import Hook
from cadence.model import get_model
from cadence.runner import Runner

SHORT = {'log_level': 'WARNING', 'default_hooks.checkpoint': None}


def _config(name, tmp_path, **options):
    cfg = Config.fromfile(f'configs/seeds/hooks/{name}.py')
    cfg.merge_from_dict({'work_dir': str(tmp_path), **SHORT, **options})
    return cfg


class LambdaRecorder(Hook):
    priority = 'LOWEST'

    def __init__(self):
        self.seen = []

    def before_train_iter(self, runner, batch_idx, data_batch=None):
        self.seen.append((runner.iter, get_model(runner.model).loss_lambda))


def test_densecl_hook_warms_up_the_dense_loss(tmp_path):
    cfg = _config(
        'densecl_loss_lambda_warmup',
        tmp_path,
        **{
            'custom_hooks.0.start_iters': 5,
            'train_cfg.max_epochs': 1,
            'train_dataloader.dataset.indices': 256,
        },
    )
    runner = Runner.from_cfg(cfg)
    assert '(NORMAL      ) DenseCLHook' in runner.hook_order()
    recorder = LambdaRecorder()
    runner.register_hook(recorder)
    runner.train()
    assert recorder.seen == [(i, 0.0 if i < 5 else 0.5) for i in range(8)]
    scalars = runner.message_hub.log_scalars
    assert {'train/loss_single', 'train/loss_dense', 'train/loss'} <= set(scalars)


def test_custom_hook_with_arguments_and_priority(tmp_path):
    cfg = _config(
        'custom_hook_with_priority',
        tmp_path,
        **{
            'custom_hooks.0.threshold': 50.0,
            'train_dataloader.dataset.indices': 256,
        },
    )
    runner = Runner.from_cfg(cfg)
    hook = next(h for h in runner.hooks if type(h).__name__ == 'StopAtMetricHook')
    assert hook.priority == 'NORMAL' and hook.threshold == 50.0
    runner.train()
    assert runner.epoch < 50  # stopped once 50% was reached
