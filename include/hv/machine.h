/* SPDX-License-Identifier: MIT */
/* The machine as a whole: when it is done, and with which exit status (test mode). */
#ifndef HV_MACHINE_H
#define HV_MACHINE_H

#include <hv/types.h>

struct vm;

/* Settings from the config: which VM's exit ends the machine (test mode), or "". */
void machine_init(const char *test_vm);

/* A VM has stopped: in test mode, the test VM's stop ends the machine. */
void machine_vm_stopped(struct vm *vm);

/* A CPU found nothing to run: end the machine once no VM is left alive. */
void machine_idle_check(void);

#endif
