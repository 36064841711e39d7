# SPDX-License-Identifier: MIT
# `make bench` (included by the Makefile): tools/bench.sh measures everything in one
# run and prints figures, ratios and a summary (docs/bench.md). Not part of `make test`.
# Pick parts with BENCH="svm-qemu bochs memory vcpu linux linux-hotplug footprint" (default: all).

BENCH ?=

bench: hv guests $(BUILD)/.deps-ok
	$(Q)BUILD=$(BUILD) tools/bench.sh $(BENCH)

.PHONY: bench
