# Guest image loaders (PVH ELF, multiboot v1); pure C, also built into the host unit tests.
HV_SRCS += core/loader/loader.c core/loader/layout.c core/loader/elf.c core/loader/pvh.c \
	core/loader/multiboot.c core/loader/bzimage.c
