# SPDX-License-Identifier: MIT
# Integration boot scenarios (included by the Makefile): `make integration` runs
# tests/integration/scenarios, `make integration-slow` the long ones. Pick scenarios
# with SCENARIOS="glob ...", e.g. make integration SCENARIOS='*bochs*'.

SCENARIOS ?=
INTEGRATION_FLAGS ?=

integration: hv guests $(BUILD)/.deps-ok
	$(Q)BUILD=$(BUILD) tests/integration/run.sh $(INTEGRATION_FLAGS) $(SCENARIOS)

integration-slow: hv guests $(BUILD)/.deps-ok
	$(Q)BUILD=$(BUILD) tests/integration/run.sh -f tests/integration/scenarios-slow \
		$(INTEGRATION_FLAGS) $(SCENARIOS)

# Reliability: the whole suite SOAK times (default 20), failures counted per scenario.
# Not part of `make test`; e.g. make soak SOAK=5 SCENARIOS='hcfuzz vcpu-*'.
SOAK ?= 20
soak: hv guests $(BUILD)/.deps-ok
	$(Q)BUILD=$(BUILD) SOAK=$(SOAK) tools/soak.sh $(INTEGRATION_FLAGS) $(SCENARIOS)
