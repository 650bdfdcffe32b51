"""Priorities: names in any case, ints 0-100, enum members; bools are not priorities."""

from __future__ import annotations

import pytest

from cadence.errors import ConfigError
from cadence.hooks import Priority, get_priority
from cadence.hooks.priority import priority_label


def test_table_of_the_seeds():
    assert {p.name: p.value for p in Priority} == {
        'HIGHEST': 0,
        'VERY_HIGH': 10,
        'HIGH': 30,
        'ABOVE_NORMAL': 40,
        'NORMAL': 50,
        'BELOW_NORMAL': 60,
        'LOW': 70,
        'VERY_LOW': 90,
        'LOWEST': 100,
    }


@pytest.mark.parametrize(
    ('given', 'value'),
    [
        ('high', 30),
        ('Very_Low', 90),
        ('NORMAL', 50),
        (45, 45),
        (0, 0),
        (100, 100),
        (Priority.LOW, 70),
    ],
)
def test_accepted_forms(given, value):
    assert get_priority(given) == value


@pytest.mark.parametrize(
    ('given', 'message'),
    [
        (True, 'bool'),
        (False, 'bool'),
        (101, 'between 0 and 100'),
        (-1, 'between 0 and 100'),
        ('hihg', "Did you mean 'HIGH'"),
        (1.5, 'got float'),
    ],
)
def test_rejected_forms(given, message):
    with pytest.raises(ConfigError, match=message):
        get_priority(given, 'custom_hooks.0.priority')


def test_labels_for_the_order_table():
    assert priority_label(70) == 'LOW'
    assert priority_label(45) == '45'
    assert priority_label('normal') == 'normal'
    assert priority_label(Priority.HIGH) == 'HIGH'
