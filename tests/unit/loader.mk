# Guest image loaders and their tests (build/host/unit loader).
UNIT_SRCS += core/loader/loader.c core/loader/layout.c core/loader/elf.c core/loader/pvh.c \
	core/loader/multiboot.c core/loader/bzimage.c
UNIT_TESTS += tests/unit/test_loader_util.c tests/unit/test_loader_elf.c \
	tests/unit/test_loader_pvh.c tests/unit/test_loader_mb.c tests/unit/test_loader_bz.c
