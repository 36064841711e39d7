/* SPDX-License-Identifier: MIT */
/* Functions shared between the files of the guest lib, not part of its API. */
#ifndef GUEST_INTERNAL_H
#define GUEST_INTERNAL_H

struct trap_frame;

/* Install handlers for vectors 0-31 (traps.c). */
void traps_init(void);

/* Called by isr.S for every exception with the saved registers. */
void trap_handler(struct trap_frame *f);

#endif
