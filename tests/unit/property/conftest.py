"""Count the generated cases of the property tests and print the total at the end of the run.

Each test body calls ``cases.count``; a hook around the call moves the number of cases of that test into the
test report's ``user_properties`` (which pytest-xdist carries from its workers), and the terminal summary adds
them up. Run the folder itself (``pytest tests/unit/property``) to see the figure, with or without ``-n``.
"""

from __future__ import annotations

import pytest

from tests.unit.property import cases


@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    before = cases.total()
    yield
    item.user_properties.append((cases.PROPERTY_KEY, cases.total() - before))


def _cases_in(reports):
    return sum(value for report in reports for key, value in getattr(report, 'user_properties', ())
               if key == cases.PROPERTY_KEY)


def pytest_terminal_summary(terminalreporter):
    reports = [report for name in ('passed', 'failed', 'xfailed', 'xpassed')
               for report in terminalreporter.stats.get(name, []) if getattr(report, 'when', 'call') == 'call']
    counted = _cases_in(reports)
    if counted:
        terminalreporter.write_sep('-', 'property tests: %d generated cases ran' % counted)
