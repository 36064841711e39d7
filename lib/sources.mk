# Sources of lib.
HV_SRCS += lib/string.c lib/printf.c lib/strlcpy.c lib/errno.c
