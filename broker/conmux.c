// SPDX-License-Identifier: MIT
/* Console ownership: where typed bytes go, the escape key, pending input, output styles. */
#include <hv/conmux.h>
#include <hv/errno.h>

void conmux_init(struct conmux *m)
{
	m->vm_id = CONMUX_NONE;
	m->head = m->tail = 0;
	m->dropped = 0;
}

int conmux_attach_check(const struct conmux *m, u32 id, bool exists, bool privileged, bool running)
{
	if (!exists)
		return -ENOENT;
	if (privileged)
		return -EPERM;
	if (!running)
		return -EINVAL;
	if (conmux_attached(m) == id)
		return -EBUSY;
	return 0;
}

static void detach(struct conmux *m)
{
	__atomic_store_n(&m->vm_id, CONMUX_NONE, __ATOMIC_RELEASE);
	m->tail = m->head;
}

void conmux_attach(struct conmux *m, u32 id)
{
	m->tail = m->head;
	__atomic_store_n(&m->vm_id, id, __ATOMIC_RELEASE);
}

enum conmux_dest conmux_typed(struct conmux *m, u8 c)
{
	if (conmux_attached(m) == CONMUX_NONE)
		return CONMUX_TO_BROKER;
	if (c == CONMUX_ESCAPE) {
		detach(m);
		return CONMUX_DETACH;
	}
	if (m->head - m->tail >= CONMUX_PENDING) {
		m->dropped++;
		return CONMUX_DROPPED;
	}
	m->pending[m->head++ % CONMUX_PENDING] = c;
	return CONMUX_TO_VM;
}

bool conmux_peek(const struct conmux *m, u8 *c)
{
	if (m->head == m->tail)
		return false;
	*c = m->pending[m->tail % CONMUX_PENDING];
	return true;
}

void conmux_pop(struct conmux *m)
{
	if (m->head != m->tail)
		m->tail++;
}

bool conmux_vm_stopped(struct conmux *m, u32 id)
{
	if (id == CONMUX_NONE || conmux_attached(m) != id)
		return false;
	detach(m);
	return true;
}

u32 conmux_attached(const struct conmux *m)
{
	return __atomic_load_n(&m->vm_id, __ATOMIC_ACQUIRE);
}

enum conmux_style conmux_style(const struct conmux *m, u32 id, bool privileged)
{
	u32 attached = conmux_attached(m);

	if (privileged)
		return attached == CONMUX_NONE ? CONMUX_OPERATOR : CONMUX_LINE;
	return attached == id ? CONMUX_RAW : CONMUX_PREFIX;
}
