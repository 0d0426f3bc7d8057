// SPDX-License-Identifier: GPL-2.0
/*
 * KUnit tests for keel ib_srpt's IU parsing and validation (srpt_iu.c).
 *
 * srpt_iu.c is compiled into this module directly, so the tests run the
 * exact code of ib_srpt.ko without exporting anything from it.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <kunit/test.h>
#include "srpt_iu.c"

#define GUID 0x0002c90300a1b2c3ULL

static void fill_login_rdma(struct srp_login_req_rdma *r)
{
	memset(r, 0, sizeof(*r));
	r->opcode = SRP_LOGIN_REQ;
	r->tag = 0x1122334455667788ULL;
	r->req_it_iu_len = cpu_to_be32(8260);
	r->req_buf_fmt = cpu_to_be16(SRP_BUF_FORMAT_DIRECT |
				     SRP_BUF_FORMAT_INDIRECT);
	r->req_flags = SRP_MULTICHAN_MULTI;
	put_unaligned_be64(GUID, &r->target_port_id[0]);
	put_unaligned_be64(GUID, &r->target_port_id[8]);
	r->initiator_port_id[15] = 0x42;
}

static void login_decode(struct kunit *test)
{
	struct srp_login_req_rdma r;
	struct srpt_login l;

	fill_login_rdma(&r);
	KUNIT_EXPECT_EQ(test, srpt_login_from_rdma(&l, &r, sizeof(r) - 1),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, srpt_login_from_rdma(&l, NULL, 100), -EINVAL);
	KUNIT_ASSERT_EQ(test, srpt_login_from_rdma(&l, &r, sizeof(r)), 0);
	KUNIT_EXPECT_EQ(test, l.it_iu_len, 8260U);
	KUNIT_EXPECT_EQ(test, l.tag, 0x1122334455667788ULL);
	KUNIT_EXPECT_EQ(test, l.i_port_id[15], 0x42);
	KUNIT_EXPECT_EQ(test, srpt_login_check(&l, GUID, 8260), 0U);
}

static void login_checks(struct kunit *test)
{
	struct srp_login_req_rdma r;
	struct srpt_login l;

	fill_login_rdma(&r);
	srpt_login_from_rdma(&l, &r, sizeof(r));

	l.it_iu_len = 63;
	KUNIT_EXPECT_EQ(test, srpt_login_check(&l, GUID, 8260),
			(u32)SRP_LOGIN_REJ_REQ_IT_IU_LENGTH_TOO_LARGE);
	l.it_iu_len = 8261;
	KUNIT_EXPECT_EQ(test, srpt_login_check(&l, GUID, 8260),
			(u32)SRP_LOGIN_REJ_REQ_IT_IU_LENGTH_TOO_LARGE);
	l.it_iu_len = 64;
	KUNIT_EXPECT_EQ(test, srpt_login_check(&l, GUID, 8260), 0U);

	KUNIT_EXPECT_EQ(test, srpt_login_check(&l, GUID + 1, 8260),
			(u32)SRP_LOGIN_REJ_UNABLE_ASSOCIATE_CHANNEL);
	l.t_port_id[12] ^= 1;	/* only the second half differs */
	KUNIT_EXPECT_EQ(test, srpt_login_check(&l, GUID, 8260),
			(u32)SRP_LOGIN_REJ_UNABLE_ASSOCIATE_CHANNEL);
	l.t_port_id[12] ^= 1;

	l.buf_fmt |= 1 << 5;
	KUNIT_EXPECT_EQ(test, srpt_login_check(&l, GUID, 8260),
			(u32)SRP_LOGIN_REJ_UNSUPPORTED_DESCRIPTOR_FMT);
	l.buf_fmt = 0;
	KUNIT_EXPECT_EQ(test, srpt_login_check(&l, GUID, 8260), 0U);

	l.flags = 2;
	KUNIT_EXPECT_EQ(test, srpt_login_check(&l, GUID, 8260),
			(u32)SRP_LOGIN_REJ_MULTI_CHANNEL_UNSUPPORTED);
	l.flags = SRP_MULTICHAN_SINGLE;
	l.opcode = SRP_CMD;
	KUNIT_EXPECT_EQ(test, srpt_login_check(&l, GUID, 8260),
			(u32)SRP_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL);
}

