/* SPDX-License-Identifier: MIT */
/* hostile's badstate mode: invalid CR0/CR4/EFER/XCR0/MSR loads, each must fault. */
#ifndef HOSTILE_BADSTATE_H
#define HOSTILE_BADSTATE_H

/* Run every case in this VM; report_summary()'s status (0 only if all passed). */
int badstate_run(void);

#endif
