// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for keel vdisk's pure logic: the control string parser,
 * the error -> sense mapping and the bounce copy. The files under test
 * are compiled into this module so it needs neither target_core_mod nor
 * the backend.
 */
#include <kunit/test.h>
#include <scsi/scsi_proto.h>
#include <scsi/scsi_common.h>
#include <scsi/scsi_eh.h>

#include "vdisk_params.c"
#include "vdisk_sense.c"
#include "vdisk_sgl.c"

static int parse(const char *s, struct vdisk_params *p, char *err)
{
	return vdisk_parse_control(s, strlen(s), p, err, VDISK_ERR_LEN);
}

static void vdisk_test_intree_tokens(struct kunit *test)
{
	struct vdisk_params p;
	char err[VDISK_ERR_LEN];

	/* blktests: trailing comma */
	KUNIT_ASSERT_EQ(test, parse("udev_path=/dev/nullb0,", &p, err), 0);
	KUNIT_EXPECT_EQ(test, p.set, VDISK_P_PATH);
	KUNIT_EXPECT_STREQ(test, p.path, "/dev/nullb0");

	/* rtslib: two writes, each with a newline */
	KUNIT_ASSERT_EQ(test, parse("readonly=1\n", &p, err), 0);
	KUNIT_EXPECT_EQ(test, p.set, VDISK_P_READONLY);
	KUNIT_EXPECT_TRUE(test, p.readonly);

	/* in-tree readonly takes any number (base 0), non-zero = yes */
	KUNIT_ASSERT_EQ(test, parse("readonly=0x10", &p, err), 0);
	KUNIT_EXPECT_TRUE(test, p.readonly);
	KUNIT_ASSERT_EQ(test, parse("readonly=0", &p, err), 0);
	KUNIT_EXPECT_FALSE(test, p.readonly);

	/* force= is accepted and ignored */
	KUNIT_ASSERT_EQ(test, parse("udev_path=/dev/sdb,force=1", &p, err), 0);
	KUNIT_EXPECT_EQ(test, p.set, VDISK_P_PATH | VDISK_P_FORCE);

	/* blanks and empty items */
	KUNIT_ASSERT_EQ(test, parse(" , udev_path=/dev/a ,\n\n", &p, err), 0);
	KUNIT_EXPECT_STREQ(test, p.path, "/dev/a");

	/* the later item wins */
	KUNIT_ASSERT_EQ(test, parse("udev_path=/dev/a,filename=/dev/b", &p,
				    err), 0);
	KUNIT_EXPECT_STREQ(test, p.path, "/dev/b");

	KUNIT_ASSERT_EQ(test, parse("", &p, err), 0);
	KUNIT_EXPECT_EQ(test, p.set, 0u);
}

static void vdisk_test_scst_tokens(struct kunit *test)
{
	struct vdisk_params p;
	char err[VDISK_ERR_LEN];

	KUNIT_ASSERT_EQ(test, parse("filename=/dev/x,nv_cache=1,write_through=0,thin_provisioned=1,rotational=0,removable=1,read_only=1,blocksize=4096",
				    &p, err), 0);
	KUNIT_EXPECT_EQ(test, p.set, VDISK_P_PATH | VDISK_P_NV_CACHE |
			VDISK_P_WRITE_THROUGH | VDISK_P_THIN |
			VDISK_P_ROTATIONAL | VDISK_P_REMOVABLE |
			VDISK_P_READONLY | VDISK_P_BLOCKSIZE);
	KUNIT_EXPECT_TRUE(test, p.nv_cache);
	KUNIT_EXPECT_FALSE(test, p.write_through);
	KUNIT_EXPECT_TRUE(test, p.thin);
	KUNIT_EXPECT_FALSE(test, p.rotational);
	KUNIT_EXPECT_TRUE(test, p.removable);
	KUNIT_EXPECT_TRUE(test, p.readonly);
	KUNIT_EXPECT_EQ(test, p.blocksize, 4096u);

	KUNIT_ASSERT_EQ(test, parse("nv_cache=on\nremovable=No", &p, err), 0);
	KUNIT_EXPECT_TRUE(test, p.nv_cache);
	KUNIT_EXPECT_FALSE(test, p.removable);
}