static void login_immediate(struct kunit *test)
{
	struct srpt_login l = { .it_iu_len = 8260 };

	l.imm_offset = 68;
	KUNIT_EXPECT_EQ(test, srpt_login_imm_offset(&l), 0);	/* not asked */
	l.flags = SRP_IMMED_REQUESTED;
	KUNIT_EXPECT_EQ(test, srpt_login_imm_offset(&l), 68);
	l.imm_offset = 51;	/* no room for the descriptor */
	KUNIT_EXPECT_EQ(test, srpt_login_imm_offset(&l), 0);
	l.imm_offset = 81;
	KUNIT_EXPECT_EQ(test, srpt_login_imm_offset(&l), 0);
	l.imm_offset = 80;
	KUNIT_EXPECT_EQ(test, srpt_login_imm_offset(&l), 80);
	l.it_iu_len = 80;
	KUNIT_EXPECT_EQ(test, srpt_login_imm_offset(&l), 0);
}

/* A zeroed SRP_CMD with room for descriptors, in a 1 KiB buffer. */
static struct srp_cmd *new_cmd(struct kunit *test, u8 fmt)
{
	struct srp_cmd *c = kunit_kzalloc(test, 1024, GFP_KERNEL);

	KUNIT_ASSERT_NOT_NULL(test, c);
	c->opcode = SRP_CMD;
	c->buf_fmt = fmt;
	c->tag = 7;
	c->cdb[0] = 0x28;	/* READ(10) */
	c->lun.scsi_lun[1] = 3;
	return c;
}

static void set_desc(struct srp_direct_buf *d, u64 va, u32 key, u32 len)
{
	put_unaligned_be64(va, &d->va);
	put_unaligned_be32(key, &d->key);
	put_unaligned_be32(len, &d->len);
}

static void cmd_basic(struct kunit *test)
{
	struct srp_cmd *c = new_cmd(test, 0);
	struct srpt_cmd_desc d;

	KUNIT_EXPECT_EQ(test, srpt_parse_cmd(c, 47, 0, 8260, &d),
			SRPT_IU_SHORT);
	KUNIT_EXPECT_EQ(test, srpt_parse_cmd(c, 48, 0, 8260, &d), SRPT_IU_OK);
	KUNIT_EXPECT_EQ(test, d.dir, DMA_NONE);
	KUNIT_EXPECT_EQ(test, d.lun, 3ULL);
	KUNIT_EXPECT_EQ(test, d.tag, 7ULL);
	KUNIT_EXPECT_EQ(test, d.task_attr, TCM_SIMPLE_TAG);
	c->task_attr = 3;	/* reserved */
	srpt_parse_cmd(c, 48, 0, 8260, &d);
	KUNIT_EXPECT_EQ(test, d.task_attr, TCM_ORDERED_TAG);

	c->buf_fmt = 0x11;
	KUNIT_EXPECT_EQ(test, srpt_parse_cmd(c, 64, 0, 8260, &d),
			SRPT_IU_BIDI);
	c->buf_fmt = 0x50;
	KUNIT_EXPECT_EQ(test, srpt_parse_cmd(c, 64, 0, 8260, &d), SRPT_IU_FMT);
	c->buf_fmt = 0x03;	/* immediate data-in does not exist */
	KUNIT_EXPECT_EQ(test, srpt_parse_cmd(c, 64, 0, 8260, &d), SRPT_IU_FMT);
}

static void cmd_cdb(struct kunit *test)
{
	struct srp_cmd *c = new_cmd(test, 0);
	struct srpt_cmd_desc d;

	c->add_cdb_len = 16;	/* 16 more CDB bytes, IU of 48 only */
	KUNIT_EXPECT_EQ(test, srpt_parse_cmd(c, 48, 0, 8260, &d),
			SRPT_IU_CDB);
	KUNIT_EXPECT_EQ(test, srpt_parse_cmd(c, 64, 0, 8260, &d), SRPT_IU_OK);
	c->add_cdb_len = 0;
	c->cdb[0] = VARIABLE_LENGTH_CMD;
	c->cdb[7] = 24;		/* 32-byte CDB in a 16-byte field */
	KUNIT_EXPECT_EQ(test, srpt_parse_cmd(c, 1024, 0, 8260, &d),
			SRPT_IU_CDB);
	c->add_cdb_len = 16;
	KUNIT_EXPECT_EQ(test, srpt_parse_cmd(c, 1024, 0, 8260, &d),
			SRPT_IU_OK);
}

