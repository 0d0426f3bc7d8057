/* SPDX-License-Identifier: GPL-2.0 */
/*
 * keel ib_srpt: SCSI RDMA Protocol target, a LIO fabric named "srpt".
 *
 * Object model (see Documentation/srpt.rst for the drawings):
 *
 *   srpt_hca (one per ib_device, ib_client data)
 *     +-- srpt_port[] (one per physical port, named from GID[0])
 *           +-- srpt_port_name x2 (configfs WWNs: GUID form and GID form)
 *           +-- srpt_nexus list (I_T nexus: initiator id x target id)
 *                 +-- srpt_chan list (one RC connection each)
 *                       +-- completion kthread, CQ, QP, rings,
 *                           one se_session with rq_depth tags
 */
#ifndef KEEL_SRPT_H
#define KEEL_SRPT_H

#include <linux/types.h>
#include <linux/list.h>
#include <linux/llist.h>
#include <linux/mutex.h>
#include <linux/kref.h>
#include <linux/workqueue.h>
#include <linux/completion.h>
#include <linux/scatterlist.h>
#include <rdma/ib_verbs.h>
#include <rdma/ib_cm.h>
#include <rdma/rdma_cm.h>
#include <rdma/rw.h>
#include <scsi/srp.h>
#include <target/target_core_base.h>
#include "srpt_wire.h"
#include "srpt_compat.h"

/* Limits; the values match the in-tree driver so that tools see the same. */
#define SRPT_RQ_DEPTH_MAX	128	/* credits and tags per channel */
#define SRPT_SQ_MIN		16
#define SRPT_SQ_DEFAULT		4096
#define SRPT_SRQ_MIN		4
#define SRPT_SRQ_DEFAULT	4095
#define SRPT_SRQ_MAX		65535
/*
 * Send queue slots kept for the two zero-length WRITE markers a channel
 * posts (connection established, drain), which sq_avail does not count
 * otherwise: with them reserved, a post that sq_avail admits always fits.
 */
#define SRPT_SQ_MARKERS		2
#define SRPT_RDMA_SIZE_DEFAULT	65536
#define SRPT_RDMA_SIZE_MAX	(16U << 20)
#define SRPT_RSP_SIZE_MIN	40	/* sizeof(struct srp_rsp) + 4 */
#define SRPT_RSP_SIZE_DEFAULT	256
#define SRPT_RSP_SIZE_MAX	1024
#define SRPT_IMM_DATA_MAX	8192
#define SRPT_REQ_SIZE_MIN	996
#define SRPT_ADD_CDB_MAX	16
/* max(cmd + add. CDB + 128 indirect descriptors, imm. offset + 8 KiB) */
#define SRPT_REQ_SIZE_DEFAULT	8276

/* Completion thread: work completions per ib_poll_cq and per wakeup. */
#define SRPT_WC_BATCH		16
#define SRPT_POLL_BUDGET	256
#define SRPT_POLL_USECS_DEFAULT	0
#define SRPT_POLL_USECS_MAX	1000

/* Seconds between "still waiting" reports of a channel that will not die. */
#define SRPT_DRAIN_REPORT_SECS	10
/* Seconds a draining channel waits for its flushed zero-length write. */
#define SRPT_DRAIN_TIMEOUT_SECS	30

/* ------------------------------------------------------------------ */
/* Runtime objects. */

/**
 * enum srpt_ch_state - channel states; a channel only ever moves up
 * @SRPT_CH_CONNECTING:	   login accepted, waiting for RTU/ESTABLISHED
 * @SRPT_CH_LIVE:	   IUs are processed
 * @SRPT_CH_DISCONNECTING: DREQ sent or received, about to close
 * @SRPT_CH_DRAINING:	   QP in the error state, waiting for the flushed
 *			   zero-length write
 * @SRPT_CH_DISCONNECTED:  release work queued
 */
enum srpt_ch_state {
	SRPT_CH_CONNECTING,
	SRPT_CH_LIVE,
	SRPT_CH_DISCONNECTING,
	SRPT_CH_DRAINING,
	SRPT_CH_DISCONNECTED,
};

