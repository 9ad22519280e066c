# Test tool chain of the Ansible collection winrds.sessions.
#
#   make test      everything below, in order, with a summary (what CI runs through .ci/run)
#   make help      the list of targets
#
# Everything lives inside the repository: the test environments, the tools' home and caches in .venv/,
# the collection layouts, the tarball, temporary files and results in .build/ (both ignored by git and
# by the collection build). Nothing is written outside the checkout.

SHELL := bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help
MAKEFLAGS += --no-builtin-rules --no-print-directory
export PIP_DISABLE_PIP_VERSION_CHECK := 1

REPO     := $(CURDIR)
VENV     := $(REPO)/.venv
BUILD    := $(REPO)/.build
REQ      := tests/requirements
TOOLING  := tests/tooling

# The environment matrix: name -> Python version; each installs $(REQ)/<name>.txt.
ENVS       := ac219 ac221
PY_ac219   := 3.11
PY_ac221   := 3.12
LINT_ENV   := ac221
BUILD_ENV  := ac221

NAMESPACE  := winrds
NAME       := sessions
# Symlink layout: .build/collections/ansible_collections/winrds/sessions -> the repository.
# pytest and ansible imports go through it. It points back into the repository, so anything
# that walks the tree must leave .build/ out (ansible-lint, galaxy build_ignore, .gitignore).
DEV_COLLECTIONS := $(BUILD)/collections
DEV_LINK        := $(DEV_COLLECTIONS)/ansible_collections/$(NAMESPACE)/$(NAME)
# Real copies for ansible-test: .build/sanity-<env>/ansible_collections/winrds/sessions.
DIST            := $(BUILD)/dist

# Nothing the suite runs reads or writes the user's own home, caches or temporary folder: every tool gets a
# home inside the repository (.venv/home, for caches worth keeping between runs: pip's downloads, ansible-lint's
# and molecule's state) and a temporary folder in .build/tmp. The user's HOME is kept in WINRDS_USER_HOME only
# to find pyenv's interpreters (find_python.sh). ansible-test keeps its sanity environments in
# .venv/ansible-test (it runs with HOME set to that folder).
export WINRDS_USER_HOME := $(HOME)
export HOME            := $(VENV)/home
export XDG_CACHE_HOME  := $(HOME)/.cache
export XDG_CONFIG_HOME := $(HOME)/.config
export XDG_DATA_HOME   := $(HOME)/.local/share
export TMPDIR          := $(BUILD)/tmp
export ANSIBLE_HOME    := $(HOME)/.ansible
export PIP_CACHE_DIR   := $(XDG_CACHE_HOME)/pip
unexport ANSIBLE_CONFIG ANSIBLE_COLLECTIONS_PATH ANSIBLE_COLLECTIONS_PATHS
$(shell mkdir -p $(HOME) $(TMPDIR))
ANSIBLE_TEST_HOME := $(VENV)/ansible-test

# The real PowerShell engine of the emulated hosts (tests/emulator/surfaces/engine): PWSH names a pwsh executable,
# else pwsh is looked for on PATH; without one the engine suite is skipped (one line in the summary says so) and
# the end-to-end tests run on the contract engine. A PowerShell bundle that unpacks itself on first use keeps its
# unpacked copy in PWSH_BUNDLE_CACHE. NETFX_REFERENCE_ASSEMBLIES may name a folder with the .NET Framework 4.6.2
# reference assemblies (mscorlib.dll, System.dll, System.Core.dll) for the C# 5 check of the helper.
export PWSH ?=
export PWSH_BUNDLE_CACHE := $(VENV)/pwsh-bundle
export NETFX_REFERENCE_ASSEMBLIES ?=

# Sanity tests left out, each because it cannot run on these machines (tests/sanity/README.md):
#   pslint - PSScriptAnalyzer needs PowerShell (pwsh), which cannot be installed on our machines;
#            without it ansible-test only warns and quietly skips, so it is skipped openly here.
SANITY_SKIP := pslint
SANITY_ARGS ?=

