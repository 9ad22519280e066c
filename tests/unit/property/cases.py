"""A count of the generated cases every property test ran, for the figure the property suite prints."""

from __future__ import annotations

from collections import Counter

PROPERTY_KEY = 'hypothesis_cases'
"""The ``user_properties`` key under which each test's count travels in its report (also across xdist)."""

ran = Counter()
"""Cases run so far in this process, by test: the bodies call :func:`count`."""


def count(name):
    """Count one generated case of the property ``name``."""
    ran[name] += 1


def total():
    """Cases run so far in this process, all properties together."""
    return sum(ran.values())


def budget(max_examples):
    """Hypothesis settings of the property suite: ``max_examples`` cases, the same ones on every run."""
    from hypothesis import HealthCheck, settings
    return settings(max_examples=max_examples, derandomize=True, database=None, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large,
                                           HealthCheck.filter_too_much])
