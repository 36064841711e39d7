# SPDX-License-Identifier: MIT
# Boot images for CONFIG (included by the Makefile): the ESP directory, the USB disk
# image and the GRUB ISO, and the targets that boot them: run, run-iso, run-bochs,
# run-bochs-esp. The image tools themselves are tools/mk{esp,usb,iso}.sh.

ESP_DIR := $(BUILD)/esp
USB_IMG := $(BUILD)/sprout-usb.img
ISO_IMG := $(BUILD)/sprout.iso

# Guest files the config names that already exist ($(BUILD)/guests/ or the config's
# directory). On a clean tree there are none yet: the order-only `guests` below builds
# them before any image, and the images do not exist yet either.
IMG_NAMES := $(shell tools/config-files.sh $(CONFIG) 2>/dev/null)
IMG_GUESTS := $(wildcard $(foreach f,$(IMG_NAMES),$(BUILD)/guests/$(f) $(dir $(CONFIG))$(f)))

# Remember which config the images were made from, so CONFIG=other.cfg rebuilds them
# even when other.cfg is older than the images.
$(BUILD)/.image-config: images-force
	@mkdir -p $(BUILD)
	@echo '$(abspath $(CONFIG))' | cmp -s - $@ || echo '$(abspath $(CONFIG))' >$@

IMG_INPUTS := $(BUILD)/.deps-ok $(CONFIG) $(IMG_GUESTS) $(BUILD)/.image-config \
	tools/config-files.sh

images: $(ESP_DIR)/EFI/BOOT/BOOTX64.EFI $(USB_IMG) $(ISO_IMG)

$(ESP_DIR)/EFI/BOOT/BOOTX64.EFI: $(IMG_INPUTS) $(BUILD)/sprout.efi tools/mkesp.sh | guests
	@echo "  ESP     $(ESP_DIR)/"
	$(Q)tools/mkesp.sh $(CONFIG) $(ESP_DIR) $(BUILD)

$(USB_IMG): $(IMG_INPUTS) $(BUILD)/sprout.efi tools/mkesp.sh tools/mkusb.sh | guests
	@echo "  USB     $@"
	$(Q)tools/mkusb.sh $(CONFIG) $@ $(BUILD)

$(ISO_IMG): $(IMG_INPUTS) $(BUILD)/sprout.elf tools/mkiso.sh | guests
	@echo "  ISO     $@"
	$(Q)tools/mkiso.sh $(CONFIG) $@ $(BUILD)

# ---- booting them ----

# QEMU_SCREEN=1: a VGA display (QEMU_DISPLAY=gtk, a window, needs Debian's
# qemu-system-gui; or e.g. vnc=127.0.0.1:1) and no serial port, so Sprout's console
# is on the screen and reads the keyboard; the QEMU monitor is then on this terminal.
QEMU_SCREEN ?= 0
QEMU_DISPLAY ?= gtk
ifeq ($(QEMU_SCREEN),1)
QEMU_IO := -device VGA -display $(QEMU_DISPLAY) -serial none -monitor stdio
QEMU_QUIT := The console is on the screen; type quit here to end.
else
QEMU_IO := -display none -serial mon:stdio
QEMU_QUIT := Ctrl-A X quits.
endif
# QEMU_ACCEL=tcg,thread=single: one host thread for all CPUs, which avoids QEMU's
# multi-threaded TCG race on CPU 0's SVM state (README, "Limits").
QEMU_SVM := qemu-system-x86_64 -nodefaults -accel $(or $(QEMU_ACCEL),tcg) -cpu qemu64,+svm,+npt -smp 4 \
	-m 512M -no-reboot $(QEMU_IO) \
	-debugcon file:$(BUILD)/run-e9.log -device isa-debug-exit,iobase=0xf4,iosize=0x04
QEMU_EXTRA ?=
BOCHS_MODEL ?= corei7_skylake_x
BOCHS_CPUS ?= 1

# QEMU's status after isa-debug-exit is (N << 1) | 1: show N instead of failing make.
qemu_status = rc=$$?; if [ $$rc -ne 0 ]; then if [ $$((rc & 1)) -eq 1 ]; then \
	echo "run: hypervisor exit status $$((rc >> 1))"; else \
	echo "run: qemu exit code $$rc"; exit $$rc; fi; fi

run: $(BUILD)/.deps-ok $(USB_IMG)
	@cp /usr/share/OVMF/OVMF_VARS_4M.fd $(BUILD)/run-vars.fd
	@echo "  RUN     $(USB_IMG): QEMU+OVMF, AMD SVM. $(QEMU_QUIT) Port 0xE9: $(BUILD)/run-e9.log"
	$(Q)$(QEMU_SVM) -M q35 \
		-drive if=pflash,format=raw,readonly=on,file=/usr/share/OVMF/OVMF_CODE_4M.fd \
		-drive if=pflash,format=raw,file=$(BUILD)/run-vars.fd \
		-drive format=raw,file=$(USB_IMG),if=virtio $(QEMU_EXTRA); $(qemu_status)

run-iso: $(BUILD)/.deps-ok $(ISO_IMG)
	@echo "  RUN     $(ISO_IMG): QEMU BIOS, AMD SVM. Ctrl-A X quits. Port 0xE9: $(BUILD)/run-e9.log"
	$(Q)$(QEMU_SVM) -M pc -cdrom $(ISO_IMG) $(QEMU_EXTRA); $(qemu_status)

# Bochs: port 0xE9 (the console) on this terminal and in $(BUILD)/run-bochs-e9.log,
# COM1 in $(BUILD)/run-bochs-com1.log. Ctrl-C quits (the rc file says `c` then `q`).
define bochs_run
	@sed -e 's|@MEGS@|512|' -e 's|@MODEL@|$(BOCHS_MODEL)|' -e 's|@COUNT@|$(BOCHS_CPUS)|' \
		-e 's|@IPS@|20000000|' -e 's|@ISO@|$(ISO_IMG)|' -e 's|@ESP@|$(ESP_DIR)|' \
		-e 's|@OVMF@|/usr/share/ovmf/OVMF.fd|' -e 's|@COM1@|$(BUILD)/run-bochs-com1.log|' \
		-e 's|@LOG@|$(BUILD)/run-bochs.log|' -e 's|@DISPLAY@|term|' $(1) >$(BUILD)/run-bochsrc
	@echo "  RUN     Bochs $(BOCHS_MODEL) x$(BOCHS_CPUS). Ctrl-C quits. Bochs log: $(BUILD)/run-bochs.log"
	$(Q)TERM=dumb bochs -q -f $(BUILD)/run-bochsrc -rc tests/integration/bochs-cont.rc \
		| tee -i $(BUILD)/run-bochs-e9.log
endef

run-bochs: $(BUILD)/.deps-ok $(ISO_IMG)
	$(call bochs_run,tests/integration/bochsrc-iso.in)

run-bochs-esp: $(BUILD)/.deps-ok $(ESP_DIR)/EFI/BOOT/BOOTX64.EFI
	$(call bochs_run,tests/integration/bochsrc-esp-ovmf.in)

.PHONY: images-force run-iso run-bochs run-bochs-esp
