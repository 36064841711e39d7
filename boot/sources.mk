# Sources of boot.
MB2_SRCS += boot/mb2_entry.S boot/multiboot2.c
EFI_SRCS += boot/uefi.c
