# Two commands a user needs: `make lab` (the site on local podman hosts) and `make test` (every
# tier CI runs). Both install what they need from PyPI and Debian on a fresh machine.
SHELL := /bin/bash
.SHELLFLAGS := -eu -o pipefail -c
.DEFAULT_GOAL := help

VENV        ?= .venv
LITELLM_VENV ?= .cache/litellm-venv
PY          := $(VENV)/bin/python
BIN         := $(abspath $(VENV)/bin)
# Upstream CRD schemas for validating custom resources; users with a cluster can point it anywhere.
CRD_DIR     ?= $(abspath ../shared/crds)
K8S_MINOR   ?= 1.33
APT_PACKAGES := podman runc debootstrap slirp4netns uidmap postgresql prometheus shellcheck redis-server rclone

export PATH := $(BIN):$(PATH)
export ANSIBLE_CONFIG := $(abspath ansible.cfg)
export AI_PLATFORM_CRD_DIR := $(CRD_DIR)
export AI_PLATFORM_K8S_MINOR := $(K8S_MINOR)
export AI_PLATFORM_LITELLM_VENV := $(abspath $(LITELLM_VENV))
# The lab's podman settings (runc, ulimits this host allows): see tests/lab/containers.conf.
export CONTAINERS_CONF := $(abspath tests/lab/containers.conf)

.PHONY: help deps apt venv litellm-venv lab lab-down lab-check lint sanity unit integration integration-render integration-live molecule test mutation clean

help: ## list the targets
	@awk -F ':.*## ' '/^[a-z][a-z-]*:.*## / { printf "make %-13s %s\n", $$1, $$2 }' $(MAKEFILE_LIST)

deps: apt venv litellm-venv ## install everything the tests need (Debian packages, both venvs)

# Asks dpkg every time (cheap), so a machine that has the packages never needs apt or a stamp.
apt: ## install the Debian packages (podman, debootstrap, ...) unless dpkg has them all
	@dpkg -s $(APT_PACKAGES) >/dev/null 2>&1 || { apt-get update -qq && \
	  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES); }

venv: $(VENV)/.stamp ## the project venv from requirements.txt
$(VENV)/.stamp: requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -r requirements.txt
	touch $@

litellm-venv: $(LITELLM_VENV)/.stamp ## the LiteLLM proxy venv the gateway tests start
$(LITELLM_VENV)/.stamp: tests/requirements-litellm.txt
	python3 -m venv $(LITELLM_VENV)
	$(LITELLM_VENV)/bin/pip install -q -r tests/requirements-litellm.txt
	touch $@

lab: apt venv ## converge the lab (four podman hosts over SSH) and render the platform into build/lab
	tests/lab/lab.sh up

lab-down: ## remove the lab's containers, network and build output
	tests/lab/lab.sh down

lab-check: apt venv ## the lab from fresh hosts twice (times, ratio, changed=0), then a k3s upgrade and host checks
	tests/lab/lab.sh check

lint: venv ## yamllint, ansible-lint, role specs vs defaults, changelog fragments, collection docs
	yamllint -s .
	ansible-lint --profile production
	$(PY) tests/tools/check_role_specs.py
	antsibull-changelog lint
	antsibull-docs lint-collection-docs --plugin-docs .

sanity: venv ## ansible-test sanity on a copy of the collection
	tests/tools/sanity.sh

unit: venv litellm-venv ## unit tests (tests/unit)
	$(PY) -m pytest -q --durations=15 tests/unit

integration: integration-render integration-live ## integration and policy tests (both parts below)

# Playbook renders and the validate role's refusals: controller CPU only, no service and no timing.
integration-render: deps ## validate-role integration tests and policy checks on the rendered platform
	$(PY) -m pytest -q --durations=15 tests/integration/roles/validate tests/policy

integration-live: deps ## integration tests against real OpenBao, NATS, LiteLLM, PostgreSQL on loopback
	$(PY) -m pytest -q --durations=25 tests/integration --ignore=tests/integration/roles/validate

# The scenarios have hosts and networks of their own, so they run beside a lab; the four-host cluster
# (converge, rerun, rolling upgrade, host checks) is `lab-check`'s.
molecule: apt venv ## every molecule scenario on podman hosts (base, k3s_recovery)
	tests/lab/lab.sh image
	molecule test --all

# Molecule, the long pole, starts first; the static tiers, unit tests and the render half of
# integration take turns on the other core (molecule's hosts spend most of their time waiting on
# systemd and apt). The live half of integration (timed proxies, cooldowns) and the lab check (its run
# times are the measurement) run alone after them.
test: ## every test tier CI runs
	$(MAKE) --no-print-directory -j2 --output-sync=target molecule lint sanity unit integration-render
	$(MAKE) --no-print-directory integration-live
	$(MAKE) --no-print-directory lab-check

# mutmut over plugins/module_utils, plugins/filter and k8s_manifests, each mutant against only the
# unit tests that reach its function; tests/tools/mutation.py prints the score and seconds per file.
mutation: venv ## mutation score of plugins/ against the unit tests, per file (not part of make test)
	$(PY) tests/tools/mutation.py --survivors

clean: lab-down ## remove the venvs, the caches and the lab
	rm -rf $(VENV) .cache
