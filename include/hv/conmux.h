/* SPDX-License-Identifier: MIT */
/* Who owns the host console: the broker's prompt or one attached VM (pure; host-tested). */
#ifndef HV_CONMUX_H
#define HV_CONMUX_H

#include <hv/types.h>
#include <public/hypercall.h>

/* Ctrl-]: typed while a VM is attached, it returns the console to the broker. */
#define CONMUX_ESCAPE SPROUT_CONSOLE_ESCAPE
/* Typed bytes kept while the attached VM's UART has no room (a pasted line fits). */
#define CONMUX_PENDING 512
#define CONMUX_NONE    0xffffffffu

/*
 * vm_id is read without the owner's lock by output paths on any CPU; a line
 * printed while an attach or detach is under way may take either style.
 */
struct conmux {
	u32 vm_id; /* attached VM, or CONMUX_NONE: typed bytes go to the broker */
	u8 pending[CONMUX_PENDING];
	u32 head, tail; /* pending[tail..head) modulo CONMUX_PENDING, counted for ever */
	u64 dropped;	/* bytes typed while pending was full */
};

/* Where a typed byte went. */
enum conmux_dest {
	CONMUX_TO_BROKER, /* no VM attached: the broker's UART takes it */
	CONMUX_TO_VM,	  /* kept in pending for the attached VM */
	CONMUX_DETACH,	  /* the escape key: the VM is detached, pending is emptied */
	CONMUX_DROPPED,	  /* pending was full */
};

/* How a VM's console output is printed. */
enum conmux_style {
	CONMUX_PREFIX,	 /* "[name] line", on a fresh line */
	CONMUX_RAW,	 /* the attached VM: every byte as it comes, escapes included */
	CONMUX_OPERATOR, /* the broker, nothing attached: its lines as they are */
	CONMUX_LINE,	 /* the broker while a VM is attached: its lines, on a fresh line */
};

void conmux_init(struct conmux *m);

/*
 * May the console attach to VM id? 0, or -ENOENT (no such VM), -EPERM (it
 * is the broker), -EINVAL (it is not running), -EBUSY (attached to it
 * already). Attaching to another VM while one is attached is allowed.
 */
int conmux_attach_check(const struct conmux *m, u32 id, bool exists, bool privileged, bool running);

/* Attach to id (checked first): pending input of a VM attached before is dropped. */
void conmux_attach(struct conmux *m, u32 id);

/* Route one typed byte. */
enum conmux_dest conmux_typed(struct conmux *m, u8 c);

/* The oldest pending byte in *c, false when none; conmux_pop() removes it once taken. */
bool conmux_peek(const struct conmux *m, u8 *c);
void conmux_pop(struct conmux *m);

/* VM id stopped: true when it was attached (the console is then the broker's again). */
bool conmux_vm_stopped(struct conmux *m, u32 id);

/* The attached VM, or CONMUX_NONE. */
u32 conmux_attached(const struct conmux *m);

/* The style of VM id's output now. */
enum conmux_style conmux_style(const struct conmux *m, u32 id, bool privileged);

#endif
