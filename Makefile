# SPDX-License-Identifier: MIT
# Sprout: one Makefile for the hypervisor, guests, images and tests. `make help` lists targets.

BUILD   ?= build
CONFIG  ?= configs/demo.cfg
CC      := gcc
LD      := ld
OBJCOPY := objcopy
V       ?= 0
Q       := $(if $(filter 1,$(V)),,@)

EFI_INC := /usr/include/efi
EFI_LIB := /usr/lib

WARN := -Wall -Wextra -Werror -Wshadow -Wmissing-prototypes -Wstrict-prototypes \
	-Wvla -Wpointer-arith -Wundef -Wformat=2 -Wimplicit-fallthrough \
	-Wmissing-declarations -Wcast-qual -Wno-unused-parameter

# The hypervisor is compiled once as position-independent code with hidden
# visibility (RIP-relative references, no GOT) and linked twice: as a PE/COFF
# UEFI application through gnu-efi, and as a fixed-address multiboot2 ELF.
HV_CFLAGS := -std=gnu11 -O2 -g -ffreestanding -fno-builtin -nostdinc \
	-isystem $(shell $(CC) -print-file-name=include) \
	-fno-stack-protector -fno-stack-check -mno-red-zone -mgeneral-regs-only \
	-fpic -fvisibility=hidden -fno-asynchronous-unwind-tables \
	-fno-omit-frame-pointer -fno-strict-aliasing -fcf-protection=none \
	-Iinclude -Iarch/x86/include $(WARN)
HV_ASFLAGS := -Iinclude -Iarch/x86/include -D__ASSEMBLY__
EFI_CFLAGS := -I$(EFI_INC) -I$(EFI_INC)/x86_64 -fshort-wchar -DGNU_EFI_USE_MS_ABI \
	-Wno-strict-prototypes -Wno-cast-qual -DEFI_DEBUG=0

HV_SRCS :=
EFI_SRCS :=
MB2_SRCS :=
include boot/sources.mk arch/x86/sources.mk core/sources.mk mm/sources.mk \
	lib/sources.mk sched/sources.mk broker/sources.mk
-include arch/x86/svm/sources.mk arch/x86/vmx/sources.mk core/vdev/sources.mk

obj = $(patsubst %,$(BUILD)/hv/%.o,$(basename $(1)))
HV_OBJS  := $(call obj,$(HV_SRCS))
EFI_OBJS := $(call obj,$(EFI_SRCS))
MB2_OBJS := $(call obj,$(MB2_SRCS))

.PHONY: all hv guests images run test unit tools-check plot integration integration-slow soak bench analyze cppcheck tidy \
	fuzz format format-check analyze tidy cppcheck deps clean help

all: hv guests images

hv: $(BUILD)/sprout.efi $(BUILD)/sprout.elf

help:
	@echo "Sprout targets:"
	@echo "  make            build hypervisor (efi+elf), guests, ISO and USB image"
	@echo "  make run        build and boot CONFIG (default $(CONFIG)) under QEMU (SVM), console here"
	@echo "  make run-bochs  same under Bochs (VMX)"
	@echo "  make test       unit tests (host, ASan+UBSan) and integration boot scenarios"
	@echo "  make unit       host unit tests only"
	@echo "  make integration  boot scenarios only (QEMU and Bochs)"
	@echo "  make integration-slow  exhaustive scenarios, not part of make test"
	@echo "  make soak       the integration suite SOAK=20 times, failures per scenario"
	@echo "  make bench      microbenchmarks under QEMU and Bochs, with ratios"
	@echo "  make fuzz       run the parser fuzzers for a while (clang libFuzzer; fuzz-check: 10 s each)"
	@echo "  make format / format-check   clang-format the tree / check it"
	@echo "  make analyze    clang-tidy and cppcheck over the hypervisor"
	@echo "  make deps       install missing Debian packages"
	@echo "  make clean"
	@echo "Variables: CONFIG=file.cfg  BUILD=dir  V=1"

deps:
	$(Q)tools/install-deps.sh

$(BUILD)/.deps-ok: tools/install-deps.sh
	$(Q)tools/install-deps.sh
	$(Q)mkdir -p $(BUILD) && touch $@

# ---- hypervisor objects ----
$(BUILD)/hv/%.o: %.c $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(HV_CFLAGS) $(if $(filter boot/uefi%,$<),$(EFI_CFLAGS)) -MMD -MP -c $< -o $@

