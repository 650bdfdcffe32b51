"""CheckpointHook: intervals, max_keep_ckpts, save_best (rule inference), save_last,
save_begin, file names, published copies."""

from __future__ import annotations

import hashlib
import os

import pytest
import torch

from cadence.errors import ConfigError
from cadence.evaluator import BaseMetric
from cadence.hooks import CheckpointHook
from cadence.hooks.checkpoint_hook import infer_rule
from cadence.registry import METRICS
from cadence.runner import Runner, load_checkpoint_file
from support.runs import digits_cfg, iter_cfg, train


@METRICS.register_module(force=True)
class ScriptedMetric(BaseMetric):
    """Returns the next of ``values`` as ``acc`` (and minus it as ``loss``) at each
    evaluation."""

    def __init__(self, values, prefix=None):
        super().__init__(prefix=prefix)
        self.values = list(values)

    def process(self, data_batch, data_samples):
        self.results.append(0)

    def compute_metrics(self, results):
        value = self.values.pop(0)
        return {'acc': value, 'loss': -value}


def _cfg(tmp_path, epochs=4, checkpoint=None, scores=None):
    scores = range(1, epochs + 1) if scores is None else scores
    cfg = digits_cfg(tmp_path, train_cfg={'by_epoch': True, 'max_epochs': epochs})
    cfg['train_dataloader']['dataset']['indices'] = 32
    cfg['val_evaluator'] = {'type': 'ScriptedMetric', 'values': list(scores)}
    cfg['default_hooks']['checkpoint'] = {'type': 'CheckpointHook', **(checkpoint or {})}
    return cfg


def _pth(directory):
    return sorted(n for n in os.listdir(directory) if n.endswith('.pth'))


def test_max_keep_ckpts_keeps_the_newest(tmp_path):
    runner = train(_cfg(tmp_path, 5, {'interval': 1, 'max_keep_ckpts': 2}))
    assert _pth(tmp_path) == ['epoch_4.pth', 'epoch_5.pth']
    assert runner.message_hub.get_info('keep_ckpt_ids') == [4, 5]
    hub = load_checkpoint_file(str(tmp_path / 'epoch_5.pth'))['message_hub']['runtime_info']
    assert hub['keep_ckpt_ids'] == [4, 5]  # the record the checkpoint carries includes itself


def test_resume_trims_surplus_checkpoints(tmp_path):
    train(_cfg(tmp_path, 3, {'interval': 1, 'max_keep_ckpts': 3}))
    assert _pth(tmp_path) == ['epoch_1.pth', 'epoch_2.pth', 'epoch_3.pth']
    cfg = _cfg(tmp_path, 4, {'interval': 1, 'max_keep_ckpts': 1})
    train(dict(cfg, resume=True))
    assert _pth(tmp_path) == ['epoch_4.pth']


def test_interval_save_begin_and_save_last(tmp_path):
    train(_cfg(tmp_path / 'a', 7, {'interval': 2, 'save_begin': 3}))
    assert _pth(tmp_path / 'a') == ['epoch_3.pth', 'epoch_5.pth', 'epoch_7.pth']
    train(_cfg(tmp_path / 'b', 4, {'interval': 3, 'save_last': False}))
    assert _pth(tmp_path / 'b') == ['epoch_3.pth']
    train(_cfg(tmp_path / 'c', 3, {}))  # interval -1: only the last one
    assert _pth(tmp_path / 'c') == ['epoch_3.pth']


def test_iteration_checkpoints_and_filename_template(tmp_path):
    cfg = iter_cfg(tmp_path)
    cfg['default_hooks']['checkpoint'] = {
        'type': 'CheckpointHook',
        'interval': 8,
        'by_epoch': False,
        'filename_tmpl': 'step{}.pth',
    }
    train(cfg)
    assert _pth(tmp_path) == ['step16.pth', 'step20.pth', 'step8.pth']
    meta = load_checkpoint_file(str(tmp_path / 'step8.pth'))['meta']
    assert (meta['epoch'], meta['iter']) == (0, 8)


@pytest.mark.parametrize(
    ('save_best', 'rule', 'scores', 'kept', 'best'),
    [
        ('acc', None, (1, 3, 2, 4), 'best_acc_epoch_4.pth', 4),
        ('acc', 'less', (1, 3, 2, 4), 'best_acc_epoch_1.pth', 1),  # an explicit rule wins
        ('loss', None, (1, 3, 2, 0), 'best_loss_epoch_2.pth', -3),  # loss = -score: lower wins
        ('auto', None, (5, 3, 6, 4), 'best_acc_epoch_3.pth', 6),  # the first metric, 'acc'
    ],
)
def test_save_best_keeps_one_file_for_the_best_score(tmp_path, save_best, rule, scores, kept, best):
    cfg = _cfg(tmp_path, 4, {'interval': 1, 'save_best': save_best, 'rule': rule}, scores)
    runner = train(cfg)
    assert [n for n in _pth(tmp_path) if n.startswith('best_')] == [kept]
    checkpoint = load_checkpoint_file(str(tmp_path / kept))
    assert 'optimizer' not in checkpoint and 'param_schedulers' not in checkpoint
    assert runner.message_hub.get_info('best_score') == best
    assert runner.message_hub.get_info('best_ckpt') == str(tmp_path / kept)


