# SPDX-License-Identifier: MIT
# libFuzzer harnesses (clang): `make fuzz` runs each for FUZZ_SECONDS, `make fuzz-smoke` for 15 s.
#
# To add a fuzzer NAME: write tests/fuzz/fuzz_NAME.c (LLVMFuzzerTestOneInput),
# put seeds in tests/fuzz/corpus/NAME/ (optional: a dictionary tests/fuzz/NAME.dict)
# and, in a .mk file of your own (tests/fuzz/NAME.mk is picked up here),
#     FUZZERS += NAME
#     FUZZ_SRCS_NAME := path/to/module.c ...
# That gives build/fuzz/fuzz_NAME and the targets fuzz-NAME and fuzz-smoke-NAME.

FUZZ_CC            ?= clang
FUZZ_SECONDS       ?= 60
FUZZ_SMOKE_SECONDS ?= 15
FUZZ_MAX_LEN       ?= 8192
FUZZ_CFLAGS := -std=gnu11 -O1 -g -DSPROUT_HOST -Iinclude -Iarch/x86/include \
	-fsanitize=fuzzer,address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer -Wall -Wextra -Werror -Wno-unused-parameter
# Host printk()/panic() and the library pieces glibc lacks.
FUZZ_COMMON_SRCS := tests/fuzz/fuzz_shim.c lib/strlcpy.c lib/errno.c

FUZZERS += config
FUZZ_SRCS_config := core/config.c

-include $(filter-out tests/fuzz/fuzz.mk,$(wildcard tests/fuzz/*.mk))

# New inputs go to build/fuzz/corpus/NAME, so the seeds in the tree stay as they are.
# $(1) = fuzzer name, $(2) = seconds.
fuzz_run = mkdir -p $(BUILD)/fuzz/corpus/$(1) $(BUILD)/fuzz/artifacts/$(1) && \
	$(BUILD)/fuzz/fuzz_$(1) -max_total_time=$(2) -max_len=$(FUZZ_MAX_LEN) \
	-print_final_stats=1 -artifact_prefix=$(BUILD)/fuzz/artifacts/$(1)/ \
	$(if $(wildcard tests/fuzz/$(1).dict),-dict=tests/fuzz/$(1).dict) \
	$(BUILD)/fuzz/corpus/$(1) $(wildcard tests/fuzz/corpus/$(1))

define FUZZ_template
.PHONY: fuzz-$(1) fuzz-smoke-$(1)
$(BUILD)/fuzz/fuzz_$(1): tests/fuzz/fuzz_$(1).c $$(FUZZ_SRCS_$(1)) $(FUZZ_COMMON_SRCS) \
		$(wildcard include/hv/*.h) tests/fuzz/fuzz.mk tests/fuzz/fuzz.h
	@mkdir -p $$(dir $$@)
	@echo "  FUZZCC  $$@"
	$(Q)$(FUZZ_CC) $(FUZZ_CFLAGS) $$(filter %.c,$$^) -o $$@

fuzz-$(1): $(BUILD)/fuzz/fuzz_$(1)
	$(Q)$$(call fuzz_run,$(1),$(FUZZ_SECONDS))

fuzz-smoke-$(1): $(BUILD)/fuzz/fuzz_$(1)
	$(Q)$$(call fuzz_run,$(1),$(FUZZ_SMOKE_SECONDS))
endef

$(foreach f,$(sort $(FUZZERS)),$(eval $(call FUZZ_template,$(f))))

.PHONY: fuzz fuzz-smoke fuzz-build
fuzz: $(addprefix fuzz-,$(sort $(FUZZERS)))
fuzz-smoke: $(addprefix fuzz-smoke-,$(sort $(FUZZERS)))
fuzz-build: $(addprefix $(BUILD)/fuzz/fuzz_,$(sort $(FUZZERS)))

# `make test` stage: every fuzzer for FUZZ_CHECK_SECONDS from its seeds; a crash, a
# sanitizer report or a broken invariant fails it. Ends with "N passed, N failed".
FUZZ_CHECK_SECONDS ?= 10
.PHONY: fuzz-check
fuzz-check: fuzz-build
	$(Q)p=0; f=0; for n in $(sort $(FUZZERS)); do \
		if $(MAKE) --no-print-directory FUZZ_SMOKE_SECONDS=$(FUZZ_CHECK_SECONDS) \
			fuzz-smoke-$$n >$(BUILD)/fuzz/check-$$n.log 2>&1; then \
			echo "PASS fuzz $$n ($$(grep -aoE 'stat::number_of_executed_units: *[0-9]+' \
				$(BUILD)/fuzz/check-$$n.log | grep -oE '[0-9]+$$') runs)"; p=$$((p + 1)); \
		else echo "FAIL fuzz $$n (see $(BUILD)/fuzz/check-$$n.log)"; f=$$((f + 1)); fi; \
	done; echo "$$p passed, $$f failed"; [ $$f -eq 0 ]
