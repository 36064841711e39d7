# Framework and freestanding library pieces that also build on the host.
UNIT_SRCS += tests/unit/main.c tests/unit/host_shim.c lib/strlcpy.c lib/errno.c