static void cmd_direct(struct kunit *test)
{
	struct srp_cmd *c = new_cmd(test, SRP_DATA_DESC_DIRECT);
	struct srp_direct_buf *db = (void *)c->add_data;
	struct srpt_cmd_desc d;

	set_desc(db, 0x1000, 0x77, 4096);
	KUNIT_EXPECT_EQ(test, srpt_parse_cmd(c, 63, 0, 8260, &d),
			SRPT_IU_DESC_TRUNC);
	KUNIT_ASSERT_EQ(test, srpt_parse_cmd(c, 64, 0, 8260, &d), SRPT_IU_OK);
	KUNIT_EXPECT_EQ(test, d.dir, DMA_FROM_DEVICE);
	KUNIT_EXPECT_EQ(test, d.data_len, 4096U);
	KUNIT_EXPECT_EQ(test, d.nbufs, 1U);
	KUNIT_EXPECT_PTR_EQ(test, d.bufs, (const struct srp_direct_buf *)db);

	c->buf_fmt = SRP_DATA_DESC_DIRECT << 4;
	KUNIT_ASSERT_EQ(test, srpt_parse_cmd(c, 64, 0, 8260, &d), SRPT_IU_OK);
	KUNIT_EXPECT_EQ(test, d.dir, DMA_TO_DEVICE);

	set_desc(db, 0x1000, 0x77, SRPT_MAX_XFER + 1);
	KUNIT_EXPECT_EQ(test, srpt_parse_cmd(c, 64, 0, 8260, &d),
			SRPT_IU_TOO_BIG);
	set_desc(db, 0x1000, 0x77, 0);
	KUNIT_ASSERT_EQ(test, srpt_parse_cmd(c, 64, 0, 8260, &d), SRPT_IU_OK);
	KUNIT_EXPECT_EQ(test, d.nbufs, 0U);
}

static void cmd_indirect(struct kunit *test)
{
	struct srp_cmd *c = new_cmd(test, SRP_DATA_DESC_INDIRECT);
	struct srp_indirect_buf *ib = (void *)c->add_data;
	u32 full = 48 + 20 + 3 * 16;
	struct srpt_cmd_desc d;
	int i;

	c->data_in_desc_cnt = 3;
	set_desc(&ib->table_desc, 0x9000, 0x55, 3 * 16);
	for (i = 0; i < 3; i++)
		set_desc(&ib->desc_list[i], 0x10000 * (i + 1), 0x66, 512 << i);
	put_unaligned_be32(512 + 1024 + 2048, &ib->len);

	KUNIT_ASSERT_EQ(test, srpt_parse_cmd(c, full, 0, 8260, &d),
			SRPT_IU_OK);
	KUNIT_EXPECT_EQ(test, d.nbufs, 3U);
	KUNIT_EXPECT_EQ(test, d.data_len, 3584U);
	KUNIT_EXPECT_EQ(test, srpt_parse_cmd(c, full - 1, 0, 8260, &d),
			SRPT_IU_DESC_TRUNC);
	KUNIT_EXPECT_EQ(test, srpt_parse_cmd(c, 48 + 19, 0, 8260, &d),
			SRPT_IU_DESC_TRUNC);

	/* sum mismatch */
	put_unaligned_be32(3583, &ib->len);
	KUNIT_EXPECT_EQ(test, srpt_parse_cmd(c, full, 0, 8260, &d),
			SRPT_IU_LEN_SUM);
	put_unaligned_be32(3584, &ib->len);

	/* table larger than the in-IU count: external, fetched later */
	c->data_in_desc_cnt = 2;
	KUNIT_ASSERT_EQ(test, srpt_parse_cmd(c, full, 0, 8260, &d),
			SRPT_IU_OK);
	KUNIT_EXPECT_EQ(test, d.tbl_len, 48U);
	KUNIT_EXPECT_EQ(test, d.tbl_va, 0x9000ULL);
	KUNIT_EXPECT_EQ(test, d.tbl_key, 0x55U);
	KUNIT_EXPECT_EQ(test, d.nbufs, 0U);
	KUNIT_EXPECT_EQ(test, d.data_len, 3584U);
	/* the two descriptors it announces must still be in the IU */
	KUNIT_EXPECT_EQ(test, srpt_parse_cmd(c, full - 17, 0, 8260, &d),
			SRPT_IU_DESC_TRUNC);
	c->data_in_desc_cnt = 3;

	/* table length not a multiple of a descriptor, or zero */
	set_desc(&ib->table_desc, 0x9000, 0x55, 3 * 16 - 1);
	KUNIT_EXPECT_EQ(test, srpt_parse_cmd(c, full, 0, 8260, &d),
			SRPT_IU_DESC_COUNT);
	set_desc(&ib->table_desc, 0x9000, 0x55, 0);
	KUNIT_EXPECT_EQ(test, srpt_parse_cmd(c, full, 0, 8260, &d),
			SRPT_IU_DESC_COUNT);
	set_desc(&ib->table_desc, 0x9000, 0x55, 3 * 16);

	/* empty buffer */
	set_desc(&ib->desc_list[1], 0x20000, 0x66, 0);
	put_unaligned_be32(512 + 2048, &ib->len);
	KUNIT_EXPECT_EQ(test, srpt_parse_cmd(c, full, 0, 8260, &d),
			SRPT_IU_ZERO_BUF);

	/* lengths adding up past 4 GiB must not wrap */
	for (i = 0; i < 3; i++)
		set_desc(&ib->desc_list[i], 0, 0x66, 0x80000000U);
	put_unaligned_be32(0x80000000U, &ib->len);
	KUNIT_EXPECT_EQ(test, srpt_parse_cmd(c, full, 0, 8260, &d),
			SRPT_IU_LEN_SUM);
}

