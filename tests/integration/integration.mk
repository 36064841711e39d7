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
