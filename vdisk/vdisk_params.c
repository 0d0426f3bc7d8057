// SPDX-License-Identifier: GPL-2.0
/*
 * Control string parser for keel's vdisk backend. Pure: no device state,
 * only the string in and a struct vdisk_params (plus an error text) out,
 * so KUnit can drive it directly.
 *
 * Grammar: items separated by ',' or '\n', each "key=value"; blanks around
 * an item are ignored, empty items are skipped (blktests writes
 * "udev_path=/dev/x,"). Keys: the in-tree ones (udev_path, readonly, force)
 * and SCST vdisk_blockio's (filename, read_only, nv_cache, write_through,
 * thin_provisioned, rotational, removable, blocksize). A later item
 * overrides an earlier one. Anything else is refused as a whole: nothing
 * of a rejected string is applied.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>
#include <linux/errno.h>
#include <linux/log2.h>

#include "vdisk.h"

enum vdisk_key_type { VK_PATH, VK_ULONG, VK_FLAG, VK_U32 };

struct vdisk_key {
	const char *name;
	unsigned int bit;
	enum vdisk_key_type type;
};

static const struct vdisk_key vdisk_keys[] = {
	{ "udev_path",		VDISK_P_PATH,		VK_PATH },
	{ "filename",		VDISK_P_PATH,		VK_PATH },
	{ "readonly",		VDISK_P_READONLY,	VK_ULONG },
	{ "read_only",		VDISK_P_READONLY,	VK_FLAG },
	{ "force",		VDISK_P_FORCE,		VK_ULONG },
	{ "nv_cache",		VDISK_P_NV_CACHE,	VK_FLAG },
	{ "write_through",	VDISK_P_WRITE_THROUGH,	VK_FLAG },
	{ "thin_provisioned",	VDISK_P_THIN,		VK_FLAG },
	{ "rotational",		VDISK_P_ROTATIONAL,	VK_FLAG },
	{ "removable",		VDISK_P_REMOVABLE,	VK_FLAG },
	{ "blocksize",		VDISK_P_BLOCKSIZE,	VK_U32 },
};

/**
 * vdisk_parse_flag() - strict boolean for the SCST parameters
 * @s: "0", "1", "y", "n", "yes", "no", "on", "off", "true" or "false"
 *     (case-insensitive, one trailing newline allowed)
 * @val: result
 *
 * Return: 0, or -EINVAL for anything else ("2", "1x", "").
 */
int vdisk_parse_flag(const char *s, bool *val)
{
	static const char * const yes[] = { "1", "y", "yes", "on", "true" };
	static const char * const no[] = { "0", "n", "no", "off", "false" };
	size_t n = strlen(s);
	int i;

	if (n && s[n - 1] == '\n')
		n--;
	for (i = 0; i < ARRAY_SIZE(yes); i++) {
		if (strlen(yes[i]) == n && !strncasecmp(s, yes[i], n)) {
			*val = true;
			return 0;
		}
		if (strlen(no[i]) == n && !strncasecmp(s, no[i], n)) {
			*val = false;
			return 0;
		}
	}
	return -EINVAL;
}

/**
 * vdisk_check_blocksize() - validate an exported logical block size
 * @bs: requested size in bytes
 * @lbs: logical block size of the backing device, 0 if not known yet
 * @err: message buffer
 * @errlen: its size
 *
 * LIO handles 512, 1024, 2048 and 4096; SCST additionally refuses sizes
 * below the backing device's, which would split its blocks.
 *
 * Return: 0, or -EINVAL with the reason in @err.
 */
int vdisk_check_blocksize(u32 bs, u32 lbs, char *err, size_t errlen)
{
	if (bs < 512 || bs > 4096 || !is_power_of_2(bs)) {
		snprintf(err, errlen,
			 "blocksize=%u: must be 512, 1024, 2048 or 4096", bs);
		return -EINVAL;
	}
	if (lbs && bs < lbs) {
		snprintf(err, errlen,
			 "blocksize=%u is below the backing device's logical block size %u",
			 bs, lbs);
		return -EINVAL;
	}
	return 0;
}

