// SPDX-License-Identifier: GPL-2.0
/*
 * keel ib_srpt: parsing and building of SRP information units.
 *
 * Everything here is pure: no RDMA, no LIO, no allocation. Every byte that
 * came from the wire is treated as hostile; the functions answer "is this
 * usable, and what does it describe" and leave the action to the callers.
 * The same file is compiled into srpt_kunit.ko.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/kernel.h>
#include <linux/string.h>
#include <linux/ctype.h>
#include <linux/overflow.h>
#include <linux/inet.h>
#include <linux/socket.h>
#include <linux/dma-direction.h>
#include "srpt_compat.h"
#include <net/net_namespace.h>
#include <scsi/scsi_common.h>
#include <scsi/scsi_proto.h>
#include <target/target_core_base.h>	/* TCM_*_TAG, TMR_* codes only */
#include "srpt_wire.h"

static const char * const srpt_iu_errs[SRPT_IU_NR_ERRS] = {
	[SRPT_IU_OK]		= "ok",
	[SRPT_IU_SHORT]		= "IU too short",
	[SRPT_IU_CDB]		= "CDB exceeds IU",
	[SRPT_IU_BIDI]		= "bidirectional command",
	[SRPT_IU_FMT]		= "reserved buffer format",
	[SRPT_IU_DESC_TRUNC]	= "descriptor exceeds IU",
	[SRPT_IU_DESC_COUNT]	= "descriptor count mismatch",
	[SRPT_IU_DESC_MANY]	= "too many descriptors",
	[SRPT_IU_LEN_SUM]	= "descriptor lengths do not add up",
	[SRPT_IU_TOO_BIG]	= "transfer too large",
	[SRPT_IU_ZERO_BUF]	= "empty remote buffer",
	[SRPT_IU_IMM]		= "bad immediate data",
};

/**
 * srpt_iu_err_str() - why an IU was refused, for log lines
 * @err: reason from srpt_parse_cmd() and friends
 *
 * Return: a short text, "?" for a value out of range.
 */
const char *srpt_iu_err_str(enum srpt_iu_err err)
{
	if ((unsigned int)err >= SRPT_IU_NR_ERRS)
		return "?";
	return srpt_iu_errs[err];
}

/*
 * The RDMA CM and the IB CM login layouts name their fields alike and
 * differ only in field order and offsets, so one decoder body serves both
 * struct types.
 */
#define SRPT_LOGIN_DECODE(l, r)						\
	do {								\
		(l)->opcode = (r)->opcode;				\
		(l)->tag = get_unaligned(&(r)->tag);			\
		(l)->it_iu_len = get_unaligned_be32(&(r)->req_it_iu_len); \
		(l)->buf_fmt = get_unaligned_be16(&(r)->req_buf_fmt);	\
		(l)->flags = (r)->req_flags;				\
		(l)->imm_offset =					\
			get_unaligned_be16(&(r)->imm_data_offset);	\
		memcpy((l)->i_port_id, (r)->initiator_port_id, 16);	\
		memcpy((l)->t_port_id, (r)->target_port_id, 16);	\
	} while (0)

/**
 * srpt_login_from_rdma() - decode RDMA CM private data of a login
 * @l:	  result
 * @priv: private data of the CONNECT_REQUEST event
 * @len:  its length
 *
 * Return: 0, or -EINVAL when the private data is too short.
 */
int srpt_login_from_rdma(struct srpt_login *l, const void *priv,
			 unsigned int len)
{
	const struct srp_login_req_rdma *r = priv;

	memset(l, 0, sizeof(*l));
	if (!priv || len < sizeof(*r))
		return -EINVAL;
	SRPT_LOGIN_DECODE(l, r);
	return 0;
}

/**
 * srpt_login_from_ib() - decode an SRP_LOGIN_REQ carried in an IB CM REQ
 * @l:	  result
 * @priv: REQ private data
 * @len:  its length
 *
 * Return: 0, or -EINVAL when the private data is too short.
 */
