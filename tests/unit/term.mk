# The framebuffer console's character grid: wrapping, scrolling, CSI erase and moves
# (build/host/unit term).
UNIT_SRCS += core/term.c
UNIT_TESTS += tests/unit/test_term.c
