// SPDX-License-Identifier: GPL-2.0
/*
 * keel_splat: a test fixture for keel's VM runner, not part of keel.
 * Loading it logs one kernel WARNING, which the runner must turn into a
 * failed run even though the guest script itself succeeded.
 */
#include <linux/module.h>
#include <linux/bug.h>

static int __init keel_splat_init(void)
{
	WARN(1, "keel_splat: deliberate warning for the runner self-test\n");
	return 0;
}

static void __exit keel_splat_exit(void)
{
}

module_init(keel_splat_init);
module_exit(keel_splat_exit);
MODULE_DESCRIPTION("keel VM runner self-test fixture: logs one WARNING");
MODULE_LICENSE("GPL");
