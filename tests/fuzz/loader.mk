# The guest image loaders under libFuzzer (make fuzz-loader); seeds in tests/fuzz/corpus/loader/.
FUZZERS += loader
FUZZ_SRCS_loader := core/loader/loader.c core/loader/layout.c core/gpmap.c core/loader/elf.c \
	core/loader/pvh.c core/loader/multiboot.c core/loader/bzimage.c