int srpt_login_from_ib(struct srpt_login *l, const void *priv,
		       unsigned int len)
{
	const struct srp_login_req *r = priv;

	memset(l, 0, sizeof(*l));
	if (!priv || len < sizeof(*r))
		return -EINVAL;
	SRPT_LOGIN_DECODE(l, r);
	return 0;
}

/**
 * srpt_login_check() - validate the fields of a login request
 * @l:		  decoded request
 * @service_guid: our target port identifier (both halves)
 * @max_req_size: srp_max_req_size
 *
 * Return: 0 when acceptable, else the SRP_LOGIN_REJ reason.
 */
u32 srpt_login_check(const struct srpt_login *l, u64 service_guid,
		     u32 max_req_size)
{
	if (l->opcode != SRP_LOGIN_REQ)
		return SRP_LOGIN_REJ_UNABLE_ESTABLISH_CHANNEL;
	if (l->it_iu_len < SRPT_MIN_IT_IU_LEN || l->it_iu_len > max_req_size)
		return SRP_LOGIN_REJ_REQ_IT_IU_LENGTH_TOO_LARGE;
	if (l->buf_fmt & ~(SRP_BUF_FORMAT_DIRECT | SRP_BUF_FORMAT_INDIRECT))
		return SRP_LOGIN_REJ_UNSUPPORTED_DESCRIPTOR_FMT;
	if (get_unaligned_be64(&l->t_port_id[0]) != service_guid ||
	    get_unaligned_be64(&l->t_port_id[8]) != service_guid)
		return SRP_LOGIN_REJ_UNABLE_ASSOCIATE_CHANNEL;
	if ((l->flags & SRPT_MCH_MASK) > SRP_MULTICHAN_MULTI)
		return SRP_LOGIN_REJ_MULTI_CHANNEL_UNSUPPORTED;
	return 0;
}

/**
 * srpt_login_imm_offset() - immediate data offset to grant
 * @l: decoded request
 *
 * Immediate data is granted when requested with an offset that leaves room
 * for an SRP_CMD and its immediate data descriptor and that does not exceed
 * the largest offset the receive buffers are laid out for.
 *
 * Return: the offset, or 0 when immediate data is not granted.
 */
u16 srpt_login_imm_offset(const struct srpt_login *l)
{
	u16 off = l->imm_offset;

	if (!(l->flags & SRP_IMMED_REQUESTED))
		return 0;
	if (off < sizeof(struct srp_cmd) + sizeof(struct srp_imm_buf) ||
	    off > SRPT_IMM_OFFSET_MAX || off >= l->it_iu_len)
		return 0;
	return off;
}

static int srpt_task_attr(u8 attr)
{
	switch (attr) {
	case SRPT_TASK_SIMPLE:
		return TCM_SIMPLE_TAG;
	case SRPT_TASK_HEAD:
		return TCM_HEAD_TAG;
	case SRPT_TASK_ACA:
		return TCM_ACA_TAG;
	default:
		/* ORDERED and reserved values: the safest interpretation. */
		return TCM_ORDERED_TAG;
	}
}

/**
 * srpt_check_descs() - validate a list of direct descriptors
 * @bufs:  the descriptors (big endian, unaligned)
 * @nbufs: how many
 * @total: total data length announced by the indirect header
 * @d:	   result: @bufs, @nbufs and the data length when acceptable
 *
 * Shared by tables inside the IU and external tables fetched from the
 * initiator: 1..SRPT_DESC_MAX descriptors, no empty buffer, lengths adding
 * up (in 64 bits) to @total, and no more than SRPT_MAX_XFER in all.
 *
 * Return: SRPT_IU_OK or the reason for refusal.
 */
