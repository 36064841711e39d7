# The screen console's character grid (core/term.c), fed a guest's console bytes as they
# come while it is attached, under libFuzzer: the first two input bytes pick the grid's
# size, seeds in tests/fuzz/corpus/term/.
FUZZERS += term
FUZZ_SRCS_term := core/term.c
