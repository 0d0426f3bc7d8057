/* SPDX-License-Identifier: GPL-2.0 */
/*
 * keel ib_srpt: the SRP wire format as srpt_iu.c parses and builds it -
 * limits the protocol code enforces, decoded requests, the reasons an IU
 * is refused and the pure helpers of srpt_iu.c.
 *
 * This header needs neither the RDMA stack nor LIO, so that srpt_iu.c
 * and its KUnit suite (srpt_kunit.c) see nothing of the runtime objects
 * in srpt.h. The SRP structures themselves are <scsi/srp.h>.
 */
#ifndef KEEL_SRPT_WIRE_H
#define KEEL_SRPT_WIRE_H

#include <linux/types.h>
#include <linux/dma-direction.h>
#include <scsi/srp.h>

/* Largest immediate data offset the receive buffers are laid out for. */
#define SRPT_IMM_OFFSET_MAX	80
/* Smallest it_iu_len a login may ask for. */
#define SRPT_MIN_IT_IU_LEN	64
/* Largest transfer one SRP_CMD may describe (hostile IUs cannot ask more). */
#define SRPT_MAX_XFER		(128U << 20)
/*
 * Most remote buffers one SRP_CMD may describe, in the IU (at most 255
 * there) or in an external table fetched by RDMA READ (16 KiB at most).
 */
#define SRPT_DESC_MAX		1024

/* SRP_LOGIN_REQ req_flags, SRP_CMD task attributes, SRP_RSP codes. */
#define SRPT_MCH_MASK		0x03
#define SRPT_TASK_SIMPLE	0
#define SRPT_TASK_HEAD		1
#define SRPT_TASK_ORDERED	2
#define SRPT_TASK_ACA		4
#define SRPT_TMF_OK		0x00
#define SRPT_TMF_NOT_SUPPORTED	0x04
#define SRPT_TMF_FAILED		0x05

/**
 * struct srpt_login - a decoded SRP_LOGIN_REQ, whatever CM carried it
 * @tag:	  initiator tag, echoed back untouched
 * @it_iu_len:	  largest IU the initiator will send
 * @buf_fmt:	  required buffer formats (SRP_BUF_FORMAT_*)
 * @flags:	  req_flags (multichannel action, immediate data request)
 * @imm_offset:	  requested immediate data offset (0 = not requested)
 * @opcode:	  opcode byte as received
 * @i_port_id:	  initiator port identifier
 * @t_port_id:	  target port identifier
 */
struct srpt_login {
	u64	tag;
	u32	it_iu_len;
	u16	buf_fmt;
	u8	flags;
	u8	opcode;
	u16	imm_offset;
	u8	i_port_id[16];
	u8	t_port_id[16];
};

/**
 * struct srpt_cmd_desc - what an SRP_CMD asks for, validated
 * @cdb:	 CDB inside the IU (at least 16 bytes readable)
 * @lun:	 LUN
 * @tag:	 initiator tag (opaque)
 * @task_attr:	 TCM_*_TAG
 * @dir:	 DMA_NONE, DMA_TO_DEVICE (data-out) or DMA_FROM_DEVICE
 * @fmt:	 SRP_NO_DATA_DESC, _DIRECT, _INDIRECT or _IMM
 * @data_len:	 total transfer length
 * @nbufs:	 remote buffers described by @bufs
 * @bufs:	 remote buffer descriptors, inside the IU or inside a fetched
 *		 external table (unaligned)
 * @imm_off:	 offset of immediate data in the IU
 * @tbl_va:	 external descriptor table: initiator address
 * @tbl_key:	 external descriptor table: remote key
 * @tbl_len:	 external descriptor table: length, 0 for none; srpt_parse_cmd()
 *		 leaves @nbufs at 0 and @bufs unset for such a table
 */
struct srpt_cmd_desc {
	const u8			*cdb;
	u64				lun;
	u64				tag;
	int				task_attr;
	enum dma_data_direction		dir;
	u8				fmt;
	u32				data_len;
	u32				nbufs;
	const struct srp_direct_buf	*bufs;
	u32				imm_off;
	u64				tbl_va;
	u32				tbl_key;
	u32				tbl_len;
};