/**
 * enum srpt_cmd_state - command states, in srpt_send_ioctx.state
 * @SRPT_CMD_NEW:	    being parsed / executed by the backend
 * @SRPT_CMD_FETCH_TABLE:   RDMA READ of an external descriptor table in
 *			    flight
 * @SRPT_CMD_NEED_DATA:	    RDMA READ of write data in flight
 * @SRPT_CMD_DATA_IN:	    data arrived, backend executing
 * @SRPT_CMD_RSP_SENT:	    SRP_RSP (and its RDMA WRITEs) posted
 * @SRPT_CMD_MGMT:	    task management function in LIO
 * @SRPT_CMD_MGMT_RSP_SENT: its SRP_RSP posted
 * @SRPT_CMD_LOCAL_RSP:	    error response built without LIO
 * @SRPT_CMD_DONE:	    the send context is free (tag returned or about
 *			    to be)
 */
enum srpt_cmd_state {
	SRPT_CMD_NEW,
	SRPT_CMD_FETCH_TABLE,
	SRPT_CMD_NEED_DATA,
	SRPT_CMD_DATA_IN,
	SRPT_CMD_RSP_SENT,
	SRPT_CMD_MGMT,
	SRPT_CMD_MGMT_RSP_SENT,
	SRPT_CMD_LOCAL_RSP,
	SRPT_CMD_DONE,
};

/**
 * struct srpt_buf - a DMA-mapped IU buffer
 * @cqe:   completion dispatch
 * @buf:   kernel address of the buffer
 * @dma:   bus address of the buffer
 * @start: offset of the IU inside @buf (receive alignment padding)
 * @idx:   index in its ring
 */
struct srpt_buf {
	struct ib_cqe	cqe;
	void		*buf;
	u64		dma;
	u32		start;
	u32		idx;
};

/**
 * struct srpt_recv_ioctx - one receive buffer
 * @b:	      buffer
 * @pending:  entry in srpt_chan.pending while waiting for LIVE or a tag
 * @len:      bytes received
 */
struct srpt_recv_ioctx {
	struct srpt_buf		b;
	struct list_head	pending;
	u32			len;
};

/**
 * struct srpt_rw - one remote buffer of a command
 * @ctx:    rdma_rw context moving @xfer bytes (none when @mapped is 0)
 * @sg:	    the buffer's pages
 * @nents:  entries of @sg (pages)
 * @mapped: entries of @sg that @ctx covers, 0 when there is no context
 * @len:    buffer length
 * @xfer:   bytes @ctx moves: @len, or less when LIO returns less data
 * @nr_wrs: send queue slots @ctx takes
 * @va:	    remote address
 * @key:    remote key
 */
struct srpt_rw {
	struct rdma_rw_ctx	ctx;
	struct scatterlist	*sg;
	unsigned int		nents;
	unsigned int		mapped;
	u32			len;
	u32			xfer;
	u32			nr_wrs;
	u64			va;
	u32			key;
};

/**
 * struct srpt_tbl_fetch - RDMA READ of an external descriptor table
 * @ctx:    rdma_rw context of the READ
 * @sg:	    one entry over @buf
 * @cqe:    its completion
 * @buf:    the table (kmalloc, @desc.tbl_len bytes)
 * @recv:   receive buffer of the IU, held until the table is in
 * @desc:   the parsed SRP_CMD (points into @recv)
 * @nr_wrs: send queue slots the READ takes
 */
struct srpt_tbl_fetch {
	struct rdma_rw_ctx	ctx;
	struct scatterlist	sg;
	struct ib_cqe		cqe;
	void			*buf;
	struct srpt_recv_ioctx	*recv;
	struct srpt_cmd_desc	desc;
	u32			nr_wrs;
};

/**
 * struct srpt_send_ioctx - a command slot; indexed by the LIO session tag
 * @b:	       response buffer
 * @ch:	       owning channel
 * @imm_recv:  receive buffer lent to the command (immediate data)
 * @rw:	       remote buffers (@rw_one when there is only one)
 * @rw_one:    inline storage for the common single-buffer case
 * @nr_rw:     entries used in @rw
 * @nr_wrs:    send-queue slots the RDMA transfers need
 * @imm_sg:    scatterlist over immediate data
 * @rdma_cqe:  completion of the RDMA READ chain
 * @fetch:     external descriptor table being fetched (SRPT_CMD_FETCH_TABLE)
 * @state:     enum srpt_cmd_state
 * @status_only: the response carries status only (no data transfer)
 * @rsp_data:  the RDMA WRITEs of the Data-In buffers go with the response
 * @rsp_len:   length of the response built in @b
 * @rsp_credits: credits the response hands back
 * @rsp_entry: in srpt_chan.rsp_wait while the send queue is full (its
 *	       response, or in SRPT_CMD_NEED_DATA its RDMA READs)
 * @local_tag: initiator tag of a local (non-LIO) response
 * @opcode:    CDB opcode, for reports (LIO frees a long CDB on release)
 * @cmd:       the LIO command
 * @sense:     sense buffer handed to LIO
 */
