# Virtual 16550A UART (build/host/unit vuart).
UNIT_SRCS += core/vdev/vuart.c
UNIT_TESTS += tests/unit/test_vuart.c
