// SPDX-License-Identifier: GPL-2.0
/*
 * keel dm-multipath: parsing of the device-independent parts of a table
 * line.  Error strings and the order in which problems are detected match
 * the in-tree target so that `dmsetup` reports the same failure.
 */
#include <linux/kernel.h>
#include <linux/slab.h>
#include <linux/string.h>

#include "mpath.h"
#include "mpath_parse.h"

static const struct dm_arg mp_feat_count_arg = {
	0, MP_FEAT_MAX, "invalid number of feature args"
};
static const struct dm_arg mp_retries_arg = {
	1, 50, "pg_init_retries must be between 1 and 50"
};
static const struct dm_arg mp_delay_arg = {
	0, 60000, "pg_init_delay_msecs must be between 0 and 60000"
};
static const struct dm_arg mp_npt_arg = {
	0, MP_NO_PATH_TIMEOUT_MAX,
	"no_path_timeout must be between 0 and 86400"
};

/*
 * Feature counts above what in-tree accepts are only allowed for lines
 * that use keel's extension word; anything else fails as in-tree would.
 */
static bool mp_uses_extension(struct dm_arg_set *as, unsigned int count)
{
	unsigned int i;

	for (i = 0; i < count && i < as->argc; i++)
		if (!strcasecmp(as->argv[i], "no_path_timeout"))
			return true;
	return false;
}

/**
 * mp_parse_features() - parse "<#features> [<feature>...]".
 * @as:    argument cursor, advanced past the group.
 * @f:     result; must be initialised by the caller (defaults).
 * @error: receives the table error string.
 *
 * Return: 0 or -EINVAL.
 */
int mp_parse_features(struct dm_arg_set *as, struct mp_features *f,
		      char **error)
{
	unsigned int left;
	int r = 0;

	if (dm_read_arg_group(&mp_feat_count_arg, as, &left, error))
		return -EINVAL;
	if (left > MP_FEAT_MAX_INTREE && !mp_uses_extension(as, left)) {
		*error = (char *)mp_feat_count_arg.error;
		return -EINVAL;
	}

	while (left && !r) {
		const char *word = dm_shift_arg(as);

		left--;
		if (!strcasecmp(word, "queue_if_no_path")) {
			f->queue_if_no_path = true;
		} else if (!strcasecmp(word, "retain_attached_hw_handler")) {
			f->retain = true;
		} else if (left && !strcasecmp(word, "pg_init_retries")) {
			r = dm_read_arg(&mp_retries_arg, as, &f->pg_init_retries,
					error);
			left--;
		} else if (left && !strcasecmp(word, "pg_init_delay_msecs")) {
			r = dm_read_arg(&mp_delay_arg, as, &f->pg_init_delay_msecs,
					error);
			left--;
		} else if (left && !strcasecmp(word, "queue_mode")) {
			const char *mode = dm_shift_arg(as);

			left--;
			if (!strcasecmp(mode, "bio")) {
				f->mode = DM_TYPE_BIO_BASED;
			} else if (!strcasecmp(mode, "rq") ||
				   !strcasecmp(mode, "mq")) {
				f->mode = DM_TYPE_REQUEST_BASED;
			} else {
				*error = "Unknown 'queue_mode' requested";
				r = -EINVAL;
			}
		} else if (left && !strcasecmp(word, "no_path_timeout")) {
			r = dm_read_arg(&mp_npt_arg, as, &f->no_path_timeout,
					error);
			left--;
		} else {
			*error = "Unrecognised multipath feature request";
			r = -EINVAL;
		}
	}
	return r;
}

/**
 * mp_pack_hw_params() - build the scsi_dh_set_params() string.
 * @nr:     number of parameter words (>= 1).
 * @words:  the words.
 * @packed: receives a kmalloc'ed "<nr>\0<w1>\0<w2>...\0" buffer.
 *
 * Return: 0 or -ENOMEM.
 */
int mp_pack_hw_params(unsigned int nr, char **words, char **packed)
{
	size_t size, off;
	unsigned int i;
	char *buf;

	size = snprintf(NULL, 0, "%u", nr) + 1;
	for (i = 0; i < nr; i++)
		size += strlen(words[i]) + 1;

	buf = kzalloc(size + 1, GFP_KERNEL);
	if (!buf)
		return -ENOMEM;
	off = sprintf(buf, "%u", nr) + 1;
	for (i = 0; i < nr; i++) {
		size_t len = strlen(words[i]);

		memcpy(buf + off, words[i], len);
		off += len + 1;
	}
	*packed = buf;
	return 0;
}

/**
 * mp_parse_group_num() - parse the group number of a group message.
 * @word:      the argument (may be NULL).
 * @nr_groups: groups in the map.
 * @num:       result, 1..@nr_groups.
 *
 * Return: 0 or -EINVAL.
 */
int mp_parse_group_num(const char *word, unsigned int nr_groups,
		       unsigned int *num)
{
	unsigned int v;
	char extra;

	if (!word || sscanf(word, "%u%c", &v, &extra) != 1 || !v ||
	    v > nr_groups)
		return -EINVAL;
	*num = v;
	return 0;
}