/* An SRP_CMD with an external table of @n descriptors and total @total. */
static struct srp_cmd *ext_cmd(struct kunit *test, u32 n, u32 total)
{
	struct srp_cmd *c = new_cmd(test, SRP_DATA_DESC_INDIRECT << 4);
	struct srp_indirect_buf *ib = (void *)c->add_data;

	c->cdb[0] = 0x2a;	/* WRITE(10) */
	c->data_out_desc_cnt = 1;
	set_desc(&ib->table_desc, 0xabc000, 0x1234, n * 16);
	set_desc(&ib->desc_list[0], 0x100000, 0x66, 512);
	put_unaligned_be32(total, &ib->len);
	return c;
}

static void cmd_ext_table(struct kunit *test)
{
	const u32 iu_len = 48 + 20 + 16;
	struct srp_direct_buf *tbl;
	struct srpt_cmd_desc d;
	struct srp_cmd *c;
	u32 i;

	tbl = kunit_kcalloc(test, SRPT_DESC_MAX + 1, sizeof(*tbl),
			    GFP_KERNEL);
	KUNIT_ASSERT_NOT_NULL(test, tbl);

	/* good: 20 buffers of 1, 2, 3 ... sectors */
	c = ext_cmd(test, 20, 512 * 210);
	KUNIT_ASSERT_EQ(test, srpt_parse_cmd(c, iu_len, 0, 8260, &d),
			SRPT_IU_OK);
	KUNIT_EXPECT_EQ(test, d.dir, DMA_TO_DEVICE);
	KUNIT_EXPECT_EQ(test, d.fmt, SRP_DATA_DESC_INDIRECT);
	KUNIT_EXPECT_EQ(test, d.tbl_len, 320U);
	KUNIT_EXPECT_EQ(test, d.tbl_va, 0xabc000ULL);
	KUNIT_EXPECT_EQ(test, d.tbl_key, 0x1234U);
	for (i = 0; i < 20; i++)
		set_desc(&tbl[i], 0x200000 + i * 0x10000, 0x77, 512 * (i + 1));
	KUNIT_ASSERT_EQ(test, srpt_parse_ext_table(tbl, &d), SRPT_IU_OK);
	KUNIT_EXPECT_EQ(test, d.nbufs, 20U);
	KUNIT_EXPECT_PTR_EQ(test, d.bufs, (const struct srp_direct_buf *)tbl);
	KUNIT_EXPECT_EQ(test, d.data_len, 512U * 210);

	/* a zero-length buffer */
	srpt_parse_cmd(c, iu_len, 0, 8260, &d);
	set_desc(&tbl[7], 0x900000, 0x77, 0);
	KUNIT_EXPECT_EQ(test, srpt_parse_ext_table(tbl, &d), SRPT_IU_ZERO_BUF);
	set_desc(&tbl[7], 0x900000, 0x77, 512 * 8);

	/* lengths that do not add up to the header's total */
	c = ext_cmd(test, 20, 512 * 210 - 1);
	KUNIT_ASSERT_EQ(test, srpt_parse_cmd(c, iu_len, 0, 8260, &d),
			SRPT_IU_OK);
	KUNIT_EXPECT_EQ(test, srpt_parse_ext_table(tbl, &d), SRPT_IU_LEN_SUM);
	c = ext_cmd(test, 20, 512 * 210 + 512);
	srpt_parse_cmd(c, iu_len, 0, 8260, &d);
	KUNIT_EXPECT_EQ(test, srpt_parse_ext_table(tbl, &d), SRPT_IU_LEN_SUM);

	/* too many descriptors: refused before and after the fetch */
	for (i = 0; i <= SRPT_DESC_MAX; i++)
		set_desc(&tbl[i], 0x200000, 0x77, 512);
	c = ext_cmd(test, SRPT_DESC_MAX + 1, 512 * (SRPT_DESC_MAX + 1));
	KUNIT_EXPECT_EQ(test, srpt_parse_cmd(c, iu_len, 0, 8260, &d),
			SRPT_IU_DESC_MANY);
	c = ext_cmd(test, SRPT_DESC_MAX, 512 * SRPT_DESC_MAX);
	KUNIT_ASSERT_EQ(test, srpt_parse_cmd(c, iu_len, 0, 8260, &d),
			SRPT_IU_OK);
	KUNIT_EXPECT_EQ(test, srpt_parse_ext_table(tbl, &d), SRPT_IU_OK);
	KUNIT_EXPECT_EQ(test, d.nbufs, (u32)SRPT_DESC_MAX);
	d.tbl_len = (SRPT_DESC_MAX + 1) * 16;
	d.data_len = 512 * (SRPT_DESC_MAX + 1);
	KUNIT_EXPECT_EQ(test, srpt_parse_ext_table(tbl, &d),
			SRPT_IU_DESC_MANY);
	/* a fetched length that is not whole descriptors */
	d.tbl_len = 3 * 16 + 8;
	KUNIT_EXPECT_EQ(test, srpt_parse_ext_table(tbl, &d),
			SRPT_IU_DESC_COUNT);

	/* too big: refused before the fetch, and by the shared check */
	c = ext_cmd(test, 2, SRPT_MAX_XFER + 512);
	KUNIT_EXPECT_EQ(test, srpt_parse_cmd(c, iu_len, 0, 8260, &d),
			SRPT_IU_TOO_BIG);
	set_desc(&tbl[0], 0x200000, 0x77, SRPT_MAX_XFER);
	set_desc(&tbl[1], 0x200000, 0x77, 512);
	KUNIT_EXPECT_EQ(test, srpt_check_descs(tbl, 2, SRPT_MAX_XFER + 512,
					       &d), SRPT_IU_TOO_BIG);
	KUNIT_EXPECT_EQ(test, srpt_check_descs(tbl, 0, 0, &d),
			SRPT_IU_DESC_COUNT);

	/* the in-IU copy it announces must lie inside the IU */
	c = ext_cmd(test, 20, 512 * 210);
	c->data_out_desc_cnt = 2;
	KUNIT_EXPECT_EQ(test, srpt_parse_cmd(c, iu_len, 0, 8260, &d),
			SRPT_IU_DESC_TRUNC);
}

