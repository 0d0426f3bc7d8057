/* SPDX-License-Identifier: GPL-2.0 */
/*
 * keel dm-multipath: table-line pieces that need no device (features,
 * hardware handler words, group numbers).  Linked into the KUnit module.
 */
#ifndef KEEL_MPATH_PARSE_H
#define KEEL_MPATH_PARSE_H

#include <linux/device-mapper.h>

#define MP_FEAT_MAX_INTREE 8
#define MP_FEAT_MAX 10
#define MP_NO_PATH_TIMEOUT_MAX 86400

/**
 * struct mp_features - the feature words of a table line.
 * @queue_if_no_path:    "queue_if_no_path" given
 * @retain:              "retain_attached_hw_handler" given
 * @pg_init_retries:     "pg_init_retries <n>", 0 when not given
 * @pg_init_delay_msecs: "pg_init_delay_msecs <ms>",
 *                       MP_PG_INIT_DELAY_DEFAULT when not given
 * @mode:                "queue_mode", DM_TYPE_NONE when not given
 * @no_path_timeout:     keel's "no_path_timeout <secs>", 0 when not given
 */
struct mp_features {
	bool queue_if_no_path;
	bool retain;
	unsigned int pg_init_retries;
	unsigned int pg_init_delay_msecs;
	enum dm_queue_mode mode;
	unsigned int no_path_timeout;
};

int mp_parse_features(struct dm_arg_set *as, struct mp_features *f,
		      char **error);
int mp_pack_hw_params(unsigned int nr, char **words, char **packed);
int mp_parse_group_num(const char *word, unsigned int nr_groups,
		       unsigned int *num);

#endif /* KEEL_MPATH_PARSE_H */