/**
 * enum srpt_iu_err - why an IU was refused; text from srpt_iu_err_str()
 * @SRPT_IU_OK:		not refused
 * @SRPT_IU_SHORT:	IU shorter than its fixed part
 * @SRPT_IU_CDB:	CDB longer than the IU provides
 * @SRPT_IU_BIDI:	both data-in and data-out descriptors
 * @SRPT_IU_FMT:	reserved descriptor format
 * @SRPT_IU_DESC_TRUNC: descriptor runs past the IU
 * @SRPT_IU_DESC_COUNT: descriptor table length/count mismatch
 * @SRPT_IU_DESC_MANY:	more than SRPT_DESC_MAX descriptors
 * @SRPT_IU_LEN_SUM:	descriptor lengths do not add up
 * @SRPT_IU_TOO_BIG:	transfer larger than SRPT_MAX_XFER
 * @SRPT_IU_ZERO_BUF:	empty buffer in an indirect table
 * @SRPT_IU_IMM:	immediate data not negotiated or bad
 * @SRPT_IU_NR_ERRS:	number of reasons
 */
enum srpt_iu_err {
	SRPT_IU_OK = 0,
	SRPT_IU_SHORT,
	SRPT_IU_CDB,
	SRPT_IU_BIDI,
	SRPT_IU_FMT,
	SRPT_IU_DESC_TRUNC,
	SRPT_IU_DESC_COUNT,
	SRPT_IU_DESC_MANY,
	SRPT_IU_LEN_SUM,
	SRPT_IU_TOO_BIG,
	SRPT_IU_ZERO_BUF,
	SRPT_IU_IMM,
	SRPT_IU_NR_ERRS
};

const char *srpt_iu_err_str(enum srpt_iu_err err);
int srpt_login_from_rdma(struct srpt_login *l, const void *priv,
			 unsigned int len);
int srpt_login_from_ib(struct srpt_login *l, const void *priv,
		       unsigned int len);
u32 srpt_login_check(const struct srpt_login *l, u64 service_guid,
		     u32 max_req_size);
u16 srpt_login_imm_offset(const struct srpt_login *l);
enum srpt_iu_err srpt_parse_cmd(const void *iu, u32 len, u16 imm_offset,
				u32 max_req_size, struct srpt_cmd_desc *d);
enum srpt_iu_err srpt_check_descs(const struct srp_direct_buf *bufs,
				  u32 nbufs, u32 total,
				  struct srpt_cmd_desc *d);
enum srpt_iu_err srpt_parse_ext_table(const void *tbl,
				      struct srpt_cmd_desc *d);
int srpt_tmf_to_tcm(u8 srp_fn);
u8 srpt_tmr_rsp_code(int tcm_response);
u32 srpt_build_login_rsp(void *buf, u64 tag, u32 credits, u32 max_it_iu,
			 u32 max_ti_iu, u8 rsp_flags);
u32 srpt_build_login_rej(void *buf, u64 tag, u32 reason);
u32 srpt_build_rsp(void *buf, u32 buf_len, u64 tag, u32 credits, u8 status,
		   u8 flags, u32 resid, const u8 *sense, u32 sense_len);
u32 srpt_build_tmr_rsp(void *buf, u64 tag, u32 credits, u8 code);
u8 srpt_resid_flags(enum dma_data_direction dir, bool under, bool over);
/* Fixed-format sense: 8 bytes of header, ADDITIONAL SENSE LENGTH 10. */
#define SRPT_IU_SENSE_LEN	18
u32 srpt_build_invalid_iu_sense(u8 *sense);
int srpt_fmt_guid_name(char *buf, size_t size, const u8 gid[16]);
int srpt_fmt_gid_name(char *buf, size_t size, const u8 gid[16]);
int srpt_parse_guid_name(const char *name, u64 *guid);
int srpt_parse_port_id_name(const char *name, u8 id[16]);
int srpt_check_acl_name(const char *name);

#endif /* KEEL_SRPT_WIRE_H */
