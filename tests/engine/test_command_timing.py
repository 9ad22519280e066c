"""The real engine's timing record of each command: what the benchmark reads per command (docs/performance.md).

The record says when the process ran and when the stand-in libraries or tools first and last asked the host; these
tests check how the figures relate to each other and to the process limit, never how long anything took.
"""

from __future__ import annotations

import threading
import time

from tests.emulator.surfaces.engine import pwsh
from tests.engine.payloads import last_command, run_payload, run_script

SNAPSHOT = {'op': 'snapshot', 'server': None}


def timing_of(host):
    return last_command(host)['engine']['timing']


def test_a_wts_command_records_its_process_and_its_first_and_last_wts_call(make_host):
    host = make_host()
    before = time.time()
    run_payload(host, 'wts', SNAPSHOT)
    after = time.time()
    timing = timing_of(host)
    assert before <= timing['started'] <= timing['started'] + timing['process'] <= after
    assert timing['slot_wait'] >= 0
    # The first request is WTSGetActiveConsoleSessionId, the last a query; the report at exit is not counted.
    assert last_command(host)['calls'][0] == 'console' and last_command(host)['calls'][-1] == 'outstanding 0'
    assert 0 < timing['first_call'] < timing['last_call'] < timing['process']


def test_a_raw_command_records_the_tool_it_started_and_a_script_without_one_records_no_call(make_host):
    host = make_host()
    run_script(host, 'query user')
    timing = timing_of(host)
    assert last_command(host)['calls'] == ['tool query']
    assert 0 < timing['first_call'] == timing['last_call'] < timing['process']
    run_script(host, '$null = 1')
    timing = timing_of(host)
    assert timing['first_call'] is None and timing['last_call'] is None and timing['process'] > 0


def test_a_command_that_waits_for_a_process_slot_records_the_wait(make_host, monkeypatch):
    """With one slot, two commands sent at once run one after the other, and the second says it waited."""
    monkeypatch.setattr(pwsh, 'PROCESS_SLOTS', threading.BoundedSemaphore(1))
    host = make_host()
    threads = [threading.Thread(target=run_script, args=(host, 'query user')) for dummy in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    first, second = sorted((entry['engine']['timing'] for entry in host.state()['commands']),
                           key=lambda timing: timing['started'])
    assert second['started'] >= first['started'] + first['process'] - 0.001  # no overlap (two clocks: 1 ms)
    assert second['slot_wait'] > 0
