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
APT_PACKAGES := podman runc debootstrap slirp4netns uidmap postgresql prometheus shellcheck

export PATH := $(BIN):$(PATH)
export ANSIBLE_CONFIG := $(abspath ansible.cfg)
export AI_PLATFORM_CRD_DIR := $(CRD_DIR)
export AI_PLATFORM_K8S_MINOR := $(K8S_MINOR)
export AI_PLATFORM_LITELLM_VENV := $(abspath $(LITELLM_VENV))
# The lab's podman settings (runc, ulimits this host allows): see tests/lab/containers.conf.
export CONTAINERS_CONF := $(abspath tests/lab/containers.conf)

.PHONY: help deps apt venv litellm-venv lab lab-down lint sanity unit integration molecule test clean

help:
	@echo "make lab       converge the lab (four podman hosts) and render the platform into build/lab"
	@echo "make lab-down  remove the lab's containers, network and build output"
	@echo "make test      every test tier CI runs"

deps: apt venv litellm-venv

apt: .cache/apt.stamp
.cache/apt.stamp:
	@mkdir -p .cache
	if ! dpkg -s $(APT_PACKAGES) >/dev/null 2>&1; then \
	  apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $(APT_PACKAGES); fi
	touch $@

venv: $(VENV)/.stamp
$(VENV)/.stamp: requirements.txt
	python3 -m venv $(VENV)
	$(VENV)/bin/pip install -q -r requirements.txt
	touch $@

litellm-venv: $(LITELLM_VENV)/.stamp
$(LITELLM_VENV)/.stamp: tests/requirements-litellm.txt
	python3 -m venv $(LITELLM_VENV)
	$(LITELLM_VENV)/bin/pip install -q -r tests/requirements-litellm.txt
	touch $@

lab: apt venv
	tests/lab/lab.sh up

lab-down:
	tests/lab/lab.sh down

lint: venv
	yamllint -s .
	ansible-lint --profile production

sanity: venv
	tests/tools/sanity.sh

unit: venv litellm-venv
	$(PY) -m pytest -q tests/unit

integration: deps
	$(PY) -m pytest -q tests/integration tests/policy

molecule: apt venv
	tests/lab/lab.sh image
	for scenario in base cluster k3s_recovery; do molecule test -s $$scenario; done

test: lint sanity unit integration molecule
	tests/lab/lab.sh check

clean: lab-down
	rm -rf $(VENV) .cache