struct srpt_send_ioctx {
	struct srpt_buf		b;
	struct srpt_chan	*ch;
	struct srpt_recv_ioctx	*imm_recv;
	struct srpt_rw		*rw;
	struct srpt_rw		rw_one;
	u32			nr_rw;
	u32			nr_wrs;
	struct scatterlist	imm_sg;
	struct ib_cqe		rdma_cqe;
	struct srpt_tbl_fetch	fetch;
	enum srpt_cmd_state	state;
	bool			status_only;
	bool			rsp_data;
	u32			rsp_len;
	u32			rsp_credits;
	struct list_head	rsp_entry;
	u64			local_tag;
	u8			opcode;
	struct se_cmd		cmd;
	u8			sense[TRANSPORT_SENSE_BUFFER];
};

/* A kmem_cache shared by all rings with the same buffer size (srpt_ring.c). */
struct srpt_bufpool;

/**
 * struct srpt_chan - one RDMA channel (RC connection) of a nexus
 * @nexus:	   I_T nexus
 * @port:	   HCA port
 * @cm_rdma:	   RDMA CM id (RDMA CM logins)
 * @cm_ib:	   IB CM id (IB CM logins)
 * @qp:		   queue pair
 * @srq:	   the HCA's shared receive queue when the login started, or
 *		   NULL (read once, under srpt_hca.srq_lock)
 * @cq:		   completion queue, private to this channel
 * @cq_size:	   entries in @cq
 * @qp_num:	   QP number, for reports
 * @max_send_wr:   send queue slots for commands: @qp's, less
 *		   SRPT_SQ_MARKERS
 * @thread:	   completion thread, alive from login to release; the task
 *		   reference is kept until the CQ is destroyed (srpt_cq_event)
 * @thread_stopped: @thread has been stopped (kthread_stop() only once)
 * @zw_cqe:	   completion of the zero-length RDMA WRITE
 * @ref:	   references (CM callbacks, release work, login)
 * @rcu:	   deferred free
 * @released:	   completed when the channel has been released
 * @lock:	   protects @state
 * @state:	   enum srpt_ch_state
 * @rq_depth:	   receive ring size = credits = LIO tags
 * @sq_avail:	   free send queue slots
 * @credits_owed:  credits to hand back with the next response
 * @req_lim:	   credits the initiator currently holds (statistics)
 * @max_ti_iu:	   largest IU we may send
 * @max_rsp:	   response buffer size
 * @imm_offset:	   negotiated immediate data offset (0: none)
 * @rsp_pool:	   buffer pool of @send_ring
 * @req_pool:	   buffer pool of @recv_ring (NULL with SRQ)
 * @send_ring:	   command slots
 * @recv_ring:	   receive buffers (NULL with SRQ)
 * @pending:	   IUs waiting for LIVE or for a free tag (thread only)
 * @nr_pending:	   entries in @pending (thread only)
 * @rsp_lock:	   protects @rsp_wait; held while posting responses and
 *		   the RDMA READs of write data. Taken in process context
 *		   only (completion thread, LIO's workers) and deliberately
 *		   not with bottom halves off: see srpt_post_or_wait()
 * @rsp_wait:	   built responses, and commands whose write data is to be
 *		   fetched, waiting for send queue room (FIFO)
 * @late_sgls:	   data buffers of commands released while the channel
 *		   was closing; freed once the QP is destroyed (see
 *		   srpt_defer_sgl())
 * @entry:	   in srpt_nexus.chans
 * @sess:	   LIO session
 * @name:	   session name (initiator address or GUID)
 * @using_rdma_cm: RDMA CM (else IB CM)
 * @pkey:	   P_Key (IB CM)
 * @release_work:  final teardown, on srpt_wq
 * @drain_watchdog: forces the release when the drain marker never completes
 * @stat_ius:	   IUs handled
 * @stat_bad_ius:  IUs refused or dropped as malformed
 */