static void vdisk_test_rejects(struct kunit *test)
{
	static const char * const bad[] = {
		"bogus=1",			/* unknown key */
		"udev_path",			/* no value */
		"udev_path=",			/* empty value */
		"udev_path=dev/sda",		/* relative */
		"readonly=yes",			/* in-tree wants a number */
		"nv_cache=2",
		"nv_cache=1x",
		"write_through=",
		"blocksize=256",
		"blocksize=8192",
		"blocksize=1000",
		"blocksize=4k",
		"udev_path=/dev/a,removable=maybe",
	};
	struct vdisk_params p;
	char err[VDISK_ERR_LEN];
	int i;

	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		err[0] = '\0';
		KUNIT_EXPECT_EQ_MSG(test, parse(bad[i], &p, err), -EINVAL,
				    "accepted '%s'", bad[i]);
		KUNIT_EXPECT_NE_MSG(test, err[0], '\0', "no message for '%s'",
				    bad[i]);
		/* nothing of a rejected string is kept */
		KUNIT_EXPECT_EQ(test, p.set, 0u);
	}
}

static void vdisk_test_long_path(struct kunit *test)
{
	struct vdisk_params p;
	char err[VDISK_ERR_LEN];
	char *s;

	s = kunit_kzalloc(test, SE_UDEV_PATH_LEN + 32, GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, s);
	strcpy(s, "udev_path=/");
	memset(s + strlen(s), 'a', SE_UDEV_PATH_LEN);
	KUNIT_EXPECT_EQ(test, parse(s, &p, err), -EINVAL);
}

static void vdisk_test_blocksize(struct kunit *test)
{
	char err[VDISK_ERR_LEN];

	KUNIT_EXPECT_EQ(test, vdisk_check_blocksize(512, 512, err, sizeof(err)),
			0);
	KUNIT_EXPECT_EQ(test, vdisk_check_blocksize(4096, 512, err,
						    sizeof(err)), 0);
	/* SCST: never below the backing device's logical block size */
	KUNIT_EXPECT_EQ(test, vdisk_check_blocksize(512, 4096, err,
						    sizeof(err)), -EINVAL);
	KUNIT_EXPECT_EQ(test, vdisk_check_blocksize(2048, 4096, err,
						    sizeof(err)), -EINVAL);
	KUNIT_EXPECT_EQ(test, vdisk_check_blocksize(3072, 0, err, sizeof(err)),
			-EINVAL);
}

