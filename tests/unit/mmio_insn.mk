# Decoder of guest instructions that touch MMIO pages (build/host/unit mmio_insn).
UNIT_SRCS += core/mmio_insn.c
UNIT_TESTS += tests/unit/test_mmio_insn.c
