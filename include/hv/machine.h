/* SPDX-License-Identifier: MIT */
/* The machine as a whole: when it is done, and with which exit status (test mode). */
#ifndef HV_MACHINE_H
#define HV_MACHINE_H

#include <hv/types.h>

struct vm;
struct sprout_config;

/* Settings from the config: which VMs' exits end the machine (test mode), if any. */
void machine_init(const struct sprout_config *cfg);

/*
 * A VM has stopped: in test mode, once every test VM has, the machine ends
 * with the first non-zero status among them in the config's order (else 0).
 */
void machine_vm_stopped(struct vm *vm);

/* A CPU found nothing to run: end the machine once no VM is left alive. */
void machine_idle_check(void);

#endif