static void vdisk_test_flag(struct kunit *test)
{
	bool v;

	KUNIT_EXPECT_EQ(test, vdisk_parse_flag("1\n", &v), 0);
	KUNIT_EXPECT_TRUE(test, v);
	KUNIT_EXPECT_EQ(test, vdisk_parse_flag("off", &v), 0);
	KUNIT_EXPECT_FALSE(test, v);
	KUNIT_EXPECT_EQ(test, vdisk_parse_flag("", &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, vdisk_parse_flag("10", &v), -EINVAL);
	KUNIT_EXPECT_EQ(test, vdisk_parse_flag("1\n\n", &v), -EINVAL);
}

struct vdisk_map_case {
	blk_status_t sts;
	enum vdisk_io_kind kind;
	u8 key, asc, ascq;
	bool lba;
	sense_reason_t reason;
};

static void vdisk_test_map(struct kunit *test)
{
	static const struct vdisk_map_case cases[] = {
		{ BLK_STS_MEDIUM, VDISK_KIND_READ, MEDIUM_ERROR, 0x11, 0, true,
		  TCM_LOGICAL_UNIT_COMMUNICATION_FAILURE },
		{ BLK_STS_IOERR, VDISK_KIND_READ, MEDIUM_ERROR, 0x11, 0, true,
		  TCM_LOGICAL_UNIT_COMMUNICATION_FAILURE },
		{ BLK_STS_IOERR, VDISK_KIND_WRITE, MEDIUM_ERROR, 0x0c, 0, true,
		  TCM_LOGICAL_UNIT_COMMUNICATION_FAILURE },
		{ BLK_STS_MEDIUM, VDISK_KIND_FLUSH, MEDIUM_ERROR, 0x0c, 0,
		  false, TCM_LOGICAL_UNIT_COMMUNICATION_FAILURE },
		{ BLK_STS_IOERR, VDISK_KIND_UNMAP, MEDIUM_ERROR, 0x0c, 0, false,
		  TCM_LOGICAL_UNIT_COMMUNICATION_FAILURE },
		{ BLK_STS_PROTECTION, VDISK_KIND_READ, ABORTED_COMMAND, 0x10, 1,
		  true, TCM_LOGICAL_BLOCK_GUARD_CHECK_FAILED },
		{ BLK_STS_NOSPC, VDISK_KIND_WRITE, DATA_PROTECT, 0x27, 7, false,
		  TCM_WRITE_PROTECTED },
		{ BLK_STS_TARGET, VDISK_KIND_READ, HARDWARE_ERROR, 0x44, 0,
		  false, TCM_LOGICAL_UNIT_COMMUNICATION_FAILURE },
		{ BLK_STS_RESV_CONFLICT, VDISK_KIND_WRITE, 0, 0, 0, false,
		  TCM_RESERVATION_CONFLICT },
		{ BLK_STS_RESOURCE, VDISK_KIND_WRITE, 0, 0, 0, false,
		  TCM_LUN_BUSY },
		{ BLK_STS_AGAIN, VDISK_KIND_READ, 0, 0, 0, false, TCM_LUN_BUSY },
		{ BLK_STS_NOTSUPP, VDISK_KIND_UNMAP, 0, 0, 0, false,
		  TCM_UNSUPPORTED_SCSI_OPCODE },
		{ BLK_STS_TRANSPORT, VDISK_KIND_READ, 0, 0, 0, false,
		  TCM_LOGICAL_UNIT_COMMUNICATION_FAILURE },
		{ BLK_STS_TIMEOUT, VDISK_KIND_WRITE, 0, 0, 0, false,
		  TCM_LOGICAL_UNIT_COMMUNICATION_FAILURE },
		{ BLK_STS_OFFLINE, VDISK_KIND_FLUSH, 0, 0, 0, false,
		  TCM_LOGICAL_UNIT_COMMUNICATION_FAILURE },
	};
	struct vdisk_err_map m;
	int i;

	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		const struct vdisk_map_case *c = &cases[i];

		vdisk_map_status(c->sts, c->kind, &m);
		KUNIT_EXPECT_EQ_MSG(test, m.key, c->key, "case %d", i);
		KUNIT_EXPECT_EQ_MSG(test, m.asc, c->asc, "case %d", i);
		KUNIT_EXPECT_EQ_MSG(test, m.ascq, c->ascq, "case %d", i);
		KUNIT_EXPECT_EQ_MSG(test, m.lba_info, c->lba, "case %d", i);
		KUNIT_EXPECT_EQ_MSG(test, (int)m.reason, (int)c->reason,
				    "case %d", i);
	}
}

static void vdisk_test_errno(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, (int)vdisk_errno_to_reason(0, VDISK_KIND_UNMAP),
			(int)TCM_NO_SENSE);
	KUNIT_EXPECT_EQ(test,
			(int)vdisk_errno_to_reason(-EOPNOTSUPP, VDISK_KIND_UNMAP),
			(int)TCM_UNSUPPORTED_SCSI_OPCODE);
	KUNIT_EXPECT_EQ(test,
			(int)vdisk_errno_to_reason(-ENOMEM, VDISK_KIND_UNMAP),
			(int)TCM_OUT_OF_RESOURCES);
	KUNIT_EXPECT_EQ(test, (int)vdisk_errno_to_reason(-EIO, VDISK_KIND_UNMAP),
			(int)TCM_LOGICAL_UNIT_COMMUNICATION_FAILURE);
	KUNIT_EXPECT_EQ(test,
			(int)vdisk_errno_to_reason(-EBADE, VDISK_KIND_UNMAP),
			(int)TCM_RESERVATION_CONFLICT);
	KUNIT_EXPECT_EQ(test,
			(int)vdisk_errno_to_reason(-ENOSPC, VDISK_KIND_WRITE),
			(int)TCM_WRITE_PROTECTED);
}