struct srpt_chan {
	struct srpt_nexus	*nexus;
	struct srpt_port	*port;
	struct rdma_cm_id	*cm_rdma;
	struct ib_cm_id		*cm_ib;
	struct ib_qp		*qp;
	struct ib_srq		*srq;
	struct ib_cq		*cq;
	u32			cq_size;
	u32			qp_num;
	u32			max_send_wr;
	struct task_struct	*thread;
	bool			thread_stopped;
	struct ib_cqe		zw_cqe;
	struct kref		ref;
	struct rcu_head		rcu;
	struct completion	released;
	spinlock_t		lock;
	enum srpt_ch_state	state;
	u32			rq_depth;
	atomic_t		sq_avail;
	atomic_t		credits_owed;
	atomic_t		req_lim;
	u32			max_ti_iu;
	u32			max_rsp;
	u16			imm_offset;
	struct srpt_bufpool	*rsp_pool;
	struct srpt_bufpool	*req_pool;
	struct srpt_send_ioctx	**send_ring;
	struct srpt_recv_ioctx	**recv_ring;
	struct list_head	pending;
	u32			nr_pending;
	spinlock_t		rsp_lock;
	struct list_head	rsp_wait;
	struct llist_head	late_sgls;
	struct list_head	entry;
	struct se_session	*sess;
	char			name[64];
	bool			using_rdma_cm;
	u16			pkey;
	struct work_struct	release_work;
	struct delayed_work	drain_watchdog;
	atomic64_t		stat_ius;
	atomic64_t		stat_bad_ius;
};

/**
 * struct srpt_nexus - I_T nexus: channels sharing (initiator, target) ids
 * @entry: in srpt_port.nexuses
 * @chans: channels, protected by srpt_port.lock (RCU for readers)
 * @rcu:   deferred free
 * @i_id:  initiator port identifier
 * @t_id:  target port identifier
 */
struct srpt_nexus {
	struct list_head	entry;
	struct list_head	chans;
	struct rcu_head		rcu;
	u8			i_id[16];
	u8			t_id[16];
};

/**
 * struct srpt_port_attr - per-port tunables, configfs tpgt_N/attrib/
 * @max_rdma_size: srp_max_rdma_size, announced in the DM IOC profile
 * @max_rsp_size:  srp_max_rsp_size, response buffer size of new channels
 * @sq_size:	   srp_sq_size, send queue size of new channels
 * @use_srq:	   use_srq: the HCA's channels receive on its SRQ
 *
 * Shared by all TPGs of the port; new values apply to new channels.
 */
struct srpt_port_attr {
	u32	max_rdma_size;
	u32	max_rsp_size;
	u32	sq_size;
	bool	use_srq;
};

/**
 * struct srpt_port_name - one configfs WWN directory of a port
 * @port:  the port
 * @lock:  protects @tpgs
 * @tpgs:  srpt_tpg list
 * @wwn:   LIO WWN
 * @name:  directory name
 */
struct srpt_port_name {
	struct srpt_port	*port;
	struct mutex		lock;
	struct list_head	tpgs;
	struct se_wwn		wwn;
	char			name[64];
};

/**
 * struct srpt_tpg - a TPG below a port name
 * @entry:  in srpt_port_name.tpgs
 * @pname:  the port name
 * @se_tpg: LIO TPG
 */
struct srpt_tpg {
	struct list_head	entry;
	struct srpt_port_name	*pname;
	struct se_portal_group	se_tpg;
};

/**
 * struct srpt_port - one HCA port
 * @hca:	 owning HCA
 * @num:	 port number (1-based)
 * @enabled:	 logins allowed (TPG enable)
 * @gid:	 GID[0]
 * @guid_name:	 name in GUID form
 * @gid_name:	 name in GID form
 * @guid_wwn:	 configfs WWN with the GUID name (or NULL)
 * @gid_wwn:	 configfs WWN with the GID name (or NULL)
 * @attr:	 tunables
 * @lock:	 protects @nexuses, channel lists, @enabled
 * @name_lock:	 protects @guid_wwn and @gid_wwn (held while a login looks
 *		 for its session below them)
 * @nexuses:	 srpt_nexus list
 * @live_chans:	 logins in progress and channels not yet released; taken
 *		 under @lock while @enabled (srpt_port_login_begin())
 * @chans_gone:	 signalled when @live_chans reaches zero
 * @refresh:	 re-reads GID/LID after port events
 * @dm_agent:	 device management MAD agent (srpt_dm.c), or NULL
 */
