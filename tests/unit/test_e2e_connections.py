"""Which end-to-end tests run over which connection (tests/e2e/conftest.py), read from pytest's own collection.

Over psrp the suite runs what psrp can change: every test but those marked ``winrm_only``, and for the tests that
take a language, one language per pair of OEM and ANSI code pages. Over winrm it runs everything.
"""

from __future__ import annotations

import os
import re
import subprocess
import sys

import pytest

from tests.conftest import REPO
from tests.e2e.conftest import code_pages


def collected(engine):
    env = dict(os.environ, WINRDS_EMU_ENGINE=engine)
    done = subprocess.run([sys.executable, '-m', 'pytest', 'tests/e2e', '--collect-only', '-q', '-p', 'no:cacheprovider'],
                          cwd=REPO, env=env, capture_output=True, text=True, timeout=300, check=False)
    assert done.returncode == 0, done.stdout[-2000:] + done.stderr[-2000:]
    return [line for line in done.stdout.splitlines() if '::' in line]


@pytest.fixture(scope='module')
def on_the_real_engine():
    return collected('pwsh')


def ids_of(ids, test):
    return [re.search(r'\[(.*)\]$', line).group(1) for line in ids if line.split('::')[-1].split('[')[0] == test]


def languages(ids, connection):
    """``{language: [methods]}`` of the runs over ``connection`` of a test whose ids are connection-language-method."""
    runs = {}
    for run_id in ids:
        over, language, method = run_id.split('-', 2)
        if over == connection:
            runs.setdefault(language, []).append(method)
    return runs


def test_every_language_runs_over_winrm_and_over_psrp_once_per_pair_of_code_pages(on_the_real_engine):
    ids = ids_of(on_the_real_engine, 'test_every_language')
    everyone, over_psrp = languages(ids, 'winrm'), languages(ids, 'psrp')
    assert sorted(everyone) == ['de', 'es', 'fr', 'it', 'ja', 'ru', 'zh']
    assert sorted(code_pages(language) for language in over_psrp) == sorted(set(map(code_pages, everyone)))
    assert sorted(over_psrp) == ['de', 'ja', 'ru', 'zh']  # fr, es and it have de's 850 and 1252
    assert all(sorted(methods) == ['logoff_exe', 'wts'] for methods in list(everyone.values()) + list(over_psrp.values()))


def test_languages_of_different_code_pages_all_run_over_psrp(on_the_real_engine):
    ids = ids_of(on_the_real_engine, 'test_session_info_in_every_language')
    assert languages(ids, 'psrp') == languages(ids, 'winrm')
    assert len(set(map(code_pages, languages(ids, 'winrm')))) == len(languages(ids, 'winrm')) == 5


def test_a_winrm_only_test_runs_over_winrm_alone(on_the_real_engine):
    assert ids_of(on_the_real_engine, 'test_check_mode_changes_nothing') == ['winrm']
    assert ids_of(on_the_real_engine, 'test_state_and_idle_filters') == ['winrm-wts', 'winrm-logoff_exe']
    assert ids_of(on_the_real_engine, 'test_logoff_by_name_then_second_run_is_ok') == ['winrm', 'psrp']


def test_without_the_real_engine_everything_runs_over_winrm_only():
    ids = collected('contract')
    assert not [line for line in ids if '[psrp' in line]
    assert len(languages(ids_of(ids, 'test_every_language'), 'winrm')) == 7
