"""The execution environment: what ansible-builder takes from this collection, and a build context made with it.

ansible-builder runs offline here: ``introspect`` reads meta/execution-environment.yml of the collection in the
checkout's collections path, ``create`` writes a build context without pulling any image.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
import yaml
from bindep.depends import Depends  # ansible-builder's own dependency

from tests.conftest import COLLECTIONS_ROOT, REPO

BUILDER = str(Path(sys.executable).parent / 'ansible-builder')
EXAMPLE = REPO / 'examples' / 'execution-environment'


def builder(*args, cwd=REPO):
    return subprocess.run([BUILDER, *args], cwd=cwd, capture_output=True, text=True, check=True, timeout=300)


@pytest.fixture(scope='module')
def introspected(tmp_path_factory):
    out = tmp_path_factory.mktemp('introspect')
    builder('introspect', str(COLLECTIONS_ROOT), '--write-pip', str(out / 'pip.txt'),
            '--write-bindep', str(out / 'bindep.txt'))
    return (out / 'pip.txt').read_text(encoding='utf-8'), (out / 'bindep.txt').read_text(encoding='utf-8')


def packages(bindep_text, *profiles):
    return sorted(rule[0] for rule in Depends(bindep_text).active_rules(list(profiles)))


def test_the_collection_brings_the_kerberos_and_credssp_extras(introspected):
    pip, _bindep = introspected
    assert 'pywinrm[kerberos,credssp]>=0.5.0  # from collection winrds.sessions' in pip.splitlines()
    assert 'pypsrp[kerberos,credssp]>=0.8.1  # from collection winrds.sessions' in pip.splitlines()


def test_the_image_gets_the_kerberos_client_and_never_the_test_kdc(introspected):
    _pip, bindep = introspected
    # The final image installs the default profile; the builder stage the compile profile (ansible-builder's
    # assemble script: bindep -l newline, bindep -b compile).
    assert packages(bindep, 'default', 'platform:dpkg') == ['krb5-user']
    assert packages(bindep, 'default', 'platform:rpm') == ['krb5-libs', 'krb5-workstation']
    assert {'libkrb5-dev', 'gcc'} <= set(packages(bindep, 'compile', 'platform:dpkg'))
    assert 'krb5-devel' in packages(bindep, 'compile', 'platform:rpm')


def test_ci_installs_exactly_the_test_profile():
    # .ci/run reads bindep.txt with awk (it runs before any virtual environment exists); bindep agrees.
    listing = subprocess.run(['bash', '-c', 'source <(sed -n "/^test_packages()/,/^}/p" .ci/run) && test_packages'],
                             cwd=REPO, capture_output=True, text=True, check=True, timeout=60).stdout.split()
    text = (REPO / 'bindep.txt').read_text(encoding='utf-8')
    assert sorted(listing) == packages(text, 'test', 'platform:dpkg')
    assert {'krb5-kdc', 'krb5-admin-server', 'krb5-user', 'libkrb5-dev'} <= set(listing)


def test_the_example_definition_builds_a_context_with_the_realm_configuration(tmp_path):
    context = tmp_path / 'context'
    builder('create', '-f', str(EXAMPLE / 'execution-environment.yml'), '-c', str(context),
            '--output-filename', 'Containerfile')
    containerfile = (context / 'Containerfile').read_text(encoding='utf-8')
    assert 'COPY _build/configs/krb5.conf /etc/krb5.conf' in containerfile
    assert (context / '_build' / 'configs' / 'krb5.conf').read_bytes() == (EXAMPLE / 'krb5.conf').read_bytes()
    galaxy = yaml.safe_load((context / '_build' / 'requirements.yml').read_text(encoding='utf-8'))
    assert {'name': 'winrds.sessions'} in galaxy['collections']
    # The collection's requirements are read inside the build (ansible-builder introspect in the builder stage).
    assert 'introspect' in containerfile
