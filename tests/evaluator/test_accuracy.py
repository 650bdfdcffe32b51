"""Top-k accuracy and the Evaluator."""

from __future__ import annotations

import pytest
import torch

from cadence.errors import ConfigError
from cadence.evaluator import Accuracy, Evaluator, build_evaluator


def _samples(scores, labels):
    return [
        {
            'pred_score': torch.tensor(s),
            'pred_label': torch.tensor(s).argmax(),
            'gt_label': torch.tensor(g),
        }
        for s, g in zip(scores, labels)
    ]


SCORES = [[0.7, 0.2, 0.1], [0.3, 0.6, 0.1], [0.5, 0.1, 0.4], [0.2, 0.3, 0.5]]
LABELS = [0, 0, 2, 1]  # top-1 hits: 1 of 4 ... sample 0 only; top-2 hits: 0, 1, 2, 3


def test_topk_in_percent():
    metric = Accuracy(topk=(1, 2))
    metric.process(None, _samples(SCORES[:2], LABELS[:2]))
    metric.process(None, _samples(SCORES[2:], LABELS[2:]))
    assert metric.evaluate(4) == {'accuracy/top1': 25.0, 'accuracy/top2': 100.0}
    assert metric.results == []


def test_thresholds_and_prefix():
    metric = Accuracy(topk=1, thrs=(None, 0.6), prefix='acc')
    metric.process(None, _samples(SCORES, [0, 1, 0, 2]))
    # all four top-1 correct; scores above 0.6: only sample 0 (0.7)
    assert metric.evaluate(4) == {'acc/top1_no-thr': 100.0, 'acc/top1_thr-0.60': 25.0}


def test_padding_is_dropped():
    metric = Accuracy()
    metric.process(None, _samples([*SCORES, SCORES[0]], [*LABELS, 1]))
    assert metric.evaluate(4) == {'accuracy/top1': 25.0}


def test_errors():
    with pytest.raises(ConfigError, match='topk'):
        Accuracy(topk=0)
    with pytest.raises(TypeError, match='pred_score'):
        Accuracy().process(None, [{'label': 1}])
    metric = Accuracy(topk=5)
    metric.process(None, _samples(SCORES, LABELS))
    with pytest.raises(ConfigError, match='more classes'):
        metric.evaluate(4)


def test_build_evaluator_forms_and_duplicate_names():
    assert len(build_evaluator({'type': 'Accuracy'}, 'val_evaluator').metrics) == 1
    evaluator = build_evaluator(
        [{'type': 'Accuracy'}, {'type': 'Accuracy', 'prefix': 'b'}], 'val_evaluator'
    )
    evaluator.process(_samples(SCORES, LABELS))
    assert evaluator.evaluate(4) == {'accuracy/top1': 25.0, 'b/top1': 25.0}
    clash = Evaluator([Accuracy(), Accuracy()])
    clash.process(_samples(SCORES, LABELS))
    with pytest.raises(ConfigError, match='both produce'):
        clash.evaluate(4)
    with pytest.raises(ConfigError, match=r'val_evaluator\.1.*Accuracyy'):
        build_evaluator([{'type': 'Accuracy'}, {'type': 'Accuracyy'}], 'val_evaluator')