enum srpt_iu_err srpt_check_descs(const struct srp_direct_buf *bufs,
				  u32 nbufs, u32 total,
				  struct srpt_cmd_desc *d)
{
	u64 sum = 0;
	u32 i;

	if (!nbufs)
		return SRPT_IU_DESC_COUNT;
	if (nbufs > SRPT_DESC_MAX)
		return SRPT_IU_DESC_MANY;
	for (i = 0; i < nbufs; i++) {
		u32 blen = get_unaligned_be32(&bufs[i].len);

		if (!blen)
			return SRPT_IU_ZERO_BUF;
		sum += blen;
	}
	if (sum != total)
		return SRPT_IU_LEN_SUM;
	if (sum > SRPT_MAX_XFER)
		return SRPT_IU_TOO_BIG;
	d->nbufs = nbufs;
	d->bufs = bufs;
	d->data_len = sum;
	return SRPT_IU_OK;
}

/**
 * srpt_parse_ext_table() - validate a fetched external descriptor table
 * @tbl: @d->tbl_len bytes read from the initiator (@d->tbl_va)
 * @d:	 the command as srpt_parse_cmd() described it; its data length is
 *	 the total the indirect header announced
 *
 * Applies exactly the checks of a table inside the IU. On success @d->bufs
 * points into @tbl, which must stay valid as long as @d->bufs is used.
 *
 * Return: SRPT_IU_OK or the reason for refusal.
 */
enum srpt_iu_err srpt_parse_ext_table(const void *tbl,
				      struct srpt_cmd_desc *d)
{
	if (!d->tbl_len || d->tbl_len % sizeof(struct srp_direct_buf))
		return SRPT_IU_DESC_COUNT;
	return srpt_check_descs(tbl, d->tbl_len / sizeof(struct srp_direct_buf),
				d->data_len, d);
}

/*
 * Parse an indirect descriptor header. A table that holds more descriptors
 * than the IU carries is external: only its location is recorded here, and
 * the caller fetches and checks it with srpt_parse_ext_table().
 */
static enum srpt_iu_err srpt_parse_indirect(const u8 *iu, u32 len, u32 off,
					    u8 in_iu_cnt,
					    struct srpt_cmd_desc *d)
{
	const u32 dsz = sizeof(struct srp_direct_buf);
	const struct srp_indirect_buf *ib;
	u32 tbl_len, nbufs, total;

	if (off + sizeof(*ib) > len)
		return SRPT_IU_DESC_TRUNC;
	ib = (const void *)(iu + off);
	tbl_len = get_unaligned_be32(&ib->table_desc.len);
	total = get_unaligned_be32(&ib->len);
	if (!tbl_len || tbl_len % dsz)
		return SRPT_IU_DESC_COUNT;
	nbufs = tbl_len / dsz;
	if (nbufs <= in_iu_cnt) {
		if ((u64)off + sizeof(*ib) + (u64)nbufs * dsz > len)
			return SRPT_IU_DESC_TRUNC;
		return srpt_check_descs(ib->desc_list, nbufs, total, d);
	}

	/* External table; the partial copy announced must be in the IU. */
	if ((u64)off + sizeof(*ib) + (u64)in_iu_cnt * dsz > len)
		return SRPT_IU_DESC_TRUNC;
	if (nbufs > SRPT_DESC_MAX)
		return SRPT_IU_DESC_MANY;
	if (total > SRPT_MAX_XFER)
		return SRPT_IU_TOO_BIG;
	d->tbl_va = get_unaligned_be64(&ib->table_desc.va);
	d->tbl_key = get_unaligned_be32(&ib->table_desc.key);
	d->tbl_len = tbl_len;
	d->data_len = total;
	return SRPT_IU_OK;
}

