// SPDX-License-Identifier: MIT
/* Names of error codes for log lines. */
#include <hv/errno.h>
#include <hv/types.h>

const char *strerror_hv(int err)
{
	switch (err < 0 ? -err : err) {
	case 0: return "OK";
	case EPERM: return "-EPERM";
	case ENOENT: return "-ENOENT";
	case EIO: return "-EIO";
	case E2BIG: return "-E2BIG";
	case ENOEXEC: return "-ENOEXEC";
	case EAGAIN: return "-EAGAIN";
	case ENOMEM: return "-ENOMEM";
	case EFAULT: return "-EFAULT";
	case EBUSY: return "-EBUSY";
	case EEXIST: return "-EEXIST";
	case ENODEV: return "-ENODEV";
	case EINVAL: return "-EINVAL";
	case ENOSPC: return "-ENOSPC";
	case ERANGE: return "-ERANGE";
	case ENOSYS: return "-ENOSYS";
	case ENODATA: return "-ENODATA";
	case ETIMEDOUT: return "-ETIMEDOUT";
	default: return "-E?";
	}
}
