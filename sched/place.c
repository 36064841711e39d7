// SPDX-License-Identifier: MIT
/* The placement rule shared by the hypervisor and the broker (pure C, host-tested). */
#include <public/place.h>

bool place_core_free(const struct sprout_core_load *c)
{
	if (!(c->flags & SPROUT_CORE_ONLINE) || (c->flags & SPROUT_CORE_LAUNCH) || c->runnable)
		return false;
	/* The busy time of an empty core was spent by vCPUs that have moved away or gone. */
	return c->blocked == 0 || c->busy_pm <= PLACE_FREE_BUSY_PM;
}

uint32_t place_free_count(const struct sprout_core_load *core, uint32_t n)
{
	uint32_t count = 0;

	for (uint32_t i = 0; i < n; i++)
		count += place_core_free(&core[i]);
	return count;
}

/* a is a better home than b for a new vCPU: fewer vCPUs to share with, then less busy. */
static bool better(const struct sprout_core_load *a, const struct sprout_core_load *b)
{
	if (a->blocked != b->blocked)
		return a->blocked < b->blocked;
	return a->busy_pm < b->busy_pm;
}

int32_t place_pick(const struct sprout_core_load *core, uint32_t n)
{
	int32_t best = -1;

	for (uint32_t i = 0; i < n; i++) {
		if (place_core_free(&core[i]) && (best < 0 || better(&core[i], &core[best])))
			best = (int32_t)i;
	}
	return best;
}

void place_caller_waits(struct sprout_core_load *c)
{
	if (c->runnable) {
		c->runnable--;
		c->blocked++;
	}
}