$(BUILD)/hv/%.o: %.S $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(HV_ASFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/sprout.so: $(EFI_OBJS) $(HV_OBJS)
	@echo "  LD      $@"
	$(Q)$(LD) -nostdlib -znocombreloc -shared -Bsymbolic --no-undefined \
		-T $(EFI_LIB)/elf_x86_64_efi.lds $(EFI_LIB)/crt0-efi-x86_64.o \
		$^ -L$(EFI_LIB) -lgnuefi -o $@

$(BUILD)/sprout.efi: $(BUILD)/sprout.so
	@echo "  EFI     $@"
	$(Q)$(OBJCOPY) -j .text -j .sdata -j .data -j .dynamic -j .dynsym -j .rel \
		-j .rela -j '.rel.*' -j '.rela.*' -j .reloc --target efi-app-x86_64 \
		--subsystem=10 $< $@

$(BUILD)/sprout.elf: $(MB2_OBJS) $(HV_OBJS) linker.ld
	@echo "  LD      $@"
	$(Q)$(LD) -nostdlib -static -z max-page-size=0x1000 --no-dynamic-linker \
		-T linker.ld $(MB2_OBJS) $(HV_OBJS) -o $@

-include $(HV_OBJS:.o=.d) $(EFI_OBJS:.o=.d) $(MB2_OBJS:.o=.d)

# ---- guests, images ----
-include guests/guests.mk
-include tools/images.mk
-include tools/bench.mk

# ---- host unit tests ----
UNIT_SRCS :=
UNIT_TESTS :=
include $(wildcard tests/unit/*.mk)
HOST_CFLAGS := -std=gnu11 -O1 -g -DSPROUT_HOST -Iinclude -Iarch/x86/include \
	-fsanitize=address,undefined -fno-sanitize-recover=undefined \
	-fno-omit-frame-pointer -pthread -Wall -Wextra -Werror -Wshadow -Wno-unused-parameter

$(BUILD)/host/unit: $(UNIT_SRCS) $(UNIT_TESTS) $(wildcard include/hv/*.h tests/unit/*.h)
	@mkdir -p $(dir $@)
	@echo "  HOSTCC  $@"
	$(Q)$(CC) $(HOST_CFLAGS) -Itests/unit $(filter %.c,$^) -o $@

unit: $(BUILD)/host/unit
	$(Q)$(BUILD)/host/unit

# Host tests of the project's Python tools (tools/plot.py), on logs made by the tests.
tools-check: $(BUILD)/.deps-ok
	$(Q)python3 tests/tools/run.py

# The timeline picture of the last `make run` (type `stats export` at sprout> first):
# $(BUILD)/plot/timeline.png and .svg. PLOT_LOG= picks another console log.
PLOT_LOG ?= $(BUILD)/run-e9.log
plot: $(BUILD)/.deps-ok
	$(Q)python3 tools/plot.py $(PLOT_LOG) -o $(BUILD)/plot/timeline

-include tests/integration/integration.mk
-include tests/fuzz/fuzz.mk

test: $(BUILD)/.deps-ok
	$(Q)tools/run-tests.sh

# ---- style and analysis ----
FORMAT_FILES = $(shell git ls-files '*.c' '*.h' 2>/dev/null)
format:
	$(Q)clang-format -i $(FORMAT_FILES)
format-check:
	$(Q)clang-format --dry-run --Werror $(FORMAT_FILES) && echo "format-check: clean"

clean:
	rm -rf $(BUILD)

# Static analysis of the hypervisor and guest sources (warnings are errors).
ANALYZE_DIRS := arch boot core mm sched broker lib guests
analyze: cppcheck tidy
cppcheck:
	$(Q)cppcheck --quiet --enable=warning,portability --std=c11 -Iinclude -Iarch/x86/include \
		-D__x86_64__ --suppress=missingIncludeSystem --inline-suppr --error-exitcode=1 \
		--template='{file}:{line}: {id}: {message}' $(ANALYZE_DIRS) && echo "cppcheck: clean"
TIDY_SRCS = $(filter %.c,$(filter-out boot/uefi.c,$(HV_SRCS) $(MB2_SRCS)))
tidy:
	$(Q)mkdir -p $(BUILD); rc=0; clang-tidy --quiet --warnings-as-errors='*' \
		--checks='-*,bugprone-*,-bugprone-easily-swappable-parameters,-bugprone-reserved-identifier,-bugprone-narrowing-conversions,-bugprone-macro-parentheses,-bugprone-branch-clone,-bugprone-implicit-widening-of-multiplication-result,-bugprone-assignment-in-if-condition,-bugprone-suspicious-string-compare,clang-analyzer-*,-clang-analyzer-security.insecureAPI.*,-clang-analyzer-valist.*' \
		$(TIDY_SRCS) -- -std=gnu11 -ffreestanding -Iinclude -Iarch/x86/include \
		-D__x86_64__ >$(BUILD)/tidy.log 2>&1 || rc=$$?; \
		grep -vE "warnings? generated" $(BUILD)/tidy.log || true; \
		if [ $$rc -eq 0 ]; then echo "clang-tidy: clean"; else exit $$rc; fi
