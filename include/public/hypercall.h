/* SPDX-License-Identifier: MIT */
/*
 * Sprout hypercall ABI, shared by the hypervisor, the broker and guests.
 * Reference: docs/hypercalls.md.
 *
 * Calling convention (both vendors): RAX = call number, RDI, RSI, RDX, R10 =
 * arguments; the result comes back in RAX: >= 0 on success, a negative
 * SPROUT_E* code on failure. VMCALL on Intel, VMMCALL on AMD. CPUID leaf
 * 0x40000000 returns the signature "SproutSprout" and leaf 0x40000001 EAX the
 * ABI version. Pointers are guest-physical addresses inside the caller's own
 * RAM; a buffer that is not entirely the caller's RAM gets -SPROUT_EFAULT.
 *
 * Calls numbered from HC_BROKER_FIRST up are for the broker only (the VM with
 * the privileged flag); any other caller gets -SPROUT_EPERM.
 */
#ifndef SPROUT_PUBLIC_HYPERCALL_H
#define SPROUT_PUBLIC_HYPERCALL_H

#include <stdint.h>

#define SPROUT_CPUID_BASE    0x40000000u
#define SPROUT_CPUID_VERSION 0x40000001u

/* VMs the hypervisor's table holds at most (the broker and 128 more, with room): HC_VM_LIST's rows. */
#define SPROUT_VM_MAX 136
/* EAX = TSC kHz, EBX = local APIC timer (bus) kHz. */
#define SPROUT_CPUID_TIMING 0x40000010u
/* "SproutSprout" in EBX, ECX, EDX of leaf 0x40000000. */
#define SPROUT_SIGNATURE_EBX 0x6f727053u /* "Spro" */
#define SPROUT_SIGNATURE_ECX 0x70537475u /* "utSp" */
#define SPROUT_SIGNATURE_EDX 0x74756f72u /* "rout" */
#define SPROUT_ABI_VERSION   2u

enum sprout_hypercall {
	/* Any VM. */
	HC_VERSION = 0,		/* () -> ABI version */
	HC_CONSOLE_WRITE = 1,	/* (gpa buf, len <= 4096) -> bytes written */
	HC_YIELD = 2,		/* () -> 0: give the CPU to another vCPU */
	HC_WAIT_EVENT = 3,	/* (timeout_us) -> pending event bits (SPROUT_EV_*), 0 on timeout */
	HC_SELF_STATS = 4,	/* (gpa struct sprout_vm_info) -> 0: the caller's own figures */
	HC_MEM_RELEASE = 5,	/* (gpa, len) -> bytes given back: page-aligned RAM the guest
				  * no longer needs; it reads zero on its next touch */
	HC_VCPU_ONLINE_ACK = 6, /* () -> 0: the calling new vCPU is up (see vCPU protocol) */
	HC_VCPU_REGISTER = 7,	/* (entry gpa, arg) -> 0: where new vCPUs start */
	HC_VCPU_OFFLINE_ACK = 8, /* () -> never returns: the calling vCPU is parked */
	HC_VCPU_POLL = 9,	 /* () -> SPROUT_VCPU_RUN or SPROUT_VCPU_PARK for the caller */
	HC_COUNT_PUBLIC,

	/* Broker only. */
	HC_BROKER_FIRST = 64,
	HC_BROKER_RING_SETUP = 64, /* (gpa of one page) -> 0: where requests are posted */
	HC_VM_LIST = 65,	   /* (gpa struct sprout_vm_info[], max) -> number of VMs */
	HC_VM_INFO = 66,	   /* (vm id, gpa struct sprout_vm_info) -> 0 */
	HC_VM_CREATE = 67,	   /* (gpa name, len) -> new vm id: a VM of the boot config */
	HC_VM_CONTROL = 68,	   /* (vm id, SPROUT_VM_OP_*) -> 0 */
	HC_VM_SET_QUOTA = 69,	   /* (vm id, bytes) -> 0 */
	HC_REQUEST_ANSWER = 70,	   /* (request id, SPROUT_ANSWER_*) -> 0 */
	HC_VM_RECLAIM = 71,	   /* (vm id) -> bytes reclaimed (all-zero pages given back) */
	HC_VM_CONSOLE_READ = 72,   /* (vm id, gpa buf, len, offset) -> bytes copied, see below */
	HC_VCPU_ADD = 73,	   /* (vm id) -> new vcpu id */
	HC_VCPU_PARK = 74,	   /* (vm id) -> parked vcpu id */
	HC_HOST_STATS = 75,	   /* (gpa struct sprout_host_stats) -> 0 */
	HC_CONSOLE_ATTACH = 76,	   /* (vm id) -> 0: typed bytes go to the VM's COM1, see below */
	HC_BROKER_LAST = 76,
};

