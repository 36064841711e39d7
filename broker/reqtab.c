// SPDX-License-Identifier: MIT
/* The table of memory requests waiting for the broker's answer. */
#include "reqtab.h"

void reqtab_init(struct reqtab *t)
{
	spin_lock(&t->lock);
	for (u32 i = 0; i < REQTAB_MAX; i++)
		t->e[i] = (struct reqtab_entry){0};
	t->next_id = 1;
	spin_unlock(&t->lock);
}

u64 reqtab_add(struct reqtab *t, void *waiter, u32 vm_id, struct sprout_msg *msg)
{
	u64 id = 0;

	spin_lock(&t->lock);
	for (u32 i = 0; i < REQTAB_MAX; i++) {
		struct reqtab_entry *r = &t->e[i];

		if (r->id)
			continue;
		id = t->next_id++;
		msg->request_id = id;
		*r = (struct reqtab_entry){.id = id, .waiter = waiter, .vm_id = vm_id, .msg = *msg};
		break;
	}
	spin_unlock(&t->lock);
	return id;
}

void *reqtab_take(struct reqtab *t, u64 id)
{
	void *waiter = NULL;

	if (!id)
		return NULL;
	spin_lock(&t->lock);
	for (u32 i = 0; i < REQTAB_MAX; i++)
		if (t->e[i].id == id) {
			waiter = t->e[i].waiter;
			t->e[i] = (struct reqtab_entry){0};
			break;
		}
	spin_unlock(&t->lock);
	return waiter;
}

u32 reqtab_drop_vm(struct reqtab *t, u32 vm_id)
{
	u32 n = 0;

	spin_lock(&t->lock);
	for (u32 i = 0; i < REQTAB_MAX; i++)
		if (t->e[i].id && t->e[i].vm_id == vm_id) {
			t->e[i] = (struct reqtab_entry){0};
			n++;
		}
	spin_unlock(&t->lock);
	return n;
}

void reqtab_unpost_all(struct reqtab *t)
{
	spin_lock(&t->lock);
	for (u32 i = 0; i < REQTAB_MAX; i++)
		t->e[i].queued = false;
	spin_unlock(&t->lock);
}

void reqtab_post_waiting(struct reqtab *t, bool (*post)(const struct sprout_msg *msg, void *ctx),
			 void *ctx)
{
	spin_lock(&t->lock);
	for (u32 i = 0; i < REQTAB_MAX; i++)
		if (t->e[i].id && !t->e[i].queued)
			t->e[i].queued = post(&t->e[i].msg, ctx);
	spin_unlock(&t->lock);
}
