"""The benchmark's pictures: wall time against N (one panel per K) and against K (one panel per N), per engine and
transport, and where one command's time goes on the real engine.

matplotlib with the Agg backend (no display needed); PNG files. The real engine over NTLM has the plain names
(``bench-wall-vs-hosts.png``); other engines and transports add theirs (``bench-wall-vs-hosts-contract.png``).
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402  (the backend is chosen first)

from tests.bench.report import ALL_LABELS, engine_of  # noqa: E402

STYLE = {
    'startup': {'color': '#7f7f7f', 'marker': '.', 'linestyle': ':'},
    'collection': {'color': '#1f77b4', 'marker': 'o', 'linestyle': '-'},
    'collection_rerun': {'color': '#2ca02c', 'marker': 's', 'linestyle': '--'},
    'status_quo': {'color': '#d62728', 'marker': '^', 'linestyle': '-'},
}
ENGINE_TITLES = {'pwsh': 'a real PowerShell per command', 'contract': 'contract engine, answers at once'}
PHASE_COLOURS = {
    'engine_start': '#7f7f7f', 'read_stdin': '#c7c7c7', 'unpack': '#ff7f0e', 'payload_parse': '#ffbb78',
    'helper_load': '#d62728', 'payload_work': '#1f77b4', 'exit': '#aec7e8',
}
KIND_LABELS = {'wts_snapshot': 'wts snapshot', 'wts_logoff': 'wts logoff (K=%d)', 'raw_query': 'raw: query user',
               'raw_logoff': 'raw: logoff <id>'}


def _series(results, engine, transport, variant, fixed_key, fixed_value, axis_key):
    rows = sorted((r for r in results if engine_of(r) == engine and r['transport'] == transport
                   and r['variant'] == variant and r[fixed_key] == fixed_value), key=lambda r: r[axis_key])
    return [r[axis_key] for r in rows], [r['wall_seconds'] for r in rows]


def draw(results, engine, transport, axis_key, panel_key, path, forks):
    """One figure: a panel per value of ``panel_key``, wall time against ``axis_key``, a line per variant."""
    rows = [r for r in results if engine_of(r) == engine and r['transport'] == transport]
    panels = sorted(set(r[panel_key] for r in rows))
    figure, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.8), squeeze=False)
    names = {'hosts': 'N, hosts', 'sessions': 'K, sessions logged off per host'}
    for axis, value in zip(axes[0], panels):
        for variant in ALL_LABELS:
            xs, ys = _series(results, engine, transport, variant, panel_key, value, axis_key)
            if xs:
                axis.plot(xs, ys, label=ALL_LABELS[variant], **STYLE[variant])
        axis.set_title('%s = %d' % ('K' if panel_key == 'sessions' else 'N', value))
        axis.set_xlabel(names[axis_key])
        axis.set_ylabel('wall time of ansible-playbook, s')
        axis.set_ylim(bottom=0)
        axis.set_xlim(left=0)
        axis.grid(True, alpha=0.3)
    axes[0][0].legend(loc='upper left', fontsize='small')
    figure.suptitle('win_rds_logoff vs query user + logoff loop (%s, %s, %d forks, emulated hosts)'
                    % (ENGINE_TITLES.get(engine, engine), 'NTLM' if transport == 'ntlm' else 'Basic', forks),
                    fontsize='medium')
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def draw_phases(phases, path):
    """Where one command's time goes: a bar per kind of command, stacked by phase, one panel per level."""
    from tests.bench.phases import KINDS, WTS_PHASES

    levels = sorted(phases['levels'], key=int)
    figure, axes = plt.subplots(1, len(levels), figsize=(6.5 * len(levels), 3.6), squeeze=False)
    kinds = list(KINDS)
    for axis, level in zip(axes[0], levels):
        summary = phases['levels'][level]['summary']
        lefts = [0.0] * len(kinds)
        for phase in WTS_PHASES:
            widths = [summary[kind].get(phase, {}).get('median', 0.0) for kind in kinds]
            axis.barh(range(len(kinds)), widths, left=lefts, color=PHASE_COLOURS[phase], label=phase.replace('_', ' '))
            lefts = [left + width for left, width in zip(lefts, widths)]
        axis.set_yticks(range(len(kinds)))
        axis.set_yticklabels([KIND_LABELS[kind].replace('%d', str(phases['sessions'])) for kind in kinds])
        axis.invert_yaxis()
        axis.set_xlabel('ms, median of each phase')
        axis.set_title('%s at once' % ('one command' if level == '1' else '%s commands' % level))
        axis.grid(True, axis='x', alpha=0.3)
    axes[0][-1].legend(loc='lower right', fontsize='small')
    figure.suptitle('One command on the real engine (PowerShell %s on this machine)' % phases['engine_version'],
                    fontsize='medium')
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def _suffix(engine, transport):
    parts = ([] if engine == 'pwsh' else [engine]) + ([] if transport == 'ntlm' else [transport])
    return ''.join('-' + part for part in parts)


def draw_all(document, out):
    """Draw every picture of ``document``; return the paths written."""
    out = Path(out)
    paths = []
    engines = document.get('engines') or sorted(set(engine_of(r) for r in document['results']))
    for engine in engines:
        for transport in document['transports']:
            if not any(engine_of(r) == engine and r['transport'] == transport for r in document['results']):
                continue
            suffix = _suffix(engine, transport)
            paths.append(draw(document['results'], engine, transport, 'hosts', 'sessions',
                              out / ('bench-wall-vs-hosts%s.png' % suffix), document['forks']))
            paths.append(draw(document['results'], engine, transport, 'sessions', 'hosts',
                              out / ('bench-wall-vs-sessions%s.png' % suffix), document['forks']))
    if document.get('phases'):
        paths.append(draw_phases(document['phases'], out / 'bench-command-phases.png'))
    return paths


if __name__ == '__main__':
    import json
    import sys

    if len(sys.argv) != 3:
        sys.exit('usage: python -m tests.bench.plots RESULTS.json OUT_DIR')
    for written in draw_all(json.loads(Path(sys.argv[1]).read_text(encoding='utf-8')), sys.argv[2]):
        print('wrote %s' % written)
