/* SPDX-License-Identifier: MIT */
/* Sprout's version string. */
#ifndef HV_VERSION_H
#define HV_VERSION_H

#define SPROUT_VERSION "0.1"

#endif