/* a command that could not be built: BUSY only for a shortage */
static void vdisk_test_build_status(struct kunit *test)
{
	struct vdisk_err_map m;

	vdisk_map_status(vdisk_build_status(-ENOMEM), VDISK_KIND_WRITE, &m);
	KUNIT_EXPECT_EQ(test, (int)m.reason, (int)TCM_LUN_BUSY);
	/* a layout the device cannot take, malformed PI: not retried */
	vdisk_map_status(vdisk_build_status(-EINVAL), VDISK_KIND_WRITE, &m);
	KUNIT_EXPECT_NE(test, (int)m.reason, (int)TCM_LUN_BUSY);
	KUNIT_EXPECT_EQ(test, m.key, HARDWARE_ERROR);
	KUNIT_EXPECT_EQ(test, m.asc, 0x44);
	vdisk_map_status(vdisk_build_status(-EIO), VDISK_KIND_READ, &m);
	KUNIT_EXPECT_NE(test, (int)m.reason, (int)TCM_LUN_BUSY);
}

static void vdisk_test_sense_fixed(struct kunit *test)
{
	static const u8 want[18] = {
		0xf0, 0, MEDIUM_ERROR, 0x12, 0x34, 0x56, 0x78, 10,
		0, 0, 0, 0, 0x11, 0, 0, 0, 0, 0,
	};
	u8 b[96];

	memset(b, 0xa5, sizeof(b));
	KUNIT_ASSERT_EQ(test, vdisk_build_sense(b, sizeof(b), false,
						MEDIUM_ERROR, 0x11, 0, true,
						0x12345678), 18);
	KUNIT_EXPECT_EQ(test, memcmp(b, want, sizeof(want)), 0);
	KUNIT_EXPECT_EQ(test, b[0], 0xf0);	/* VALID | current, fixed */
	KUNIT_EXPECT_EQ(test, b[2], MEDIUM_ERROR);
	KUNIT_EXPECT_EQ(test, b[3], 0x12);
	KUNIT_EXPECT_EQ(test, b[6], 0x78);
	KUNIT_EXPECT_EQ(test, b[7], 10);
	KUNIT_EXPECT_EQ(test, b[12], 0x11);
	KUNIT_EXPECT_EQ(test, b[13], 0);

	/* an LBA above 32 bits does not fit: VALID = 0, field empty */
	vdisk_build_sense(b, sizeof(b), false, MEDIUM_ERROR, 0x11, 0, true,
			  0x100000000ULL);
	KUNIT_EXPECT_EQ(test, b[0], 0x70);
	KUNIT_EXPECT_EQ(test, b[3] | b[4] | b[5] | b[6], 0);

	vdisk_build_sense(b, sizeof(b), false, DATA_PROTECT, 0x27, 7, false,
			  5);
	KUNIT_EXPECT_EQ(test, b[0], 0x70);
	KUNIT_EXPECT_EQ(test, b[6], 0);

	KUNIT_EXPECT_EQ(test, vdisk_build_sense(b, 17, false, MEDIUM_ERROR,
						0x11, 0, false, 0), -EINVAL);
}

