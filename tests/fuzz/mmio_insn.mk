# Decoder of guest instructions that touch MMIO (core/mmio_insn.c) under libFuzzer; the first
# input byte picks 16-, 32- or 64-bit mode, seeds in tests/fuzz/corpus/mmio_insn/.
FUZZERS += mmio_insn
FUZZ_SRCS_mmio_insn := core/mmio_insn.c