static int vdisk_parse_item(char *item, struct vdisk_params *p,
			    char *err, size_t errlen)
{
	const struct vdisk_key *k = NULL;
	unsigned long ul;
	char *val;
	bool flag;
	u32 u;
	int i;

	val = strchr(item, '=');
	if (val)
		*val++ = '\0';
	for (i = 0; i < ARRAY_SIZE(vdisk_keys); i++) {
		if (!strcmp(item, vdisk_keys[i].name)) {
			k = &vdisk_keys[i];
			break;
		}
	}
	if (!k) {
		snprintf(err, errlen, "unknown parameter '%s'", item);
		return -EINVAL;
	}
	if (!val || !*val) {
		snprintf(err, errlen, "parameter '%s' needs a value", item);
		return -EINVAL;
	}

	switch (k->type) {
	case VK_PATH:
		if (val[0] != '/') {
			snprintf(err, errlen, "%s=%s: not an absolute path",
				 k->name, val);
			return -EINVAL;
		}
		if (strscpy(p->path, val, sizeof(p->path)) < 0) {
			snprintf(err, errlen, "%s: path longer than %zu bytes",
				 k->name, sizeof(p->path) - 1);
			return -EINVAL;
		}
		break;
	case VK_ULONG:
		/* in-tree semantics: any number, non-zero means yes */
		if (kstrtoul(val, 0, &ul)) {
			snprintf(err, errlen, "%s=%s: not a number", k->name,
				 val);
			return -EINVAL;
		}
		if (k->bit == VDISK_P_READONLY)
			p->readonly = ul != 0;
		break;
	case VK_FLAG:
		if (vdisk_parse_flag(val, &flag)) {
			snprintf(err, errlen, "%s=%s: must be 0 or 1", k->name,
				 val);
			return -EINVAL;
		}
		switch (k->bit) {
		case VDISK_P_READONLY:
			p->readonly = flag;
			break;
		case VDISK_P_NV_CACHE:
			p->nv_cache = flag;
			break;
		case VDISK_P_WRITE_THROUGH:
			p->write_through = flag;
			break;
		case VDISK_P_THIN:
			p->thin = flag;
			break;
		case VDISK_P_ROTATIONAL:
			p->rotational = flag;
			break;
		case VDISK_P_REMOVABLE:
			p->removable = flag;
			break;
		}
		break;
	case VK_U32:
		if (kstrtou32(val, 0, &u)) {
			snprintf(err, errlen, "%s=%s: not a number", k->name,
				 val);
			return -EINVAL;
		}
		if (vdisk_check_blocksize(u, 0, err, errlen))
			return -EINVAL;
		p->blocksize = u;
		break;
	}
	p->set |= k->bit;
	return 0;
}

/**
 * vdisk_parse_control() - parse a configfs "control" write
 * @buf: the bytes written (need not be NUL-terminated)
 * @len: their number
 * @p: zeroed by this function, then filled with the tokens found
 * @err: receives a human-readable reason on failure
 * @errlen: size of @err
 *
 * Return: 0, -EINVAL for a malformed string, -ENOMEM.
 */
int vdisk_parse_control(const char *buf, size_t len, struct vdisk_params *p,
			char *err, size_t errlen)
{
	char *copy, *rest, *item;
	int ret = 0;

	memset(p, 0, sizeof(*p));
	if (errlen)
		err[0] = '\0';
	copy = kstrndup(buf, len, GFP_KERNEL);
	if (!copy)
		return -ENOMEM;

	rest = copy;
	while ((item = strsep(&rest, ",\n")) != NULL) {
		item = strim(item);
		if (!*item)
			continue;
		ret = vdisk_parse_item(item, p, err, errlen);
		if (ret)
			break;
	}
	kfree(copy);
	if (ret)
		memset(p, 0, sizeof(*p));
	return ret;
}
