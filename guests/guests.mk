# SPDX-License-Identifier: MIT
# Test guests: guests/lib (PVH entry, console, reports) linked into each $(BUILD)/guests/NAME.elf.

# Every directory named here is one guest: all its .c and .S files plus the lib.
GUESTS += hello hostile bench memtouch canary hcfuzz broker cpuburn smpboot platform apic

GUEST_CFLAGS := -std=gnu11 -m64 -O2 -g -ffreestanding -nostdlib -nostdinc \
	-isystem $(shell $(CC) -print-file-name=include) \
	-fno-pic -fno-pie -mno-red-zone -mgeneral-regs-only -mcmodel=small \
	-fno-stack-protector -fno-stack-check -fno-asynchronous-unwind-tables \
	-fcf-protection=none -fno-strict-aliasing -Iguests/lib -Iinclude $(WARN)
GUEST_ASFLAGS := -m64 -Iguests/lib -Iinclude -D__ASSEMBLY__
GUEST_LDS := guests/lib/guest.ld
GUEST_LDFLAGS := -nostdlib -static -no-pie -z max-page-size=0x1000 -z noexecstack \
	--no-dynamic-linker --build-id=none -T $(GUEST_LDS)

# Pure C of the hypervisor a guest links too (built with the guest's flags):
# the placement rule, so the broker counts free cores as the hypervisor does.
broker_SHARED_SRCS := sched/place.c

guest_obj = $(patsubst %,$(BUILD)/%.o,$(basename $(1)))
shared_obj = $(patsubst %,$(BUILD)/guests/shared/%.o,$(basename $(1)))
GUEST_LIB_OBJS := $(call guest_obj,$(wildcard guests/lib/*.c guests/lib/*.S))
GUEST_ELFS := $(patsubst %,$(BUILD)/guests/%.elf,$(GUESTS))

guests: $(GUEST_ELFS)

$(BUILD)/guests/%.o: guests/%.c
	@mkdir -p $(dir $@)
	@echo "  CC      $<"
	$(Q)$(CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/guests/shared/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "  CC      $< (guest)"
	$(Q)$(CC) $(GUEST_CFLAGS) -MMD -MP -c $< -o $@

$(BUILD)/guests/%.o: guests/%.S
	@mkdir -p $(dir $@)
	@echo "  AS      $<"
	$(Q)$(CC) $(GUEST_ASFLAGS) -MMD -MP -c $< -o $@

# One link rule per guest, since each links the objects of its own directory.
define guest_rule
$(1)_GUEST_OBJS := $$(call guest_obj,$$(wildcard guests/$(1)/*.c guests/$(1)/*.S)) \
	$$(call shared_obj,$$($(1)_SHARED_SRCS))
$$(BUILD)/guests/$(1).elf: $$($(1)_GUEST_OBJS) $$(GUEST_LIB_OBJS) $$(GUEST_LDS)
	@echo "  LD      $$@"
	$$(Q)$$(LD) $$(GUEST_LDFLAGS) $$($(1)_GUEST_OBJS) $$(GUEST_LIB_OBJS) -o $$@
-include $$($(1)_GUEST_OBJS:.o=.d)
endef
$(foreach g,$(sort $(GUESTS)),$(eval $(call guest_rule,$(g))))

-include $(GUEST_LIB_OBJS:.o=.d)

# Linux guest artifacts from the Debian packages linux-image-amd64 and
# busybox-static (tools/install-deps.sh installs them): the distribution's
# bzImage (the newest /boot/vmlinuz-*; LINUX_BZIMAGE= picks another), the ELF
# vmlinux out of it, and a busybox initramfs with guests/linux/init. The kernel
# is looked up when the rule runs, after the package may just have been installed.
BUSYBOX ?= /bin/busybox
LINUX_ARTIFACTS := $(BUILD)/guests/bzImage $(BUILD)/guests/vmlinux \
	$(BUILD)/guests/linux-initrd.cpio.gz

guests: $(LINUX_ARTIFACTS)

$(BUILD)/guests/bzImage: | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	$(Q)bz="$(LINUX_BZIMAGE)"; [ -n "$$bz" ] || bz=$$(ls /boot/vmlinuz-* 2>/dev/null | sort -V | tail -n 1); \
	if [ -z "$$bz" ]; then echo "guests: no /boot/vmlinuz-*: install linux-image-amd64 (make deps)" >&2; exit 1; fi; \
	echo "  BZIMAGE $$bz"; cp "$$bz" $@

$(BUILD)/guests/vmlinux: $(BUILD)/guests/bzImage tools/mklinux.py
	@echo "  VMLINUX $<"
	$(Q)python3 tools/mklinux.py vmlinux $< $@

# User programs of the initramfs: freestanding C (raw system calls), static.
LINUX_PROGS := $(BUILD)/guests/linux/sprout-memtouch
LINUX_CC ?= gcc

$(BUILD)/guests/linux/sprout-%: guests/linux/%.c
	@mkdir -p $(dir $@)
	@echo "  LINUXCC $@"
	$(Q)$(LINUX_CC) -static -nostdlib -ffreestanding -fno-stack-protector -fno-pie -no-pie -O2 \
		-Wall -Wextra -Werror -o $@ $<

$(BUILD)/guests/linux-initrd.cpio.gz: guests/linux/init $(LINUX_PROGS) tools/mklinux.py | $(BUILD)/.deps-ok
	@mkdir -p $(dir $@)
	@echo "  CPIO    $@"
	$(Q)python3 tools/mklinux.py initramfs $(BUSYBOX) $< $@ $(LINUX_PROGS)
