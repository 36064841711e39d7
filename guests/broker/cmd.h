/* SPDX-License-Identifier: MIT */
/* Broker command-line text, pure C (host-tested): line editing, parsing, options, formatting. */
#ifndef BROKER_CMD_H
#define BROKER_CMD_H

#include <hv/types.h>
#include "policy.h"

/* Longest command line the operator may type. */
#define CMD_LINE_MAX 127
/* VM names are 1 to 31 characters (docs/config.md). */
#define CMD_NAME_MAX 31

/* Console line editor: feed it one received byte at a time. */
struct line_editor {
	char buf[CMD_LINE_MAX + 1]; /* the line so far; NUL-terminated after LE_LINE */
	unsigned int len;
	bool overlong; /* more than CMD_LINE_MAX characters: the line will be rejected */
	bool after_cr; /* swallow the LF of a CR LF */
	u8 esc;	       /* 0, 1 after ESC, 2 inside an escape sequence */
};

enum le_event {
	LE_NOTHING,  /* byte ignored */
	LE_ECHO,     /* byte appended: echo it */
	LE_ERASE,    /* last byte erased: move back over it */
	LE_LINE,     /* line complete in buf; the next byte starts a new one */
	LE_OVERLONG, /* line complete but too long: reject it */
};

void le_init(struct line_editor *le);
enum le_event le_feed(struct line_editor *le, char c);

enum cmd_kind {
	CMD_EMPTY,
	CMD_HELP,
	CMD_VM_LIST,
	CMD_VM_INFO,
	CMD_VM_START,
	CMD_VM_STOP,
	CMD_VM_PAUSE,
	CMD_VM_RESUME,
	CMD_VM_DESTROY,
	CMD_VM_CREATE,
	CMD_MEM_QUOTA,
	CMD_MEM_RECLAIM,
	CMD_VCPU_ADD,
	CMD_VCPU_PARK,
	CMD_LOG,
	CMD_STATS,
	CMD_STATS_EXPORT,
	CMD_TOP,
	CMD_CONSOLE,
	CMD_ERROR,
};

/* One parsed command line. */
struct command {
	enum cmd_kind kind;
	char vm[CMD_NAME_MAX + 1];   /* the VM as typed: id or name (vm create: config name) */
	u64 size;		     /* mem quota: bytes */
	const char *error;	     /* CMD_ERROR: what is wrong */
	char word[CMD_NAME_MAX + 1]; /* CMD_ERROR: the offending word (cut, sanitised) or "" */
	const char *hint;	     /* CMD_ERROR: what would be right, or NULL */
};

/* Parse one line; never fails: bad input gives CMD_ERROR with a message. */
void cmd_parse(const char *line, struct command *cmd);

/* The operation word of a VM command ("start", "quota", "add"...). */
const char *cmd_op_name(enum cmd_kind kind);

/*
 * Index into vms of the VM a command names: a decimal id, else an exact
 * name. -1 if there is none.
 */
int cmd_find_vm(const char *id_or_name, const struct broker_vm *vms, unsigned int n);

/* Decimal bytes with an optional K/M/G suffix, non-zero, a multiple of 4 KiB. */
bool cmd_parse_size(const char *s, u64 *out);
/* Decimal number that fits in 32 bits, digits only. */
bool cmd_parse_u32(const char *s, u32 *out);

/*
 * Find key=value in a kernel command line. The value runs to the next blank,
 * or to the matching quote when it starts with ' or " (sprout.cfg cannot
 * quote a ", so run='a; b' is the way to pass commands with blanks).
 * Returns 1 and copies the value, 0 if key is absent, -1 if out is too small.
 */
int cmd_opt_get(const char *cmdline, const char *key, char *out, size_t outlen);

/*
 * Next ';'-separated command of a run= list at *cursor, blanks trimmed,
 * copied to out (cut to outlen - 1). Returns false when nothing is left.
 */
bool cmd_next(const char **cursor, char *out, size_t outlen);

/*
 * value / unit in decimal with one decimal place (cut, not rounded) into
 * buf (>= 24 bytes); ".0" is left out when trim is set. Returns buf.
 */
char *cmd_fmt_dec1(char *buf, u64 value, u64 unit, bool trim);

/* bytes as "N MiB" when a whole number of MiB, else "N KiB" (cut) into buf (>= 32 bytes). */
char *cmd_fmt_size(char *buf, u64 bytes);

/* "running", "paused"...; "?" for an unknown state. */
const char *cmd_state_name(u32 state);

/* How a VM stopped (sprout_vm_info.stop_kind): "exit", "crash"...; "?" if unknown. */
const char *cmd_stop_kind_name(u32 kind);

/* "-EPERM"... for a negative hypercall result; "-E?" for an unknown one. */
const char *cmd_err_name(long err);
/* A few words on the error ("not permitted"...). */
const char *cmd_err_text(long err);
/* Why HC_CONSOLE_ATTACH refused a VM ("it is not running"...), from its error. */
const char *cmd_console_refusal(long err);

#endif