def test_best_score_survives_resume(tmp_path):
    cfg = _cfg(tmp_path, 2, {'interval': 1, 'save_best': 'acc'}, (5, 3))
    train(cfg)
    # the regular epoch_2 checkpoint was written again after validation with the best record
    hub = load_checkpoint_file(str(tmp_path / 'epoch_1.pth'))['message_hub']['runtime_info']
    assert hub['best_score'] == 5
    cfg = _cfg(tmp_path, 3, {'interval': 1, 'save_best': 'acc'}, (4,))
    train(dict(cfg, resume=True))  # 4 is worse than the 5 recorded before: no new best
    assert [n for n in _pth(tmp_path) if n.startswith('best_')] == ['best_acc_epoch_1.pth']


@pytest.mark.parametrize('save_best', ['acc', 'auto'])
def test_a_tie_after_resuming_is_not_a_new_best(tmp_path, save_best):
    # Bug fixed: with save_best='auto' the record restored on resume was kept under 'auto' and
    # never compared, so the first validation after resuming always wrote a new best file.
    train(_cfg(tmp_path, 2, {'interval': 1, 'save_best': save_best}, (5, 3)))
    cfg = _cfg(tmp_path, 3, {'interval': 1, 'save_best': save_best}, (5,))
    runner = train(dict(cfg, resume=True))
    assert [n for n in _pth(tmp_path) if n.startswith('best_')] == ['best_acc_epoch_1.pth']
    assert runner.message_hub.get_info('best_ckpt') == str(tmp_path / 'best_acc_epoch_1.pth')


def test_several_best_metrics(tmp_path):
    cfg = _cfg(
        tmp_path, 3, {'save_best': ['acc', 'loss'], 'rule': ['greater', 'greater']}, (1, 3, 2)
    )
    runner = train(cfg)
    assert runner.message_hub.get_info('best_score_acc') == 3
    assert runner.message_hub.get_info('best_score_loss') == -1
    assert sorted(n for n in _pth(tmp_path) if n.startswith('best_')) == [
        'best_acc_epoch_2.pth',
        'best_loss_epoch_1.pth',
    ]


def test_rule_inference():
    greater, less = ('acc', 'top', 'AR@', 'auc', 'precision', 'mAP'), ('loss',)
    assert infer_rule('accuracy/top1', greater, less) == 'greater'
    assert infer_rule('mAP', greater, less) == 'greater'
    assert infer_rule('val_loss', greater, less) == 'less'
    assert infer_rule('LOSS', greater, less) == 'less'
    with pytest.raises(ConfigError, match="set rule='greater' or rule='less'"):
        infer_rule('f1', greater, less)
    with pytest.raises(ConfigError, match='set rule'):
        CheckpointHook(save_best='f1')


def test_unknown_best_metric_is_named(tmp_path):
    cfg = _cfg(tmp_path, 1, {'save_best': 'accc', 'rule': 'greater'})
    with pytest.raises(ConfigError, match=r"save_best: 'accc' is not a metric.*Did you mean 'acc'"):
        train(cfg)


@pytest.mark.parametrize(
    ('kwargs', 'message'),
    [
        ({'interval': 0}, 'interval must be'),
        ({'max_keep_ckpts': 0}, 'max_keep_ckpts must be'),
        ({'save_begin': -1}, 'save_begin'),
        ({'filename_tmpl': 'ckpt.pth'}, 'filename_tmpl'),
        ({'save_best': ['auto', 'acc']}, "'auto' cannot be combined"),
        ({'save_best': 'acc', 'rule': 'bigger'}, "rule must be 'greater' or 'less'"),
        ({'save_best': ['a', 'b', 'c'], 'rule': ['less', 'less']}, 'one per save_best'),
    ],
)
def test_argument_errors(kwargs, message):
    with pytest.raises(ConfigError, match=message):
        CheckpointHook(**kwargs)


def test_published_keys_copy_with_hash(tmp_path):
    cfg = _cfg(tmp_path, 2, {'interval': 1, 'published_keys': ['meta', 'state_dict']})
    train(cfg)
    published = [n for n in _pth(tmp_path) if n.startswith('epoch_2-')]
    assert len(published) == 1
    data = (tmp_path / published[0]).read_bytes()
    assert published[0] == f'epoch_2-{hashlib.sha256(data).hexdigest()[:8]}.pth'
    assert set(torch.load(tmp_path / published[0], weights_only=True)) == {'meta', 'state_dict'}
    with pytest.raises(ConfigError, match=r"published_keys \['ema'\] are not in"):
        CheckpointHook.publish(str(tmp_path / 'epoch_1.pth'), ['ema'])


def test_out_dir(tmp_path):
    cfg = _cfg(tmp_path / 'work', 1, {'out_dir': str(tmp_path / 'elsewhere')})
    runner = Runner.from_cfg(cfg)
    runner.train()
    assert _pth(tmp_path / 'elsewhere' / 'work') == ['epoch_1.pth']
    pointer = (tmp_path / 'work' / 'last_checkpoint').read_text()
    assert pointer == str(tmp_path / 'elsewhere' / 'work' / 'epoch_1.pth')
