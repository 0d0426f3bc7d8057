/* SPDX-License-Identifier: GPL-2.0 */
/*
 * srp-fuzz: the SRP wire format, the connection helpers of srp-fuzz.c and
 * the case groups kept in their own files (cases-wire.c).
 */
#ifndef SRP_FUZZ_H
#define SRP_FUZZ_H

#include <stdint.h>
#include <rdma/rdma_cma.h>
#include <infiniband/verbs.h>

#define ARRAY_SIZE(a) (sizeof(a) / sizeof((a)[0]))

/* SRP wire format (T10 SRP r16a + SRP-2 immediate data). */
enum {
	OP_LOGIN_REQ = 0x00, OP_TSK_MGMT = 0x01, OP_CMD = 0x02,
	OP_I_LOGOUT = 0x03, OP_LOGIN_RSP = 0xc0, OP_RSP = 0xc1,
	OP_LOGIN_REJ = 0xc2, OP_T_LOGOUT = 0x80, OP_CRED_REQ = 0x81,
	OP_AER_REQ = 0x82, OP_CRED_RSP = 0x41, OP_AER_RSP = 0x42,
};

/* Wire structures: no padding anywhere. */
#pragma pack(push, 1)

struct login_rdma {		/* RDMA CM private data, 56 bytes */
	uint64_t tag;
	uint16_t buf_fmt;
	uint8_t flags;
	uint8_t opcode;
	uint32_t it_iu_len;
	uint8_t i_port_id[16];
	uint8_t t_port_id[16];
	uint16_t imm_off;
	uint8_t rsvd[6];
};

struct login_rsp {
	uint8_t opcode;
	uint8_t rsvd1[3];
	uint32_t req_lim_delta;
	uint64_t tag;
	uint32_t max_it_iu_len;
	uint32_t max_ti_iu_len;
	uint16_t buf_fmt;
	uint8_t rsp_flags;
	uint8_t rsvd2[25];
};

struct srp_cmd_hdr {
	uint8_t opcode;
	uint8_t sol_not;
	uint8_t rsvd1[3];
	uint8_t buf_fmt;
	uint8_t out_cnt;
	uint8_t in_cnt;
	uint64_t tag;
	uint8_t rsvd2[4];
	uint8_t lun[8];
	uint8_t rsvd3;
	uint8_t task_attr;
	uint8_t rsvd4;
	uint8_t add_cdb_len;
	uint8_t cdb[16];
};

struct desc {
	uint64_t va;
	uint32_t key;
	uint32_t len;
};

struct srp_rsp_hdr {
	uint8_t opcode;
	uint8_t sol_not;
	uint8_t rsvd1[2];
	uint32_t req_lim_delta;
	uint64_t tag;
	uint8_t rsvd2[2];
	uint8_t flags;
	uint8_t status;
	uint32_t out_res;
	uint32_t in_res;
	uint32_t sense_len;
	uint32_t resp_len;
};

#pragma pack(pop)

_Static_assert(sizeof(struct login_rdma) == 56, "SRP_LOGIN_REQ layout");
_Static_assert(sizeof(struct login_rsp) == 52, "SRP_LOGIN_RSP layout");
_Static_assert(sizeof(struct srp_cmd_hdr) == 48, "SRP_CMD layout");
_Static_assert(sizeof(struct desc) == 16, "direct descriptor layout");
_Static_assert(sizeof(struct srp_rsp_hdr) == 36, "SRP_RSP layout");

#define IU_MAX		8260
#define WAIT_MS		8000

struct conn {
	struct rdma_event_channel *ech;
	struct rdma_cm_id *id;
	struct ibv_pd *pd;
	struct ibv_cq *cq;
	struct ibv_mr *recv_mr, *send_mr, *data_mr;
	uint8_t *recv_buf, *send_buf, *data;
	int credits;
	int up;
	int imm_ok;
};

/* srp-fuzz.c */
extern uint8_t last_rsp[sizeof(struct srp_rsp_hdr) + 18];
extern int recv_depth, data_size, send_slots, login_wait_ms;
extern int opt_verbose;
extern int opt_srq;
extern int xt_failed;

void vlog(const char *fmt, ...);
uint64_t rnd(void);
uint32_t rnd_below(uint32_t n);
void fill_login(struct login_rdma *l);
int conn_open(struct conn *c, const void *login, int login_len);
void conn_close(struct conn *c);
int post_recv(struct conn *c, int i);
int post_send(struct conn *c, int slot, uint32_t len);
int conn_dropped(struct conn *c);
int wait_answers(struct conn *c, int want, uint64_t tag, uint8_t *status);
int inquiry(struct conn *cp);
void xt_result(int ok, const char *name, const char *fmt, ...);

/* cases-wire.c: see the usage there */
int wire_alloc_len(void);
int wire_ordered_abort(void);
int wire_login_storm(long n);
int wire_sq_full(void);
int wire_srq_flood(long n);
int wire_fuzz_iu(struct conn *c, long n);

#endif /* SRP_FUZZ_H */