/**
 * srpt_parse_cmd() - validate an SRP_CMD and describe its data transfer
 * @iu:		  the received IU
 * @len:	  bytes received
 * @imm_offset:	  negotiated immediate data offset (0: not negotiated)
 * @max_req_size: srp_max_req_size
 * @d:		  result
 *
 * Checks that the CDB (including additional CDB bytes and variable-length
 * CDBs), the descriptors and the immediate data all lie within the bytes
 * that were actually received, that descriptor counts and lengths agree, and
 * that the transfer is of a supported kind. Nothing is read outside
 * [@iu, @iu + @len). An indirect table larger than the IU carries is
 * external: @d->tbl_len is set and the caller has to fetch the table and
 * check it with srpt_parse_ext_table() before @d describes any buffer.
 *
 * Return: SRPT_IU_OK or the reason for refusal.
 */
enum srpt_iu_err srpt_parse_cmd(const void *iu, u32 len, u16 imm_offset,
				u32 max_req_size, struct srpt_cmd_desc *d)
{
	const struct srp_cmd *c = iu;
	u8 fmt_out, fmt_in, fmt;
	u32 add_cdb, off, cdb_room;

	memset(d, 0, sizeof(*d));
	d->dir = DMA_NONE;
	if (len < sizeof(*c))
		return SRPT_IU_SHORT;

	d->tag = get_unaligned(&c->tag);
	d->lun = scsilun_to_int((struct scsi_lun *)&c->lun);
	d->task_attr = srpt_task_attr(c->task_attr);
	d->cdb = c->cdb;

	/* Bits 7..2 of ADDITIONAL CDB LENGTH count 4-byte words. */
	add_cdb = c->add_cdb_len & ~3U;
	off = sizeof(*c) + add_cdb;
	if (off > len)
		return SRPT_IU_CDB;
	cdb_room = sizeof(c->cdb) + add_cdb;
	if (c->cdb[0] == VARIABLE_LENGTH_CMD &&
	    scsi_varlen_cdb_length(c->cdb) > cdb_room)
		return SRPT_IU_CDB;

	fmt_out = c->buf_fmt >> 4;
	fmt_in = c->buf_fmt & 0xf;
	if (fmt_out && fmt_in)
		return SRPT_IU_BIDI;
	if (fmt_out > SRP_DATA_DESC_IMM || fmt_in > SRP_DATA_DESC_INDIRECT)
		return SRPT_IU_FMT;
	fmt = fmt_out ? fmt_out : fmt_in;
	d->fmt = fmt;
	if (fmt == SRP_NO_DATA_DESC)
		return SRPT_IU_OK;
	d->dir = fmt_out ? DMA_TO_DEVICE : DMA_FROM_DEVICE;

	switch (fmt) {
	case SRP_DATA_DESC_DIRECT: {
		const struct srp_direct_buf *db;

		if (off + sizeof(*db) > len)
			return SRPT_IU_DESC_TRUNC;
		db = (const void *)((const u8 *)iu + off);
		d->data_len = get_unaligned_be32(&db->len);
		if (d->data_len > SRPT_MAX_XFER)
			return SRPT_IU_TOO_BIG;
		d->nbufs = d->data_len ? 1 : 0;
		d->bufs = db;
		return SRPT_IU_OK;
	}
	case SRP_DATA_DESC_INDIRECT:
		return srpt_parse_indirect(iu, len, off,
					   fmt_out ? c->data_out_desc_cnt :
						     c->data_in_desc_cnt, d);
	default: {	/* SRP_DATA_DESC_IMM, data-out only */
		const struct srp_imm_buf *ib;
		u32 ilen, end;

		if (!imm_offset)
			return SRPT_IU_IMM;
		if (off + sizeof(*ib) > imm_offset)
			return SRPT_IU_IMM;
		ib = (const void *)((const u8 *)iu + off);
		ilen = get_unaligned_be32(&ib->len);
		if (check_add_overflow((u32)imm_offset, ilen, &end) ||
		    end > max_req_size || end > len)
			return SRPT_IU_IMM;
		d->data_len = ilen;
		d->imm_off = imm_offset;
		return SRPT_IU_OK;
	}
	}
}