static void cmd_immediate(struct kunit *test)
{
	struct srp_cmd *c = new_cmd(test, SRP_DATA_DESC_IMM << 4);
	struct srp_imm_buf *ib = (void *)c->add_data;
	struct srpt_cmd_desc d;

	put_unaligned_be32(512, &ib->len);
	KUNIT_EXPECT_EQ(test, srpt_parse_cmd(c, 68 + 512, 0, 8260, &d),
			SRPT_IU_IMM);
	KUNIT_ASSERT_EQ(test, srpt_parse_cmd(c, 68 + 512, 68, 8260, &d),
			SRPT_IU_OK);
	KUNIT_EXPECT_EQ(test, d.data_len, 512U);
	KUNIT_EXPECT_EQ(test, d.imm_off, 68U);
	KUNIT_EXPECT_EQ(test, d.dir, DMA_TO_DEVICE);
	/* fewer bytes received than announced */
	KUNIT_EXPECT_EQ(test, srpt_parse_cmd(c, 68 + 511, 68, 8260, &d),
			SRPT_IU_IMM);
	/* larger than srp_max_req_size */
	KUNIT_EXPECT_EQ(test, srpt_parse_cmd(c, 1024, 68, 500, &d),
			SRPT_IU_IMM);
	/* length wrapping around */
	put_unaligned_be32(0xffffffffU, &ib->len);
	KUNIT_EXPECT_EQ(test, srpt_parse_cmd(c, 1024, 68, 8260, &d),
			SRPT_IU_IMM);
	/* descriptor overlapping the data: additional CDB pushes it */
	put_unaligned_be32(16, &ib->len);
	c->add_cdb_len = 20;
	KUNIT_EXPECT_EQ(test, srpt_parse_cmd(c, 1024, 68, 8260, &d),
			SRPT_IU_IMM);
}

