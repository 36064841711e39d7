/* SPDX-License-Identifier: MIT */
/* Links the helpers of guests/common/ into smpboot (guests.mk builds one directory per guest). */
#include "../common/options.c"
#include "../common/clock.c"
#include "../common/ram.c"
