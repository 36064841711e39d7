/* SPDX-License-Identifier: MIT */
/* Shared state and functions of the broker domain's files (not part of any ABI). */
#ifndef BROKER_BROKER_H
#define BROKER_BROKER_H

#include <stdarg.h>
#include <hv/types.h>
#include <public/hypercall.h>
#include "policy.h"

/* VMs the broker keeps track of: all the hypervisor's table holds. */
#define BROKER_MAX_VMS SPROUT_VM_MAX

/* ---- out.c: console output, line-buffered ---- */

/* Queue bytes for the console; a newline (or a full buffer) sends the line. */
void out_write(const char *s, size_t n);
void out_putc(char c);
int out_printf(const char *fmt, ...) __printf(1, 2);
int out_vprintf(const char *fmt, va_list ap) __printf(1, 0);
/* Send what is queued: a prompt or echo without a newline. */
void out_flush(void);

/* ---- main.c: settings, console, logging ---- */

extern u64 broker_period_us;
extern struct policy_config broker_policy;

/*
 * Print "broker: <message>" on its own line. A prompt with a half-typed
 * command on the screen is moved below the message, so log lines never
 * end up in the middle of what the operator types.
 */
void broker_log(const char *fmt, ...) __printf(1, 2);

/* The prompt, without its blank: "sprout>". */
#define PROMPT_TEXT "sprout>"

/* The host console went to VM id (HC_CONSOLE_ATTACH): no prompt until it comes back. */
void broker_console_attached(u32 id);
/* `top`: draw the table now and each period until a key is typed. */
void broker_top_start(void);
/* SPROUT_MSG_CONSOLE_DETACHED: say so and show the prompt again. */
void broker_console_detached(const struct sprout_msg *m);

/* ---- table.c: the VM table and host figures ---- */

extern struct broker_vm vm_table[BROKER_MAX_VMS];
extern unsigned int vm_count;
extern struct sprout_host_stats host_stats;
/* host_stats holds figures from a successful HC_HOST_STATS. */
extern bool host_stats_ok;

/*
 * Re-read the VM table with HC_VM_LIST. With tick set, one period of
 * elapsed_us has passed and each VM's activity is sampled. Returns the
 * number of VMs or a negative error (the table is then unchanged).
 */
long table_refresh(bool tick, u64 elapsed_us);

/* HC_HOST_STATS into host_stats; 0 or a negative error. */
long host_refresh(void);

/* The row of VM id, or NULL. */
struct broker_vm *table_find(u32 id);

/* Name of VM id for log lines: the last one seen if it left the table, "?" if none. */
const char *table_name(u32 id);

/* Make a row from the hypervisor safe to print: NUL-terminated, no control bytes. */
void table_sanitize(struct sprout_vm_info *info);

/* HC_VM_INFO of one VM into *out (sanitised); 0 or a negative error. */
long table_vm_info(u32 id, struct sprout_vm_info *out);

/* ---- ring.c: messages from the hypervisor ---- */

/* Register the ring page with HC_BROKER_RING_SETUP; 0 or a negative error. */
long ring_setup(void);

/* Handle every message posted since the last call. */
void ring_drain(void);

/* ---- mem.c: memory requests ---- */

/* Decide a MEM_REQUEST or HOST_LOW message and answer it. */
void mem_request(const struct sprout_msg *msg);

/* vcpu.c: a park the hypervisor asked of an ACPI guest was not done; log it. */
void vcpu_kept(const struct sprout_msg *m);

/* Called every period: decide requests the table shows but the ring never brought. */
void mem_check_stale(void);

/* ---- history.c: the timeline of samples and decisions (timeline.c) ---- */

/* Read stats-every= from the command line; start with an empty timeline. */
void history_init(void);
/* Each period: take a sample when stats-every has passed since the last one. */
void history_period(u64 now_us);
/* One decision (enum tl_event_kind), for the timeline's marks. */
void history_event(u32 vm_id, unsigned int kind, u64 arg);
/* `stats export`: the timeline as CSV between marker lines. */
void history_export(void);

/* ---- cli.c: operator commands ---- */

/* Parse and execute one command line, printing its result. */
void cli_run(const char *line);

#endif