# pytest arguments, e.g. make unit PYTEST_ARGS='-k durations -x'. Both suites are spread over
# both cores by pytest-xdist (-n auto): unit 18 s instead of 24 s per environment (~500 tests);
# e2e starts one emulated fleet per worker process and is CPU-bound, so it gains most.
PYTEST_ARGS     ?= -q -n auto
E2E_PYTEST_ARGS ?= -q -n auto

.PHONY: help test venv layout unit engine sanity lint build clean distclean bench-real \
        demo fleet e2e molecule docs docs-update bench $(addprefix venv-,$(ENVS)) $(addprefix sanity-,$(ENVS))

help: ## list the targets
	@grep -E '^[a-z0-9-]+:.*## ' $(MAKEFILE_LIST) | sed -E 's/^([a-z0-9-]+):.*## /  make \1\t/' | expand -t 20

## ---- the full run ------------------------------------------------------------------------

# venv first (nothing runs without it), then each check even if an earlier one failed; the
# summary lists passed / FAILED / SKIPPED (an empty test folder) per step with its time.
# JOBS: parts of one step run in parallel (the two venvs, the two sanity runs); their output is
# printed per part when it ends. JOBS=1 runs everything in sequence. Add demo, molecule, docs or
# bench to TEST_STEPS once they do real work.
TEST_STEPS := unit engine sanity lint build docs e2e
JOBS       ?= 2
test: ## venv + unit + sanity + lint + build + docs + e2e (molecule included), with a summary
	@MAKE="$(MAKE)" STEP_MAKEFLAGS="-j$(JOBS) --output-sync=target" \
	    bash $(TOOLING)/run_steps.sh $(BUILD)/steps venv $(TEST_STEPS)

## ---- environments ------------------------------------------------------------------------

# One venv per matrix entry, rebuilt only when the interpreter or a requirements file changes
# (stamp .venv/<name>/.requirements.sha256); an up-to-date venv costs well under a second.
# Python 3.12 is found as python3.12 on PATH or under $(pyenv root)/versions/3.12.*.
venv: $(addprefix venv-,$(ENVS)) layout ## create/refresh .venv/ac219 (py3.11) and .venv/ac221 (py3.12)

# The Kerberos client and acceptor libraries (kerberos.txt) compile against libkrb5-dev: installed when its
# krb5-config is there (bindep.txt); without it the Kerberos tests are skipped with a note.
$(addprefix venv-,$(ENVS)): venv-%:
	@bash $(TOOLING)/ensure_venv.sh $(VENV)/$* $(PY_$*) $(REQ)/$*.txt $(REQ)/kerberos.txt krb5-config \
	    2> >(grep -v "^WARNING: Location '.*' is ignored: it is neither a file nor a directory" >&2)

# The symlink layout for imports (relative link, so the checkout can move).
layout: ## make .build/collections/ansible_collections/winrds/sessions point at the repository
	@mkdir -p $(dir $(DEV_LINK))
	@ln -sfn ../../../.. $(DEV_LINK)
	@test "$$(cd $(DEV_LINK) && pwd -P)" = "$$(pwd -P)" || { echo "$(DEV_LINK) does not lead back to the repository" >&2; exit 1; }

## ---- checks ------------------------------------------------------------------------------

# pytest on tests/unit in every environment, importing ansible_collections.winrds.sessions
# from the symlink layout (no conftest needed for that: tests/tooling/pytest_collection_loader.py).
unit: venv ## pytest tests/unit on every environment
	@rc=0; for env in $(ENVS); do bash $(TOOLING)/run_pytest.sh $(VENV)/$$env $(DEV_COLLECTIONS) tests/unit $(PYTEST_ARGS) || rc=1; done; exit $$rc

