"""The benchmark's pictures: wall time against N (one panel per K) and against K (one panel per N).

matplotlib with the Agg backend (no display needed); PNG files.
"""

from __future__ import annotations

from pathlib import Path

import matplotlib

matplotlib.use('Agg')
import matplotlib.pyplot as plt  # noqa: E402  (the backend is chosen first)

from tests.bench.report import ALL_LABELS  # noqa: E402

STYLE = {
    'startup': {'color': '#7f7f7f', 'marker': '.', 'linestyle': ':'},
    'collection': {'color': '#1f77b4', 'marker': 'o', 'linestyle': '-'},
    'collection_rerun': {'color': '#2ca02c', 'marker': 's', 'linestyle': '--'},
    'status_quo': {'color': '#d62728', 'marker': '^', 'linestyle': '-'},
}


def _series(results, transport, variant, fixed_key, fixed_value, axis_key):
    rows = sorted((r for r in results if r['transport'] == transport and r['variant'] == variant
                   and r[fixed_key] == fixed_value), key=lambda r: r[axis_key])
    return [r[axis_key] for r in rows], [r['wall_seconds'] for r in rows]


def draw(results, transport, axis_key, panel_key, path, forks):
    """One figure: a panel per value of ``panel_key``, wall time against ``axis_key``, a line per variant."""
    panels = sorted(set(r[panel_key] for r in results if r['transport'] == transport))
    figure, axes = plt.subplots(1, len(panels), figsize=(4.2 * len(panels), 3.8), squeeze=False)
    names = {'hosts': 'N, hosts', 'sessions': 'K, sessions logged off per host'}
    for axis, value in zip(axes[0], panels):
        for variant in ALL_LABELS:
            xs, ys = _series(results, transport, variant, panel_key, value, axis_key)
            if xs:
                axis.plot(xs, ys, label=ALL_LABELS[variant], **STYLE[variant])
        axis.set_title('%s = %d' % ('K' if panel_key == 'sessions' else 'N', value))
        axis.set_xlabel(names[axis_key])
        axis.set_ylabel('wall time of ansible-playbook, s')
        axis.set_ylim(bottom=0)
        axis.set_xlim(left=0)
        axis.grid(True, alpha=0.3)
    axes[0][0].legend(loc='upper left', fontsize='small')
    figure.suptitle('win_rds_logoff vs query user + logoff loop (%s, %d forks, emulated hosts)'
                    % ('NTLM' if transport == 'ntlm' else 'Basic', forks), fontsize='medium')
    figure.tight_layout()
    figure.savefig(path, dpi=100)
    plt.close(figure)
    return path


def draw_all(document, out):
    """Draw both pictures for every transport of ``document``; return the paths written."""
    out = Path(out)
    paths = []
    for transport in document['transports']:
        suffix = '' if transport == 'ntlm' else '-%s' % transport
        paths.append(draw(document['results'], transport, 'hosts', 'sessions',
                          out / ('bench-wall-vs-hosts%s.png' % suffix), document['forks']))
        paths.append(draw(document['results'], transport, 'sessions', 'hosts',
                          out / ('bench-wall-vs-sessions%s.png' % suffix), document['forks']))
    return paths


if __name__ == '__main__':
    import json
    import sys

    if len(sys.argv) != 3:
        sys.exit('usage: python -m tests.bench.plots RESULTS.json OUT_DIR')
    for written in draw_all(json.loads(Path(sys.argv[1]).read_text(encoding='utf-8')), sys.argv[2]):
        print('wrote %s' % written)