/* Error codes returned negated in RAX (same values as Linux errno). */
#define SPROUT_EPERM  1
#define SPROUT_ENOENT 2
#define SPROUT_E2BIG  7
#define SPROUT_EAGAIN 11
#define SPROUT_ENOMEM 12
#define SPROUT_EFAULT 14
#define SPROUT_EBUSY  16
#define SPROUT_EEXIST 17
#define SPROUT_EINVAL 22
#define SPROUT_ENOSPC 28
#define SPROUT_ERANGE 34
#define SPROUT_ENOSYS 38

/* HC_WAIT_EVENT result bits. */
#define SPROUT_EV_RING	  (1u << 0) /* broker: new messages in the ring */
#define SPROUT_EV_CONSOLE (1u << 1) /* broker: console input is waiting in its UART */
#define SPROUT_EV_VCPU	  (1u << 2) /* a vCPU is to come online or go offline */

/*
 * vCPU protocol. A guest that wants more vCPUs registers a 32-bit entry with
 * HC_VCPU_REGISTER. When the broker adds a vCPU, it starts on a physical core
 * of its own at that entry, in 32-bit protected mode with paging off and flat
 * segments (as at the PVH entry), with EAX = SPROUT_VCPU_MAGIC, EBX = its vCPU
 * id (1, 2, ...) and ECX = the registered arg. Once it runs C code it calls
 * HC_VCPU_ONLINE_ACK. To park one, the hypervisor makes HC_VCPU_POLL return
 * SPROUT_VCPU_PARK on that vCPU; the guest finishes what it holds and calls
 * HC_VCPU_OFFLINE_ACK from it, which does not return. A vCPU that does not
 * answer within SPROUT_PARK_GRACE_MS is parked where it stands, once it has
 * had its chance: it ran SPROUT_PARK_GRACE_RUN_MS since the request, or ran and
 * went back to sleep (HLT, HC_WAIT_EVENT) without answering.
 * Guests that start CPUs themselves may instead send INIT/SIPI through the
 * x2APIC ICR (MSR 0x830) to APIC IDs below the VM's vCPU maximum.
 */
#define SPROUT_VCPU_MAGIC	 0x53505243u /* "CRPS" */
#define SPROUT_VCPU_RUN		 0
#define SPROUT_VCPU_PARK	 1
#define SPROUT_PARK_GRACE_MS	 1000
#define SPROUT_PARK_GRACE_RUN_MS 100

/* HC_VM_CONTROL operations. */
enum sprout_vm_op {
	SPROUT_VM_OP_START = 1, /* a stopped VM: boot it again from its image */
	SPROUT_VM_OP_STOP = 2,	/* stop it; figures are kept */
	SPROUT_VM_OP_PAUSE = 3,
	SPROUT_VM_OP_RESUME = 4,
	SPROUT_VM_OP_DESTROY = 5, /* stop it and drop it from the table */
};

/* VM states as reported in struct sprout_vm_info. */
enum sprout_vm_state {
	SPROUT_VM_EMPTY = 0,
	SPROUT_VM_CREATED = 1,
	SPROUT_VM_RUNNING = 2,
	SPROUT_VM_PAUSED = 3,
	SPROUT_VM_STOPPED = 4,
};

/* One VM table row (HC_VM_LIST, HC_VM_INFO, HC_SELF_STATS). 256 bytes. */
struct sprout_vm_info {
	uint32_t id;
	uint32_t state; /* enum sprout_vm_state */
	char name[32];
	uint32_t privileged;
	uint32_t vcpus; /* online now */
	uint32_t vcpus_min;
	uint32_t vcpus_max;
	uint64_t memory;    /* bytes the guest sees */
	uint64_t committed; /* bytes backed now */
	uint64_t peak;
	uint64_t quota;
	uint64_t faults_4k;
	uint64_t faults_2m;
	uint64_t denied;
	uint64_t reclaimed; /* bytes given back by reclaim and release hints */
	uint64_t exits;
	uint64_t uptime_us;	  /* running time since its last start (frozen when stopped) */
	uint64_t busy_us;	  /* time its vCPUs spent in the guest, all vCPUs added up */
	uint64_t pending_request; /* id of an unanswered memory request, 0 if none */
	int32_t exit_status;
	uint32_t stop_kind; /* 0 none, 1 exit, 2 crash, 3 load error, 4 requested */
	char stop_reason[96];
};