# ansible-test sanity for every environment (tests/tooling/run_sanity.sh), from a fresh copy of
# the files git knows about: ansible-test needs a real ansible_collections/<ns>/<name> folder, a
# symlink resolves away. ansible-test builds one venv per sanity test and bootstraps pip into it
# with a script it downloads from a host outside the package index; seed_pip_bootstrap.py places
# offline_get_pip.py in its cache instead (ensurepip + pip from the index), so every test runs
# for real with ansible-test's own pinned requirements. `make -j2 sanity` runs both at once
# (make test does).
sanity: $(addprefix sanity-,$(ENVS)) ## ansible-test sanity on ansible-core 2.19 (py3.11) and 2.21 (py3.12)

$(addprefix sanity-,$(ENVS)): sanity-%: venv
	@ANSIBLE_TEST_HOME=$(ANSIBLE_TEST_HOME) \
	    bash $(TOOLING)/run_sanity.sh $(VENV)/$* $(PY_$*) $(BUILD)/sanity-$* \
	    $(addprefix --skip-test ,$(SANITY_SKIP)) $(SANITY_ARGS)

# ansible-lint, production profile, offline (configuration in .ansible-lint), newest core. The playbooks name
# the collection's modules: the symlink layout makes it resolvable without installing it anywhere.
lint: venv ## ansible-lint --offline, production profile
	@ANSIBLE_COLLECTIONS_PATH=$(DEV_COLLECTIONS) PATH=$(VENV)/$(LINT_ENV)/bin:$$PATH ansible-lint --offline --nocolor

# Build the tarball, check its contents, install it in a temporary collections path and run
# ansible-doc for every module of plugins/modules/ with each environment (check_build.sh).
build: venv ## ansible-galaxy collection build + install + ansible-doc of every module
	@bash $(TOOLING)/check_build.sh $(DIST) $(VENV)/$(BUILD_ENV) $(addprefix $(VENV)/,$(ENVS))

## ---- hooks filled by the other suites ----------------------------------------------------

# The collection's PowerShell and C# run in a real PowerShell against emulated hosts (tests/engine), once, on the
# newest core: what the payloads do does not depend on the controller's ansible-core.
ENGINE_ENV := ac221
engine: venv ## pytest tests/engine: the payloads in a real PowerShell (skipped, with a note, without pwsh)
	@bash $(TOOLING)/run_pytest.sh $(VENV)/$(ENGINE_ENV) $(DEV_COLLECTIONS) tests/engine $(PYTEST_ARGS)

# End-to-end tests against the emulator (tests/e2e, with the fleet benchmark's smoke test and the load test) in
# every environment. The emulated hosts run a real PowerShell (the engine step's pwsh) for the newest core, and the
# contract engine for the oldest, so that every run exercises both; without pwsh both use the contract engine.
E2E_ENGINE_ac219 := contract
E2E_ENGINE_ac221 :=
e2e: venv ## pytest tests/e2e (+ bench smoke, load) on every environment: real engine on ac221, contract on ac219
	@rc=0; $(foreach env,$(ENVS),WINRDS_EMU_ENGINE=$(E2E_ENGINE_$(env)) bash $(TOOLING)/run_pytest.sh \
	    $(VENV)/$(env) $(DEV_COLLECTIONS) tests/e2e $(E2E_PYTEST_ARGS) tests/bench tests/load || rc=1;) exit $$rc

# The demo: an emulated fleet (en-US, de-DE in Constrained Language Mode, ja-JP), examples/demo.yml over
# NTLM-encrypted WinRM, and each host's own before/after (tests/demo/run_demo.py).
demo: venv-ac221 layout ## start an emulated fleet, run examples/demo.yml, print each host before and after
	@ANSIBLE_COLLECTIONS_PATH=$(DEV_COLLECTIONS) $(VENV)/ac221/bin/python tests/demo/run_demo.py