/**
 * srpt_tmf_to_tcm() - map an SRP task management function to LIO's
 * @srp_fn: SRP_TSK_* code
 *
 * Return: TMR_* or -1 for functions LIO is to reject.
 */
int srpt_tmf_to_tcm(u8 srp_fn)
{
	static const struct { u8 srp; u8 tcm; } map[] = {
		{ SRP_TSK_ABORT_TASK,		TMR_ABORT_TASK },
		{ SRP_TSK_ABORT_TASK_SET,	TMR_ABORT_TASK_SET },
		{ SRP_TSK_CLEAR_TASK_SET,	TMR_CLEAR_TASK_SET },
		{ SRP_TSK_LUN_RESET,		TMR_LUN_RESET },
		{ SRP_TSK_CLEAR_ACA,		TMR_CLEAR_ACA },
	};
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(map); i++)
		if (map[i].srp == srp_fn)
			return map[i].tcm;
	return -1;
}

/**
 * srpt_tmr_rsp_code() - SRP RSP_CODE for a LIO TMR response
 * @tcm_response: TMR_FUNCTION_* value
 *
 * Return: SRPT_TMF_OK, SRPT_TMF_NOT_SUPPORTED (rejected) or SRPT_TMF_FAILED.
 */
u8 srpt_tmr_rsp_code(int tcm_response)
{
	if (tcm_response == TMR_FUNCTION_COMPLETE)
		return SRPT_TMF_OK;
	if (tcm_response == TMR_FUNCTION_REJECTED)
		return SRPT_TMF_NOT_SUPPORTED;
	return SRPT_TMF_FAILED;
}

/**
 * srpt_build_login_rsp() - build an SRP_LOGIN_RSP
 * @buf:       at least sizeof(struct srp_login_rsp) bytes
 * @tag:       tag of the SRP_LOGIN_REQ
 * @credits:   REQUEST LIMIT DELTA, the channel's receive ring size
 * @max_it_iu: largest IU the initiator may send (srp_max_req_size)
 * @max_ti_iu: largest IU we will send
 * @rsp_flags: SRP_LOGIN_RSP_* flags (multichannel result, immediate data)
 *
 * Both direct and indirect descriptors are supported.
 *
 * Return: the response length.
 */
u32 srpt_build_login_rsp(void *buf, u64 tag, u32 credits, u32 max_it_iu,
			 u32 max_ti_iu, u8 rsp_flags)
{
	struct srp_login_rsp *r = buf;

	memset(r, 0, sizeof(*r));
	r->opcode = SRP_LOGIN_RSP;
	r->req_lim_delta = cpu_to_be32(credits);
	put_unaligned(tag, &r->tag);
	r->max_it_iu_len = cpu_to_be32(max_it_iu);
	r->max_ti_iu_len = cpu_to_be32(max_ti_iu);
	r->buf_fmt = cpu_to_be16(SRP_BUF_FORMAT_DIRECT |
				 SRP_BUF_FORMAT_INDIRECT);
	r->rsp_flags = rsp_flags;
	return sizeof(*r);
}

/**
 * srpt_build_login_rej() - build an SRP_LOGIN_REJ
 * @buf:    at least sizeof(struct srp_login_rej) bytes
 * @tag:    tag of the SRP_LOGIN_REQ (0 when it could not be decoded)
 * @reason: SRP_LOGIN_REJ_* reason
 *
 * Return: the reject length.
 */
u32 srpt_build_login_rej(void *buf, u64 tag, u32 reason)
{
	struct srp_login_rej *r = buf;

	memset(r, 0, sizeof(*r));
	r->opcode = SRP_LOGIN_REJ;
	r->reason = cpu_to_be32(reason);
	put_unaligned(tag, &r->tag);
	r->buf_fmt = cpu_to_be16(SRP_BUF_FORMAT_DIRECT |
				 SRP_BUF_FORMAT_INDIRECT);
	return sizeof(*r);
}

