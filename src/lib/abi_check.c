// SPDX-License-Identifier: GPL-2.0
/* The kernel/user contract's layout, checked by the user-space compiler too: the same
 * assertions bpf/lib/maps.h makes clang check for the BPF side. Nothing to run. */
#include <linux/types.h>
#include "shared/xdpi_abi.h"
#include "shared/xdpi_abi_layout.h"

int xdpi_abi_version(void)
{
	return XDPI_ABI_VERSION;
}
