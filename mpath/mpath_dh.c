// SPDX-License-Identifier: GPL-2.0
/*
 * keel dm-multipath: which hardware handler a path gets at table load.
 * The scsi_dh calls go through struct mp_dh_ops so that the KUnit suite
 * can drive the decision with stubs (mpath_kunit.ko links this file).
 */
#include <linux/errno.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "mpath.h"

/* The table's handler gives way to @attached; params go with a new name. */
static void mp_dh_adopt(char **hw_name, char **hw_params,
			const char **attached)
{
	if (*hw_name && strcmp(*attached, *hw_name)) {
		kfree(*hw_params);
		*hw_params = NULL;
	}
	kfree(*hw_name);
	*hw_name = (char *)*attached;
	*attached = NULL;
}

/**
 * mp_dh_attach() - attach the table's hardware handler or keep the one
 *                  a path already has
 * @ops:       scsi_dh_attach() / scsi_dh_attached_handler_name() of the path
 * @ctx:       their argument (the path's request queue)
 * @hw_name:   the map's handler name (kmalloc'ed or NULL); replaced by the
 *             attached handler's name when that one is kept
 * @hw_params: the map's handler params; freed when the name changes
 * @attached:  name of the handler the caller saw attached (kmalloc'ed or
 *             NULL); ownership moves to @hw_name when it is adopted
 * @retain:    retain_attached_hw_handler: an attached handler wins at once
 * @error:     table error string
 *
 * scsi_dh_attach() says -EBUSY when a different handler is attached.
 * That one is then kept, as in-tree. If the caller saw no handler
 * (one was attached since, by the device scan or another map on the same
 * path, or its name could not be copied) the name is looked up again.
 * The in-tree loop retries the same name forever in that case; here it
 * gives up after %MP_DH_ATTACH_TRIES attempts and fails the table load.
 *
 * Return: 0, -EBUSY when the handler stayed busy, or the attach error.
 */
int mp_dh_attach(const struct mp_dh_ops *ops, void *ctx, char **hw_name,
		 char **hw_params, const char **attached, bool retain,
		 char **error)
{
	bool adopt = retain;
	int tries, r;

	for (tries = 1; ; tries++) {
		if (adopt && *attached)
			mp_dh_adopt(hw_name, hw_params, attached);
		if (!*hw_name)
			return 0;
		r = ops->attach(ctx, *hw_name);
		if (r != -EBUSY)
			break;
		if (tries >= MP_DH_ATTACH_TRIES) {
			*error = "hardware handler busy: cannot attach or retain one";
			return -EBUSY;
		}
		if (!*attached)
			*attached = ops->attached_name(ctx);
		adopt = true;
	}
	if (r < 0) {
		*error = "error attaching hardware handler";
		return r;
	}
	return 0;
}
