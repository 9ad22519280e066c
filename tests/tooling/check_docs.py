# -*- coding: utf-8 -*-
# GNU General Public License v3.0+ (see COPYING or https://www.gnu.org/licenses/gpl-3.0.txt)
"""Check that ``ansible-doc`` renders every module of an installed collection.

    ANSIBLE_COLLECTIONS_PATH=<install dir> python tests/tooling/check_docs.py <collection> <module>...

``ansible-doc`` exits 0 even when a module is not found (it only warns), so
each module is checked twice: ``--json`` must return a document read from the
first folder of ``ANSIBLE_COLLECTIONS_PATH``, with a ``short_description``,
examples and return values; and the text rendering must exit 0, print
something and write no warning or error.
Run it with the Python of the environment whose ``ansible-doc`` is checked.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys


def ansible_doc(*args: str) -> subprocess.CompletedProcess[str]:
    """Run the ``ansible-doc`` that sits beside this interpreter."""
    exe = os.path.join(os.path.dirname(sys.executable), "ansible-doc")
    return subprocess.run([exe, "-t", "module", *args], capture_output=True, text=True, check=False)


def problems_of(fqcn: str) -> list[str]:
    """Return what is wrong with the documentation of module ``fqcn`` (empty when fine)."""
    problems = []
    as_json = ansible_doc("--json", fqcn)
    try:
        entry = json.loads(as_json.stdout or "{}").get(fqcn) or {}
    except json.JSONDecodeError as exc:
        entry = {}
        problems.append(f"--json output is not JSON ({exc})")
    doc = entry.get("doc") or {}
    if not doc:
        problems.append("not found or no DOCUMENTATION " + as_json.stderr.strip())
    else:
        where = os.environ.get("ANSIBLE_COLLECTIONS_PATH", "")
        if where and not str(doc.get("filename", "")).startswith(where.split(os.pathsep)[0] + os.sep):
            problems.append(f"documentation read from {doc.get('filename')}, not from {where}")
        if not doc.get("short_description"):
            problems.append("no short_description")
        if not (entry.get("examples") or "").strip():
            problems.append("no EXAMPLES")
        if entry.get("return") is None:
            problems.append("no RETURN")
    as_text = ansible_doc(fqcn)
    noise = [line for line in as_text.stderr.splitlines() if "WARNING" in line or "ERROR" in line]
    if as_text.returncode or not as_text.stdout.strip() or noise:
        problems.append(f"text rendering failed (rc={as_text.returncode}): " + " | ".join(noise))
    return problems


def main() -> None:
    """Check the modules named on the command line."""
    if len(sys.argv) < 3:
        raise SystemExit(__doc__)
    collection, modules = sys.argv[1], sys.argv[2:]
    failed = 0
    for module in modules:
        fqcn = f"{collection}.{module}"
        problems = problems_of(fqcn)
        print(f"  ansible-doc {fqcn}: {'FAIL ' + '; '.join(problems) if problems else 'ok'}")
        failed += bool(problems)
    if failed:
        raise SystemExit(f"{failed} of {len(modules)} module(s) did not render")


if __name__ == "__main__":
    main()