/* Fixed format, current, ILLEGAL REQUEST, ASC/ASCQ 0Eh/03h. */
static const u8 invalid_iu_sense[18] = {
	0x70, 0, ILLEGAL_REQUEST, 0, 0, 0, 0, 10,
	0, 0, 0, 0, 0x0e, 0x03, 0, 0, 0, 0,
};

static void rsp_build(struct kunit *test)
{
	u8 *buf = kunit_kzalloc(test, 256, GFP_KERNEL);
	struct srp_rsp *r = (void *)buf;
	u8 sense[96];
	u32 len;

	memset(sense, 0xab, sizeof(sense));
	len = srpt_build_rsp(buf, 64, 0x99, 3, SAM_STAT_CHECK_CONDITION,
			     srpt_resid_flags(DMA_FROM_DEVICE, true, false),
			     512, sense, sizeof(sense));
	KUNIT_EXPECT_EQ(test, len, 64U);	/* sense truncated to fit */
	KUNIT_EXPECT_EQ(test, r->opcode, SRP_RSP);
	KUNIT_EXPECT_EQ(test, be32_to_cpu(r->req_lim_delta), 3U);
	KUNIT_EXPECT_EQ(test, r->flags, SRP_RSP_FLAG_DIUNDER |
			SRP_RSP_FLAG_SNSVALID);
	KUNIT_EXPECT_EQ(test, be32_to_cpu(r->data_in_res_cnt), 512U);
	KUNIT_EXPECT_EQ(test, be32_to_cpu(r->data_out_res_cnt), 0U);
	KUNIT_EXPECT_EQ(test, be32_to_cpu(r->sense_data_len), 28U);
	KUNIT_EXPECT_EQ(test, r->status, SAM_STAT_CHECK_CONDITION);

	len = srpt_build_rsp(buf, 256, 0x99, 1, 0,
			     srpt_resid_flags(DMA_TO_DEVICE, false, true),
			     8, NULL, 18);
	KUNIT_EXPECT_EQ(test, len, 36U);
	KUNIT_EXPECT_EQ(test, r->flags, SRP_RSP_FLAG_DOOVER);
	KUNIT_EXPECT_EQ(test, be32_to_cpu(r->data_out_res_cnt), 8U);

	len = srpt_build_tmr_rsp(buf, 5, 1, SRPT_TMF_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, len, 40U);
	KUNIT_EXPECT_EQ(test, r->flags, SRP_RSP_FLAG_RSPVALID);
	KUNIT_EXPECT_EQ(test, r->data[3], SRPT_TMF_NOT_SUPPORTED);

	KUNIT_EXPECT_EQ(test, srpt_resid_flags(DMA_NONE, true, false), 0);
	memset(sense, 0xa5, sizeof(sense));
	KUNIT_EXPECT_EQ(test, srpt_build_invalid_iu_sense(sense), 18U);
	KUNIT_EXPECT_EQ(test, sense[2], ILLEGAL_REQUEST);
	KUNIT_EXPECT_EQ(test, sense[12], 0x0e);
	/* Byte for byte what the hand-packed version put on the wire. */
	KUNIT_EXPECT_EQ(test, memcmp(sense, invalid_iu_sense, 18), 0);
}

static void tmf_map(struct kunit *test)
{
	KUNIT_EXPECT_EQ(test, srpt_tmf_to_tcm(SRP_TSK_ABORT_TASK),
			(int)TMR_ABORT_TASK);
	KUNIT_EXPECT_EQ(test, srpt_tmf_to_tcm(SRP_TSK_LUN_RESET),
			(int)TMR_LUN_RESET);
	KUNIT_EXPECT_EQ(test, srpt_tmf_to_tcm(SRP_TSK_CLEAR_ACA),
			(int)TMR_CLEAR_ACA);
	KUNIT_EXPECT_EQ(test, srpt_tmf_to_tcm(0x10), -1);
	KUNIT_EXPECT_EQ(test, srpt_tmr_rsp_code(TMR_FUNCTION_COMPLETE),
			SRPT_TMF_OK);
	KUNIT_EXPECT_EQ(test, srpt_tmr_rsp_code(TMR_FUNCTION_REJECTED),
			SRPT_TMF_NOT_SUPPORTED);
	KUNIT_EXPECT_EQ(test, srpt_tmr_rsp_code(TMR_LUN_DOES_NOT_EXIST),
			SRPT_TMF_FAILED);
}