struct srpt_port {
	struct srpt_hca		*hca;
	u32			num;
	bool			enabled;
	union ib_gid		gid;
	char			guid_name[64];
	char			gid_name[64];
	struct srpt_port_name	*guid_wwn;
	struct srpt_port_name	*gid_wwn;
	struct srpt_port_attr	attr;
	struct mutex		lock;
	struct mutex		name_lock;
	struct list_head	nexuses;
	atomic_t		live_chans;
	wait_queue_head_t	chans_gone;
	struct work_struct	refresh;
	struct ib_mad_agent	*dm_agent;
};

/**
 * struct srpt_hca - one RDMA device
 * @ref:	   references (configfs WWNs hold one)
 * @dev:	   the ib_device
 * @pd:		   protection domain
 * @lkey:	   local DMA lkey
 * @cm_id:	   IB CM listener (InfiniBand and RoCE)
 * @srq:	   shared receive queue when use_srq is set
 * @srq_size:	   its size
 * @srq_pool:	   its buffer pool
 * @srq_ring:	   its receive buffers
 * @srq_lock:	   serializes SRQ switches against logins reading @srq
 * @event_handler: asynchronous events
 * @entry:	   in srpt_hcas
 * @next_vector:   completion vector for the next channel's CQ
 * @nports:	   number of ports
 * @ports:	   the ports
 */
struct srpt_hca {
	struct kref		ref;
	struct ib_device	*dev;
	struct ib_pd		*pd;
	u32			lkey;
	struct ib_cm_id		*cm_id;
	struct ib_srq		*srq;
	u32			srq_size;
	struct srpt_bufpool	*srq_pool;
	struct srpt_recv_ioctx	**srq_ring;
	struct mutex		srq_lock;
	struct ib_event_handler	event_handler;
	struct list_head	entry;
	atomic_t		next_vector;
	u32			nports;
	struct srpt_port	ports[];
};

/* ------------------------------------------------------------------ */
/* Shared state and cross-file functions. */

extern u64 srpt_service_guid;
extern unsigned int srp_max_req_size;
extern int srpt_srq_size;
extern unsigned int srpt_poll_usecs;
extern struct workqueue_struct *srpt_wq;
extern const struct target_core_fabric_ops srpt_fabric_ops;

/* srpt_main.c */
void srpt_hca_put(struct srpt_hca *hca);
struct srpt_port *srpt_port_by_name(const char *name,
				    struct srpt_port_name ***slot);
int srpt_hca_set_srq(struct srpt_hca *hca, bool on);
void srpt_port_set_enabled(struct srpt_port *port, bool on);
struct srpt_hca *srpt_hca_get(struct ib_device *dev);
void srpt_walk_sessions(void (*emit)(void *arg, const char *line), void *arg);

/* srpt_ring.c */
struct srpt_bufpool *srpt_pool_get(u32 size);
void srpt_pool_put(struct srpt_bufpool *pool);
void **srpt_ring_alloc(struct srpt_hca *hca, u32 n, size_t ctx_size,
		       struct srpt_bufpool *pool, u32 start,
		       enum dma_data_direction dir);
void srpt_ring_free(struct srpt_hca *hca, void **ring, u32 n,
		    struct srpt_bufpool *pool, enum dma_data_direction dir);
int srpt_post_recv(struct srpt_chan *ch, struct srpt_recv_ioctx *recv_ioctx);
int srpt_post_srq_recv(struct srpt_hca *hca,
		       struct srpt_recv_ioctx *recv_ioctx);

/* srpt_chan.c */
struct srpt_chan *srpt_chan_alloc(struct srpt_port *port, struct ib_srq *srq,
				  const char *name);
int srpt_chan_alloc_rings(struct srpt_chan *ch, u16 imm_offset);
int srpt_chan_create_hw(struct srpt_chan *ch);
void srpt_chan_discard(struct srpt_chan *ch);
void srpt_chan_destroy_qp(struct srpt_chan *ch);
void srpt_chan_destroy_hw(struct srpt_chan *ch);
void srpt_free_late_sgls(struct srpt_chan *ch);
void srpt_chan_start_thread(struct srpt_chan *ch);
void srpt_chan_stop_thread(struct srpt_chan *ch);
int srpt_post_zero_write(struct srpt_chan *ch);
bool srpt_set_state(struct srpt_chan *ch, enum srpt_ch_state new);
const char *srpt_state_name(enum srpt_ch_state s);
void srpt_chan_put(struct srpt_chan *ch);
void srpt_chan_close(struct srpt_chan *ch);
int srpt_chan_disconnect(struct srpt_chan *ch);
void srpt_chan_disconnect_wait(struct srpt_chan *ch);
void srpt_chan_fatal(struct srpt_chan *ch, const char *what,
		     enum ib_wc_status status);
