"""``check_config`` with several optimizers (an ``OptimWrapperDict`` from a custom constructor):
per-optimizer reports, windows, updates and schedules for an optimizer that does not exist."""

from __future__ import annotations

import math
from pathlib import Path

import torch

from cadence.optim import OptimWrapper, OptimWrapperDict
from cadence.registry import OPTIM_WRAPPER_CONSTRUCTORS
from cadence.runner.check import check_config, render_text

ROOT = Path(__file__).parents[3]
LENGTH = 45  # ceil(1437 / 32)


@OPTIM_WRAPPER_CONSTRUCTORS.register_module()
class BackboneAndHeadForCheck:
    """SGD for the backbone, Adam (accumulating over 2 iterations) for the head."""

    def __init__(self, optim_wrapper_cfg: dict, paramwise_cfg: dict | None = None) -> None:
        self.cfg = optim_wrapper_cfg

    def __call__(self, model):
        return OptimWrapperDict(
            backbone=OptimWrapper(torch.optim.SGD(model.backbone.parameters(), lr=0.1)),
            head=OptimWrapper(
                torch.optim.Adam(model.head.parameters(), lr=1e-3), accumulative_counts=2
            ),
        )


def test_each_optimizer_gets_its_windows_updates_and_report(tmp_path):
    config = tmp_path / 'gan_like.py'
    config.write_text(
        f"_base_ = ['{ROOT / 'configs/seeds/schedules/multistep_epoch.py'}']\n"
        "work_dir = 'unused'\n"
        "optim_wrapper = dict(_delete_=True, constructor='BackboneAndHeadForCheck')\n"
        'param_scheduler = dict(\n'
        '    _delete_=True,\n'
        "    backbone=[dict(type='LinearLR', start_factor=0.1, by_epoch=False, end=10)],\n"
        "    head=dict(type='CosineAnnealingLR', by_epoch=True, T_max=12),\n"
        "    neck=[dict(type='ConstantLR', by_epoch=False)],\n"
        ')\n'
    )
    report = check_config(config)
    assert report.errors == []
    warnings = {f.key_path: f.message for f in report.warnings}
    assert warnings['param_scheduler.neck'].startswith("there is no optimizer 'neck'")
    assert warnings['param_scheduler.backbone.0'] == (
        "lr of optimizer 'backbone' is not scheduled after iteration 9: it stays at its last "
        f'value for the last {12 * LENGTH - 10} of {12 * LENGTH} iterations (98% of training)'
    )
    assert [(w.optimizer, w.key_path, w.end_iter) for w in report.windows] == [
        ('backbone', 'param_scheduler.backbone.0', 10),
        ('head', 'param_scheduler.head', 12 * LENGTH),
    ]
    data = report.data
    assert data.accumulation == {'backbone': 1, 'head': 2}
    assert data.updates == {'backbone': 12 * LENGTH, 'head': math.ceil(12 * LENGTH / 2)}
    assert data.global_batch == {'backbone': 32, 'head': 64}
    assert set(report.param_groups) == {'backbone', 'head'}
    assert report.param_groups['head'].optimizer == 'Adam'
    text = render_text(report)
    assert "optimizer 'head': accumulative_counts 2: 270 optimizer updates" in text
    assert 'head/lr' in text and '[backbone]' in text