static void names(struct kunit *test)
{
	u8 gid[16];
	char buf[64];
	u64 guid;
	u8 id[16];

	put_unaligned_be64(0xfe80000000000000ULL, &gid[0]);
	put_unaligned_be64(0x505400fffe123456ULL, &gid[8]);
	srpt_fmt_guid_name(buf, sizeof(buf), gid);
	KUNIT_EXPECT_STREQ(test, buf, "5054:00ff:fe12:3456");
	srpt_fmt_gid_name(buf, sizeof(buf), gid);
	KUNIT_EXPECT_STREQ(test, buf, "0xfe80000000000000505400fffe123456");

	KUNIT_EXPECT_EQ(test, srpt_parse_guid_name("5054:00ff:fe12:3456",
						   &guid), 0);
	KUNIT_EXPECT_EQ(test, guid, 0x505400fffe123456ULL);
	KUNIT_EXPECT_EQ(test, srpt_parse_guid_name("1:2:3:4", &guid), 0);
	KUNIT_EXPECT_EQ(test, guid, 0x0001000200030004ULL);
	KUNIT_EXPECT_EQ(test, srpt_parse_guid_name("1:2:3", &guid), -EINVAL);
	KUNIT_EXPECT_EQ(test, srpt_parse_guid_name("1:2:3:4:5", &guid),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, srpt_parse_guid_name("12345:2:3:4", &guid),
			-EINVAL);

	KUNIT_EXPECT_EQ(test, srpt_parse_port_id_name(
		"0xfe80000000000000505400fffe123456", id), 0);
	KUNIT_EXPECT_EQ(test, id[0], 0xfe);
	KUNIT_EXPECT_EQ(test, id[15], 0x56);
	KUNIT_EXPECT_EQ(test, srpt_parse_port_id_name("abcd", id), 0);
	KUNIT_EXPECT_EQ(test, id[14], 0xab);
	KUNIT_EXPECT_EQ(test, id[0], 0);
	KUNIT_EXPECT_EQ(test, srpt_parse_port_id_name("abc", id), -EINVAL);
	KUNIT_EXPECT_EQ(test, srpt_parse_port_id_name("0xzz", id), -EINVAL);
	KUNIT_EXPECT_EQ(test, srpt_parse_port_id_name(
		"00112233445566778899aabbccddeeff00", id), -EINVAL);

	KUNIT_EXPECT_EQ(test, srpt_check_acl_name("192.168.1.10"), 0);
	KUNIT_EXPECT_EQ(test, srpt_check_acl_name(
		"fe80:0000:0000:0000:5054:00ff:fe12:3456"), 0);
	KUNIT_EXPECT_EQ(test, srpt_check_acl_name("5054:00ff:fe12:3456"), 0);
	KUNIT_EXPECT_EQ(test, srpt_check_acl_name("not-an-initiator"),
			-EINVAL);
	KUNIT_EXPECT_EQ(test, srpt_check_acl_name(""), -EINVAL);
}

static struct kunit_case srpt_iu_cases[] = {
	KUNIT_CASE(login_decode),
	KUNIT_CASE(login_checks),
	KUNIT_CASE(login_immediate),
	KUNIT_CASE(cmd_basic),
	KUNIT_CASE(cmd_cdb),
	KUNIT_CASE(cmd_direct),
	KUNIT_CASE(cmd_indirect),
	KUNIT_CASE(cmd_ext_table),
	KUNIT_CASE(cmd_immediate),
	KUNIT_CASE(rsp_build),
	KUNIT_CASE(tmf_map),
	KUNIT_CASE(names),
	{}
};

static struct kunit_suite srpt_iu_suite = {
	.name = "keel_srpt_iu",
	.test_cases = srpt_iu_cases,
};
kunit_test_suite(srpt_iu_suite);

MODULE_DESCRIPTION("KUnit tests for keel ib_srpt IU parsing");
MODULE_LICENSE("GPL");
