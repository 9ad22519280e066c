"""The fleet-scale benchmark of win_rds_logoff against the playbook users write today (``make bench``).

``run_bench.py`` is the command line; ``docs/performance.md`` shows and explains its results.
"""