/* Whole-host figures (HC_HOST_STATS). */
struct sprout_host_stats {
	uint64_t total_bytes; /* RAM under the frame allocator */
	uint64_t free_bytes;
	uint64_t reserve_bytes; /* kept for the hypervisor and broker */
	uint32_t cpus;
	uint32_t cpus_idle;
	uint64_t uptime_us;
	uint64_t cpu_busy_us[64]; /* per physical CPU: time spent running vCPUs */
};

/* HC_REQUEST_ANSWER answers. */
#define SPROUT_ANSWER_GRANT 1 /* retry the fault (after a quota raise or a reclaim) */
#define SPROUT_ANSWER_DENY  2 /* pause the VM with the reason "denied by the broker" */

/*
 * The broker ring: one page in the broker's RAM registered with
 * HC_BROKER_RING_SETUP. The hypervisor writes messages at head, the broker
 * reads them at tail; both indexes count messages ever written and wrap
 * modulo SPROUT_RING_SLOTS. When the ring is full the hypervisor keeps
 * messages pending and posts them later: nothing is lost.
 */
#define SPROUT_RING_MAGIC 0x676e6952u /* "Ring" */
#define SPROUT_RING_SLOTS 63

enum sprout_msg_type {
	SPROUT_MSG_MEM_REQUEST = 1, /* a VM needs memory beyond its quota; answer it */
	SPROUT_MSG_HOST_LOW = 2,    /* a fault found no free host memory; answer it */
	SPROUT_MSG_VM_STOPPED = 3,  /* arg0 = stop kind, arg1 = exit status */
	SPROUT_MSG_VM_STARTED = 4,
	SPROUT_MSG_STATS = 5,		 /* periodic tick: arg0 = free host bytes */
	SPROUT_MSG_CONSOLE_DETACHED = 6, /* the console is the broker's again: arg0 = why */
	/*
	 * A park asked of an ACPI guest was not done: arg0 = the CPU it keeps,
	 * arg1 = ms waited for the eject (0: the guest refused at once through
	 * _OST), arg2 = that _OST status.
	 */
	SPROUT_MSG_VCPU_KEPT = 7,
};

/* SPROUT_MSG_CONSOLE_DETACHED reasons. */
#define SPROUT_DETACH_ESCAPE  1 /* the operator typed the escape key */
#define SPROUT_DETACH_STOPPED 2 /* the attached VM stopped */

struct sprout_msg {
	uint32_t type; /* enum sprout_msg_type */
	uint32_t vm_id;
	uint64_t request_id; /* non-zero for messages that need an answer */
	uint64_t arg0;	     /* MEM_REQUEST/HOST_LOW: bytes the fault needs */
	uint64_t arg1;	     /* MEM_REQUEST/HOST_LOW: the faulting GPA */
	uint64_t arg2;	     /* MEM_REQUEST/HOST_LOW: committed bytes; STOPPED: unused */
	uint64_t arg3;	     /* MEM_REQUEST/HOST_LOW: quota */
};

struct sprout_ring {
	uint32_t magic;
	uint32_t slots;		/* SPROUT_RING_SLOTS */
	volatile uint32_t head; /* written by the hypervisor */
	volatile uint32_t tail; /* written by the broker */
	uint32_t dropped;	/* messages that could not be posted (never requests) */
	uint32_t reserved[11];
	struct sprout_msg msg[SPROUT_RING_SLOTS];
};

/*
 * The load area: the hypervisor maps SPROUT_STATS_PAGES pages read-only into
 * the broker at SPROUT_STATS_GPA (in the device hole, never RAM) and rewrites
 * them every host timer tick. Times are microseconds since boot, summed; the
 * broker samples them every period and works out loads from the differences.
 * seq is odd while an update is under way: read it before and after and retry
 * if it changed or was odd. vm[i] is VM table slot i (a VM's id), for every
 * slot. The fixed part (host, CPUs, cores) comes first, in the first page.
 */
