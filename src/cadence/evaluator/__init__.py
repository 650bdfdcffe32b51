"""Evaluators and metrics (``val_evaluator`` / ``test_evaluator`` in configs)."""

from .accuracy import Accuracy
from .evaluator import Evaluator, build_evaluator
from .metric import BaseMetric

__all__ = ['Accuracy', 'BaseMetric', 'Evaluator', 'build_evaluator']