/**
 * srpt_resid_flags() - SRP_RSP residual flag for a LIO residual
 * @dir:   data direction of the command
 * @under: SCF_UNDERFLOW_BIT set
 * @over:  SCF_OVERFLOW_BIT set
 *
 * Return: SRP_RSP_FLAG_{DO,DI}{UNDER,OVER} for @dir, or 0.
 */
u8 srpt_resid_flags(enum dma_data_direction dir, bool under, bool over)
{
	if (dir == DMA_TO_DEVICE)
		return under ? SRP_RSP_FLAG_DOUNDER :
		       over ? SRP_RSP_FLAG_DOOVER : 0;
	if (dir == DMA_FROM_DEVICE)
		return under ? SRP_RSP_FLAG_DIUNDER :
		       over ? SRP_RSP_FLAG_DIOVER : 0;
	return 0;
}

/**
 * srpt_build_rsp() - build an SRP_RSP for a SCSI command
 * @buf:       response buffer
 * @buf_len:   its size (the negotiated max_ti_iu_len, at least 40)
 * @tag:       initiator tag
 * @credits:   REQUEST LIMIT DELTA
 * @status:    SCSI status
 * @flags:     residual flags from srpt_resid_flags()
 * @resid:     residual count for the flagged direction
 * @sense:     sense data or NULL
 * @sense_len: its length; truncated to what fits into @buf_len
 *
 * Return: the response length.
 */
u32 srpt_build_rsp(void *buf, u32 buf_len, u64 tag, u32 credits, u8 status,
		   u8 flags, u32 resid, const u8 *sense, u32 sense_len)
{
	struct srp_rsp *r = buf;
	u32 room = buf_len > sizeof(*r) ? buf_len - sizeof(*r) : 0;

	memset(r, 0, sizeof(*r));
	r->opcode = SRP_RSP;
	r->req_lim_delta = cpu_to_be32(credits);
	put_unaligned(tag, &r->tag);
	r->status = status;
	r->flags = flags;
	if (flags & (SRP_RSP_FLAG_DOUNDER | SRP_RSP_FLAG_DOOVER))
		r->data_out_res_cnt = cpu_to_be32(resid);
	if (flags & (SRP_RSP_FLAG_DIUNDER | SRP_RSP_FLAG_DIOVER))
		r->data_in_res_cnt = cpu_to_be32(resid);
	if (!sense)
		sense_len = 0;
	sense_len = min(sense_len, room);
	if (sense_len) {
		r->flags |= SRP_RSP_FLAG_SNSVALID;
		r->sense_data_len = cpu_to_be32(sense_len);
		memcpy(r->data, sense, sense_len);
	}
	return sizeof(*r) + sense_len;
}

/**
 * srpt_build_tmr_rsp() - build the SRP_RSP of a task management function
 * @buf:     at least sizeof(struct srp_rsp) + 4 bytes
 * @tag:     tag of the SRP_TSK_MGMT
 * @credits: REQUEST LIMIT DELTA
 * @code:    RSP_CODE (SRPT_TMF_*), in the 4 bytes of response data
 *
 * Return: the response length.
 */
u32 srpt_build_tmr_rsp(void *buf, u64 tag, u32 credits, u8 code)
{
	struct srp_rsp *r = buf;

	memset(r, 0, sizeof(*r) + 4);
	r->opcode = SRP_RSP;
	r->req_lim_delta = cpu_to_be32(credits);
	put_unaligned(tag, &r->tag);
	r->flags = SRP_RSP_FLAG_RSPVALID;
	r->resp_data_len = cpu_to_be32(4);
	r->data[3] = code;
	return sizeof(*r) + 4;
}