#define SPROUT_STATS_GPA   0xfeb00000ull
#define SPROUT_STATS_CPUS  32
#define SPROUT_STATS_VMS   SPROUT_VM_MAX
#define SPROUT_STATS_VCPUS 8

enum sprout_vcpu_state {
	SPROUT_VCPU_OFF = 0,	  /* never started, or parked */
	SPROUT_VCPU_RUNNABLE = 1, /* running or waiting for a core */
	SPROUT_VCPU_HALTED = 2,	  /* blocked: HLT or waiting for an event */
};

/*
 * What the hypervisor knows of one physical core when it places a new vCPU
 * (include/public/place.h decides from these figures, in the hypervisor and
 * in the broker alike).
 */
#define SPROUT_CORE_ONLINE (1u << 0) /* the core runs the scheduler */
#define SPROUT_CORE_LAUNCH (1u << 1) /* a new vCPU is about to be launched on it */

/* busy_pm covers the last SPROUT_PLACE_WINDOW_MS (one policy period of the broker). */
#define SPROUT_PLACE_WINDOW_MS 100

struct sprout_core_load {
	uint32_t flags;	   /* SPROUT_CORE_* */
	uint32_t runnable; /* vCPUs queued here that run or want to (new ones too) */
	uint32_t blocked;  /* vCPUs queued here that are halted or wait for an event */
	uint32_t busy_pm;  /* share of the window spent running vCPUs, per mille */
};

struct sprout_stats_page {
	volatile uint32_t seq;
	uint32_t cpus; /* physical CPUs online */
	uint64_t now_us;
	uint32_t cpus_idle; /* free for a new vCPU (place_core_free()), as the page was written */
	uint32_t reserved0;
	uint64_t free_bytes; /* host memory free */
	uint64_t reserved1[4];
	struct {
		uint64_t busy_us; /* time spent running vCPUs */
		uint64_t idle_us; /* time halted with nothing to run */
	} cpu[SPROUT_STATS_CPUS];
	struct sprout_core_load core[SPROUT_STATS_CPUS]; /* per physical CPU, for placement */
	struct {
		uint32_t id;
		uint32_t state; /* enum sprout_vm_state */
		uint32_t vcpus_online;
		uint32_t vcpus_max;
		uint64_t vcpu_busy_us[SPROUT_STATS_VCPUS]; /* time in the guest, per vCPU */
		uint8_t vcpu_state[SPROUT_STATS_VCPUS];	   /* enum sprout_vcpu_state */
		uint32_t vcpu_cpu[SPROUT_STATS_VCPUS];	   /* physical CPU it queues on */
	} vm[SPROUT_STATS_VMS];
};

#define SPROUT_STATS_PAGES ((sizeof(struct sprout_stats_page) + 4095) / 4096)

_Static_assert(sizeof(struct sprout_vm_info) == 256, "vm_info is 256 bytes");
_Static_assert(__builtin_offsetof(struct sprout_stats_page, vm) <= 4096,
	       "the load area's fixed part is in its first page");
_Static_assert(SPROUT_STATS_PAGES <= 8, "the load area is at most 8 pages");
_Static_assert(sizeof(struct sprout_ring) <= 4096, "the ring fits a page");

/*
 * HC_VM_CONSOLE_READ(vm, buf, len, offset): the hypervisor keeps the last
 * SPROUT_CONSOLE_RING bytes each VM printed. offset counts bytes since the VM
 * was created; bytes older than the ring are gone and the copy starts at the
 * oldest kept one. Returns the bytes copied; with len 0 it returns the total
 * number of bytes the VM has ever printed (the offset to read up to).
 */
#define SPROUT_CONSOLE_RING 4096

/*
 * HC_CONSOLE_ATTACH(vm): from now on the bytes typed on the host console go
 * to the VM's COM1 (kept in the hypervisor while its FIFO is full) and the
 * VM's output is printed as it comes, without the "[name] " prefix; other
 * VMs keep theirs. The escape key SPROUT_CONSOLE_ESCAPE (Ctrl-]), typed, or
 * the VM's stop gives the console back to the broker, which then finds
 * SPROUT_MSG_CONSOLE_DETACHED in its ring. -ENOENT: no such VM; -EPERM: the
 * broker itself; -EINVAL: the VM is not running; -EBUSY: attached to it
 * already (attaching to another VM moves the console there).
 */
#define SPROUT_CONSOLE_ESCAPE 0x1d

#endif