bool srpt_port_login_begin(struct srpt_port *port, struct ib_srq **srq);
void srpt_port_login_fail(struct srpt_port *port);
void srpt_port_close_all(struct srpt_port *port);
void srpt_port_wait_chans(struct srpt_port *port);

/* srpt_cm.c */
int srpt_cm_listen_rdma(u16 port);
void srpt_cm_stop_rdma(void);
u16 srpt_cm_rdma_port(void);
int srpt_ib_cm_handler(struct ib_cm_id *cm_id, const struct ib_cm_event *ev);

/* srpt_dm.c */
void srpt_dm_register(struct srpt_port *port);
void srpt_dm_unregister(struct srpt_port *port);

/* srpt_configfs.c */
struct se_wwn *srpt_make_wwn(struct target_fabric_configfs *tf,
			     struct config_group *group, const char *name);
void srpt_drop_wwn(struct se_wwn *wwn);
struct se_portal_group *srpt_tpg_make(struct se_wwn *wwn, const char *name);
void srpt_tpg_drop(struct se_portal_group *se_tpg);
int srpt_tpg_enable(struct se_portal_group *se_tpg, bool enable);
int srpt_acl_init(struct se_node_acl *nacl, const char *name);
extern struct configfs_attribute *srpt_discovery_attrs[];
extern struct configfs_attribute *srpt_wwn_attrs[];
extern struct configfs_attribute *srpt_tpg_attrib_attrs[];

/* srpt_cmd.c */
void srpt_recv_done(struct ib_cq *cq, struct ib_wc *wc);
void srpt_send_done(struct ib_cq *cq, struct ib_wc *wc);
void srpt_drain_pending(struct srpt_chan *ch);
void srpt_chan_drop_fetches(struct srpt_chan *ch);
int srpt_cmd_write_pending(struct se_cmd *se_cmd);
int srpt_cmd_data_in(struct se_cmd *se_cmd);
int srpt_cmd_status(struct se_cmd *se_cmd);
void srpt_cmd_tmr_rsp(struct se_cmd *se_cmd);
void srpt_cmd_aborted(struct se_cmd *se_cmd);
void srpt_cmd_release(struct se_cmd *se_cmd);
int srpt_cmd_stop_free(struct se_cmd *se_cmd);
int srpt_cmd_state_of(struct se_cmd *se_cmd);

/**
 * enum srpt_fault - fault injection for tests (srpt_debugfs.c)
 * @SRPT_FAULT_TABLE_READ:  lose a table READ completion (fail_table_read)
 * @SRPT_FAULT_DRAIN_FLUSH: lose the drain marker's flush (fail_drain_flush)
 * @SRPT_NR_FAULTS:	    number of faults
 */
enum srpt_fault {
	SRPT_FAULT_TABLE_READ,
	SRPT_FAULT_DRAIN_FLUSH,
	SRPT_NR_FAULTS,
};

/**
 * enum srpt_test_delay - test knobs (srpt_debugfs.c)
 * @SRPT_DELAY_RELEASE: release work, after the thread stopped
 * @SRPT_DELAY_LOGIN:	login admitted, before its channel exists
 * @SRPT_DELAY_RTU:	IB CM RTU, before the QP moves to RTS
 * @SRPT_DELAY_CLOSE:	channel close, after the drain marker is posted
 *			(only where the caller may sleep)
 * @SRPT_NR_DELAYS:	number of delays
 *
 * debugfs ib_srpt/test_*, all 0 by default (Documentation/srpt.rst). Each
 * delay pauses one control path, never the data path, so that a test can
 * reliably put an event into a race window.
 */
enum srpt_test_delay {
	SRPT_DELAY_RELEASE,
	SRPT_DELAY_LOGIN,
	SRPT_DELAY_RTU,
	SRPT_DELAY_CLOSE,
	SRPT_NR_DELAYS,
};

void srpt_debugfs_init(void);
void srpt_debugfs_exit(void);
void srpt_test_delay(enum srpt_test_delay which, const char *name);
bool srpt_test_qp_err_fails(void);

#ifdef CONFIG_FAULT_INJECTION_DEBUG_FS
bool srpt_inject(enum srpt_fault which);
#else
static inline bool srpt_inject(enum srpt_fault which)
{
	return false;
}
#endif

#endif /* KEEL_SRPT_H */