/**
 * srpt_build_invalid_iu_sense() - fixed-format sense for a refused IU
 * @sense: at least SRPT_IU_SENSE_LEN bytes
 *
 * ILLEGAL REQUEST, INVALID FIELD IN COMMAND INFORMATION UNIT (0Eh/03h),
 * current, fixed format (what LIO sends for the same refusal).
 *
 * Return: sense length, SRPT_IU_SENSE_LEN.
 */
u32 srpt_build_invalid_iu_sense(u8 *sense)
{
	/* scsi_build_sense_buffer() fills in only the non-zero bytes. */
	memset(sense, 0, SRPT_IU_SENSE_LEN);
	scsi_build_sense_buffer(0, sense, ILLEGAL_REQUEST, 0x0e, 0x03);
	return SRPT_IU_SENSE_LEN;
}

/**
 * srpt_fmt_guid_name() - port name in GUID form, "xxxx:xxxx:xxxx:xxxx"
 * @buf:  result
 * @size: its size
 * @gid:  GID, raw bytes; its lower half (the interface id) is used
 *
 * Return: what snprintf() returns.
 */
int srpt_fmt_guid_name(char *buf, size_t size, const u8 gid[16])
{
	const u8 *p = &gid[8];

	return snprintf(buf, size, "%04x:%04x:%04x:%04x",
			get_unaligned_be16(p), get_unaligned_be16(p + 2),
			get_unaligned_be16(p + 4), get_unaligned_be16(p + 6));
}

/**
 * srpt_fmt_gid_name() - port name in GID form, "0x" and 32 hex digits
 * @buf:  result
 * @size: its size
 * @gid:  GID, raw bytes
 *
 * Return: what snprintf() returns.
 */
int srpt_fmt_gid_name(char *buf, size_t size, const u8 gid[16])
{
	return snprintf(buf, size, "0x%016llx%016llx",
			get_unaligned_be64(&gid[0]),
			get_unaligned_be64(&gid[8]));
}

/**
 * srpt_parse_guid_name() - parse "xxxx:xxxx:xxxx:xxxx"
 * @name: text
 * @guid: result
 *
 * Return: 0 or -EINVAL.
 */
int srpt_parse_guid_name(const char *name, u64 *guid)
{
	u64 v = 0;
	int group, n;

	for (group = 0; group < 4; group++) {
		u16 word = 0;

		for (n = 0; n < 4 && isxdigit(*name); n++, name++)
			word = (word << 4) | hex_to_bin(*name);
		if (!n)
			return -EINVAL;
		v = (v << 16) | word;
		if (group < 3 && *name++ != ':')
			return -EINVAL;
	}
	if (*name)
		return -EINVAL;
	*guid = v;
	return 0;
}

/**
 * srpt_parse_port_id_name() - parse a hex initiator port id
 * @name: up to 32 hex digits, even in number, optional 0x prefix
 * @id:	  result, right-aligned and zero-filled
 *
 * Return: 0 or -EINVAL.
 */
int srpt_parse_port_id_name(const char *name, u8 id[16])
{
	size_t n;

	if (!strncasecmp(name, "0x", 2))
		name += 2;
	n = strlen(name);
	if (!n || n % 2 || n > 32)
		return -EINVAL;
	memset(id, 0, 16);
	return hex2bin(id + 16 - n / 2, name, n / 2) ? -EINVAL : 0;
}

/**
 * srpt_check_acl_name() - is @name a usable initiator (ACL) name
 * @name: GUID, hex port id, IPv4 or IPv6 address
 *
 * Return: 0 or -EINVAL.
 */
int srpt_check_acl_name(const char *name)
{
	struct sockaddr_storage ss;
	u8 id[16];
	u64 guid;

	if (!srpt_parse_guid_name(name, &guid) ||
	    !srpt_parse_port_id_name(name, id))
		return 0;
	if (!inet_pton_with_scope(&init_net, AF_UNSPEC, name, NULL, &ss))
		return 0;
	return -EINVAL;
}