static void vdisk_test_sense_desc(struct kunit *test)
{
	static const u8 want[20] = {
		0x72, MEDIUM_ERROR, 0x0c, 0, 0, 0, 0, 12,
		0, 0x0a, 0x80, 0, 0, 0, 0, 0x12, 0x34, 0x56, 0x78, 0x9a,
	};
	u8 b[96];
	u8 key, asc, ascq;
	u64 info = 0;

	memset(b, 0xa5, sizeof(b));
	KUNIT_ASSERT_EQ(test, vdisk_build_sense(b, sizeof(b), true,
						MEDIUM_ERROR, 0x0c, 0, true,
						0x123456789aULL), 20);
	KUNIT_EXPECT_EQ(test, memcmp(b, want, sizeof(want)), 0);
	KUNIT_EXPECT_EQ(test, b[0], 0x72);
	KUNIT_EXPECT_EQ(test, b[1], MEDIUM_ERROR);
	KUNIT_EXPECT_EQ(test, b[2], 0x0c);
	KUNIT_EXPECT_EQ(test, b[7], 12);
	/* the SCSI midlayer's own decoders agree */
	KUNIT_EXPECT_TRUE(test, scsi_get_sense_info_fld(b, 20, &info));
	KUNIT_EXPECT_EQ(test, info, 0x123456789aULL);

	KUNIT_ASSERT_EQ(test, vdisk_build_sense(b, sizeof(b), true,
						HARDWARE_ERROR, 0x44, 0, false,
						0), 8);
	key = b[1];
	asc = b[2];
	ascq = b[3];
	KUNIT_EXPECT_EQ(test, key, HARDWARE_ERROR);
	KUNIT_EXPECT_EQ(test, asc, 0x44);
	KUNIT_EXPECT_EQ(test, ascq, 0);
	KUNIT_EXPECT_EQ(test, b[7], 0);
}

/*
 * An O_DIRECT buffer at byte 4 of a page, as tcm_loop passes it: pieces
 * of 4092, 4096 and 4 bytes. Misaligned for brd (511), not for SCSI (3);
 * the bounce copy carries it into whole pages and back, byte for byte,
 * and touches nothing outside the pieces or past the length.
 */
static void vdisk_test_bounce(struct kunit *test)
{
	static const unsigned int off[] = { 4, 0, 0 }, len[] = { 4092, 4096, 4 };
	struct scatterlist sgl[3], one, *bounce, *sg;
	struct page *pg[3];
	unsigned int bn, i, j, n = 0;
	bool same = true;
	u8 *p;

	for (i = 0; i < 3; i++) {
		pg[i] = alloc_page(GFP_KERNEL | __GFP_ZERO);
		KUNIT_ASSERT_NOT_NULL(test, pg[i]);
	}
	sg_init_table(sgl, 3);
	for (i = 0; i < 3; i++) {
		sg_set_page(&sgl[i], pg[i], len[i], off[i]);
		p = page_address(pg[i]) + off[i];
		for (j = 0; j < len[i]; j++, n++)
			p[j] = n * 7 + 1;
	}
	KUNIT_EXPECT_TRUE(test, vdisk_sg_misaligned(sgl, 3, 8192, 511));
	KUNIT_EXPECT_FALSE(test, vdisk_sg_misaligned(sgl, 3, 8192, 3));
	/* only the bytes that move count: 4092 of them are misaligned too */
	KUNIT_EXPECT_TRUE(test, vdisk_sg_misaligned(sgl, 3, 4092, 511));
	sg_init_one(&one, page_address(pg[1]), 4096);
	KUNIT_EXPECT_FALSE(test, vdisk_sg_misaligned(&one, 1, 4096, 511));
	KUNIT_EXPECT_TRUE(test, vdisk_sg_misaligned(&one, 1, 4094, 511));

	bounce = sgl_alloc(8192, GFP_KERNEL, &bn);
	KUNIT_ASSERT_NOT_NULL(test, bounce);
	vdisk_bounce_copy(bounce, sgl, 3, 8192, true);
	n = 0;
	for_each_sg(bounce, sg, bn, i) {
		p = page_address(sg_page(sg)) + sg->offset;
		for (j = 0; j < sg->length; j++, n++)
			same &= p[j] == (u8)(n * 7 + 1);
	}
	KUNIT_EXPECT_EQ(test, n, 8192U);
	KUNIT_EXPECT_TRUE(test, same);

	/* back: 5000 of the 8192 bytes, inverted */
	for_each_sg(bounce, sg, bn, i) {
		p = page_address(sg_page(sg)) + sg->offset;
		for (j = 0; j < sg->length; j++)
			p[j] = ~p[j];
	}
	vdisk_bounce_copy(bounce, sgl, 3, 5000, false);
	n = 0;
	same = true;
	for (i = 0; i < 3; i++) {
		p = page_address(pg[i]) + off[i];
		for (j = 0; j < len[i]; j++, n++)
			same &= p[j] == (u8)(n < 5000 ? ~(n * 7 + 1) : n * 7 + 1);
	}
	KUNIT_EXPECT_TRUE(test, same);
	/* the 4 bytes in front of the buffer were never written */
	p = page_address(pg[0]);
	KUNIT_EXPECT_EQ(test, p[0] | p[1] | p[2] | p[3], 0);

	sgl_free(bounce);
	for (i = 0; i < 3; i++)
		__free_page(pg[i]);
}

