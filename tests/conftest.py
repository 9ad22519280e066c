"""Make the collection importable as ``ansible_collections.winrds.sessions`` for every test.

When the checkout does not already sit at ``.../ansible_collections/winrds/sessions``, a link to it is made in
``.build/collections`` (ignored by git) and that folder is put first on ``sys.path``.
"""

from __future__ import annotations

import os
import sys
from pathlib import Path

import pytest

REPO = Path(__file__).resolve().parents[1]


def _collection_root():
    if REPO.parent.name == 'winrds' and REPO.parent.parent.name == 'ansible_collections' and REPO.name == 'sessions':
        return REPO.parent.parent.parent
    root = REPO / '.build' / 'collections'
    link = root / 'ansible_collections' / 'winrds' / 'sessions'
    if not link.exists():
        link.parent.mkdir(parents=True, exist_ok=True)
        try:
            link.symlink_to(REPO, target_is_directory=True)
        except FileExistsError:
            pass
    return root


COLLECTIONS_ROOT = _collection_root()
if str(COLLECTIONS_ROOT) not in sys.path:
    sys.path.insert(0, str(COLLECTIONS_ROOT))
os.environ.setdefault('ANSIBLE_COLLECTIONS_PATH', str(COLLECTIONS_ROOT))


def pytest_configure(config):
    """The markers of the end-to-end suite (what they do: tests/e2e/conftest.py), known to every run that may
    import its modules."""
    config.addinivalue_line('markers', 'winrm_only(why): run over winrm only; psrp cannot change what the test checks')
    config.addinivalue_line('markers', 'psrp_one_language_per_code_pages: over psrp, one language per pair of code '
                                       'pages of the language hosts')


# The property tests (tests/unit/property) count their generated cases; the total is printed at the end of any
# run that includes them. The hooks live here, in the conftest every run loads, because pytest does not call a
# sub-folder conftest's terminal summary when a parent folder is run.
@pytest.hookimpl(hookwrapper=True)
def pytest_runtest_call(item):
    from tests.unit.property import cases  # pylint: disable=import-outside-toplevel

    before = cases.total()
    yield
    item.user_properties.append((cases.PROPERTY_KEY, cases.total() - before))


def _cases_in(reports):
    from tests.unit.property import cases  # pylint: disable=import-outside-toplevel

    return sum(value for report in reports for key, value in getattr(report, 'user_properties', ())
               if key == cases.PROPERTY_KEY)


def pytest_terminal_summary(terminalreporter):
    reports = [report for name in ('passed', 'failed', 'xfailed', 'xpassed')
               for report in terminalreporter.stats.get(name, []) if getattr(report, 'when', 'call') == 'call']
    counted = _cases_in(reports)
    if counted:
        terminalreporter.write_sep('-', 'property tests: %d generated cases ran' % counted)