# An emulated fleet to try the collection by hand (tests/demo/run_fleet.py): it prints a ready-to-use inventory
# (in .build/fleet/, removed when the fleet stops) and runs until Ctrl-C. FLEET names another hosts file, e.g.
# tests/e2e/fleet.yml.
FLEET ?= tests/demo/fleet.yml
fleet: venv-ac221 layout ## start an emulated fleet, print a ready-to-use inventory, stop on Ctrl-C (FLEET=hosts.yml)
	@$(VENV)/ac221/bin/python tests/demo/run_fleet.py --config $(FLEET)

# The molecule scenarios, from the repository root (molecule finds them under extensions/molecule/); make test
# runs them through tests/e2e/test_molecule.py. molecule installs the collection into ANSIBLE_HOME, which is
# inside .venv/home here. One scenario: make molecule SCENARIOS=real_host (WINRDS_* name the real host).
SCENARIOS ?= default real_host
molecule: venv-ac221 layout ## molecule test for the extensions/molecule scenarios (SCENARIOS=..., WINRDS_* for a real host)
	@for scenario in $(SCENARIOS); do \
	    PATH=$(VENV)/ac221/bin:$$PATH $(VENV)/ac221/bin/molecule test -s $$scenario || exit 1; done

# The module reference in docs/reference/ is generated by antsibull-docs from the modules' documentation;
# the check fails when the docs do not lint, the changelog does not lint, or docs/reference/ is stale.
DOCS_ENV := ac221
docs: venv ## lint the module docs and changelog; check that docs/reference/ is up to date
	@bash $(TOOLING)/build_docs.sh $(VENV)/$(DOCS_ENV) $(DEV_COLLECTIONS) check

docs-update: venv ## regenerate docs/reference/ from the module documentation
	@bash $(TOOLING)/build_docs.sh $(VENV)/$(DOCS_ENV) $(DEV_COLLECTIONS) update

# The fleet benchmark (docs/performance.md): ansible-playbook's start-up alone, win_rds_logoff, its rerun and the
# query user + logoff loop users write today, side by side on an emulated fleet whose hosts start a real PowerShell
# per command and on one that answers at once (contract engine), then the per-command phases on the real engine
# (engine start, bootstrap, helper load, payload work). Every PowerShell runs on this machine, so only K = 5 goes up
# to 200 hosts (K = 1 and K = 20 to 50): about 45 minutes on 2 idle cores; the results are written again after
# every combination. Not part of make test (its smoke test is).
BENCH_ARGS ?= --hosts 10,50,200 --sessions 1,5,20 --hosts-for 1:10,25,50 --hosts-for 20:10,25,50 --forks 50 \
              --transports ntlm --repeat 1
bench: venv ## benchmark win_rds_logoff against query user + logoff on an emulated fleet (results in .build/bench/)
	@ANSIBLE_COLLECTIONS_PATH=$(DEV_COLLECTIONS) $(VENV)/$(BUILD_ENV)/bin/python -m tests.bench.run_bench $(BENCH_ARGS) --out $(BUILD)/bench

# On real hosts, what the emulator cannot time: one read-only command of the collection against one raw
# query user, the projection of the benchmark's variants from them, and inside PowerShell the engine start and
# the helper load (tests/bench/real_hosts.py). Changes nothing.
bench-real: venv ## time the collection against query user on real hosts: make bench-real INVENTORY=hosts.yml
	@test -n "$(INVENTORY)" || { echo 'make bench-real needs INVENTORY=<inventory of real Windows hosts>'; exit 2; }
	@$(VENV)/$(BUILD_ENV)/bin/python -m tests.bench.real_hosts -i "$(INVENTORY)" --out $(BUILD)/bench-real

## ---- housekeeping ------------------------------------------------------------------------

clean: ## remove .build/ (layouts, tarball, results)
	rm -rf $(BUILD)

distclean: clean ## also remove the environments and ansible-test's sanity environments
	rm -rf $(VENV) $(ANSIBLE_TEST_HOME)
