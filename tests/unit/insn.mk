# Instruction decoding for SVM without NRIP-save or decode assists (build/host/unit insn).
UNIT_SRCS += core/insn.c
UNIT_TESTS += tests/unit/test_insn.c