/*
 * The alignment check walks chained lists (the SCSI layer chains past
 * 128 entries) and skips the walk only for a command's own LIO-allocated
 * data list.
 */
static void vdisk_test_align_walk(struct kunit *test)
{
	struct scatterlist a[3], b[2], *sg;
	struct se_cmd cmd = { };
	struct page *pg;
	unsigned int n = 0;

	pg = alloc_page(GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, pg);
	sg_init_table(a, 3);
	sg_init_table(b, 2);
	sg_set_page(&a[0], pg, 4096, 0);
	sg_set_page(&a[1], pg, 4096, 0);
	sg_chain(a, 3, b);
	sg_set_page(&b[0], pg, 4096, 0);
	sg_set_page(&b[1], pg, 2048, 512);
	for (sg = a; sg; sg = vdisk_sg_next(sg))
		n++;
	KUNIT_EXPECT_EQ(test, n, 4U);
	/* only the last entry, behind the chain, is off a 4 KiB boundary */
	KUNIT_EXPECT_FALSE(test, vdisk_sg_misaligned(a, 4, 14336, 511));
	KUNIT_EXPECT_TRUE(test, vdisk_sg_misaligned(a, 4, 14336, 4095));
	KUNIT_EXPECT_FALSE(test, vdisk_sg_misaligned(a, 4, 12288, 4095));
	KUNIT_EXPECT_FALSE(test, vdisk_sg_misaligned(a, 3, 14336, 4095));

	/* only a command's own list that LIO allocated skips the walk */
	cmd.t_data_sg = a;
	KUNIT_EXPECT_TRUE(test, vdisk_own_sgl(&cmd, a, 4095));
	KUNIT_EXPECT_FALSE(test, vdisk_own_sgl(&cmd, b, 4095));
	KUNIT_EXPECT_FALSE(test, vdisk_own_sgl(&cmd, a, PAGE_SIZE));
	cmd.se_cmd_flags = SCF_PASSTHROUGH_SG_TO_MEM_NOALLOC;
	KUNIT_EXPECT_FALSE(test, vdisk_own_sgl(&cmd, a, 4095));
	__free_page(pg);
}

static struct kunit_case vdisk_cases[] = {
	KUNIT_CASE(vdisk_test_intree_tokens),
	KUNIT_CASE(vdisk_test_scst_tokens),
	KUNIT_CASE(vdisk_test_rejects),
	KUNIT_CASE(vdisk_test_long_path),
	KUNIT_CASE(vdisk_test_blocksize),
	KUNIT_CASE(vdisk_test_flag),
	KUNIT_CASE(vdisk_test_map),
	KUNIT_CASE(vdisk_test_errno),
	KUNIT_CASE(vdisk_test_build_status),
	KUNIT_CASE(vdisk_test_sense_fixed),
	KUNIT_CASE(vdisk_test_sense_desc),
	KUNIT_CASE(vdisk_test_bounce),
	KUNIT_CASE(vdisk_test_align_walk),
	{}
};

static struct kunit_suite vdisk_suite = {
	.name = "keel_vdisk",
	.test_cases = vdisk_cases,
};
kunit_test_suite(vdisk_suite);

MODULE_DESCRIPTION("KUnit tests for keel vdisk control parsing, sense mapping and bounce copy");
MODULE_LICENSE("GPL");
