# Who owns the host console: typed bytes, the escape key, pending input, output styles
# (build/host/unit conmux).
UNIT_SRCS += broker/conmux.c
UNIT_TESTS += tests/unit/test_conmux.c
