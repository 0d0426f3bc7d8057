// SPDX-License-Identifier: GPL-2.0
/*
 * keel ib_srpt: IU buffers - kmem_cache pools shared by every ring of the
 * same buffer size, DMA-mapped rings of send/receive contexts (a
 * channel's or the SRQ's), and giving receive buffers back to the HCA.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/slab.h>
#include <linux/mm.h>
#include <rdma/ib_verbs.h>
#include "srpt.h"

/* ---------------------------------------------------------------- */
/* Buffer pools: one kmem_cache per buffer size, shared and refcounted. */

/**
 * struct srpt_bufpool - IU buffers of one size, shared by all rings
 * @entry: in srpt_pools
 * @cache: the buffers, 512-byte aligned
 * @size:  buffer size
 * @users: rings (and SRQs) using the pool, under srpt_pools_lock
 * @name:  cache name, "srpt_buf_<size>"
 */
struct srpt_bufpool {
	struct list_head	entry;
	struct kmem_cache	*cache;
	u32			size;
	unsigned int		users;
	char			name[24];
};

static LIST_HEAD(srpt_pools);
static DEFINE_MUTEX(srpt_pools_lock);

/**
 * srpt_pool_get() - find or create the pool for @size-byte buffers
 * @size: buffer size
 *
 * Buffers are 512-byte aligned so that immediate data placed at the right
 * offset can be handed to block drivers in place.
 *
 * Return: the pool, referenced (srpt_pool_put()), or NULL.
 */
struct srpt_bufpool *srpt_pool_get(u32 size)
{
	struct srpt_bufpool *p;

	mutex_lock(&srpt_pools_lock);
	list_for_each_entry(p, &srpt_pools, entry) {
		if (p->size == size) {
			p->users++;
			goto out;
		}
	}
	p = kzalloc(sizeof(*p), GFP_KERNEL);
	if (!p)
		goto out;
	p->size = size;
	p->users = 1;
	snprintf(p->name, sizeof(p->name), "srpt_buf_%u", size);
	p->cache = kmem_cache_create(p->name, size, 512, 0, NULL);
	if (!p->cache) {
		kfree(p);
		p = NULL;
		goto out;
	}
	list_add(&p->entry, &srpt_pools);
out:
	mutex_unlock(&srpt_pools_lock);
	return p;
}

/**
 * srpt_pool_put() - drop a reference to a buffer pool
 * @p: pool from srpt_pool_get(), or NULL
 *
 * The last user destroys the cache; every buffer must be back by then.
 */
void srpt_pool_put(struct srpt_bufpool *p)
{
	if (!p)
		return;
	mutex_lock(&srpt_pools_lock);
	if (--p->users == 0) {
		list_del(&p->entry);
		kmem_cache_destroy(p->cache);
		kfree(p);
	}
	mutex_unlock(&srpt_pools_lock);
}

/**
 * srpt_ring_alloc() - allocate @n contexts, each with a mapped buffer
 * @hca:      device the buffers are mapped for
 * @n:	      ring size
 * @ctx_size: size of the context structure (starts with struct srpt_buf)
 * @pool:     buffer pool
 * @start:    offset of the IU inside each buffer
 * @dir:      DMA direction
 *
 * Return: array of context pointers, or NULL.
 */
void **srpt_ring_alloc(struct srpt_hca *hca, u32 n, size_t ctx_size,
		       struct srpt_bufpool *pool, u32 start,
		       enum dma_data_direction dir)
{
	struct ib_device *dev = hca->dev;
	void **ring;
	u32 i;

	ring = kvcalloc(n, sizeof(*ring), GFP_KERNEL);
	if (!ring)
		return NULL;
	for (i = 0; i < n; i++) {
		struct srpt_buf *b = kzalloc(ctx_size, GFP_KERNEL);

		if (!b)
			goto fail;
		ring[i] = b;
		b->idx = i;
		b->start = start;
		b->buf = kmem_cache_alloc(pool->cache, GFP_KERNEL);
		if (!b->buf)
			goto fail;
		b->dma = ib_dma_map_single(dev, b->buf, pool->size, dir);
		if (ib_dma_mapping_error(dev, b->dma)) {
			kmem_cache_free(pool->cache, b->buf);
			b->buf = NULL;
			goto fail;
		}
	}
	return ring;
fail:
	srpt_ring_free(hca, ring, n, pool, dir);
	return NULL;
}

/**
 * srpt_ring_free() - unmap and free a ring from srpt_ring_alloc()
 * @hca:  device the buffers are mapped for
 * @ring: the ring, or NULL; partly allocated rings are fine
 * @n:	  ring size
 * @pool: buffer pool
 * @dir:  DMA direction the buffers were mapped with
 */
void srpt_ring_free(struct srpt_hca *hca, void **ring, u32 n,
		    struct srpt_bufpool *pool, enum dma_data_direction dir)
{
	u32 i;

	if (!ring)
		return;
	for (i = 0; i < n; i++) {
		struct srpt_buf *b = ring[i];

		if (!b)
			continue;
		if (b->buf) {
			ib_dma_unmap_single(hca->dev, b->dma, pool->size, dir);
			kmem_cache_free(pool->cache, b->buf);
		}
		kfree(b);
	}
	kvfree(ring);
}

/* ---------------------------------------------------------------- */
/* Receive buffers back to the hardware. */

static void srpt_fill_recv_wr(struct srpt_hca *hca,
			      struct srpt_recv_ioctx *recv_ioctx,
			      struct ib_recv_wr *wr, struct ib_sge *sge)
{
	sge->addr = recv_ioctx->b.dma + recv_ioctx->b.start;
	sge->length = srp_max_req_size;
	sge->lkey = hca->lkey;
	recv_ioctx->b.cqe.done = srpt_recv_done;
	wr->next = NULL;
	wr->wr_cqe = &recv_ioctx->b.cqe;
	wr->sg_list = sge;
	wr->num_sge = 1;
}

/**
 * srpt_post_recv() - give a receive buffer back to the hardware
 * @ch: channel the buffer came from
 * @recv_ioctx: receive context
 *
 * Buffers of the shared receive queue go back to the SRQ.
 *
 * Return: 0 or the error of ib_post_recv().
 */
int srpt_post_recv(struct srpt_chan *ch, struct srpt_recv_ioctx *recv_ioctx)
{
	struct srpt_hca *hca = ch->port->hca;
	struct ib_recv_wr wr;
	struct ib_sge sge;

	if (!ch->recv_ring)
		return srpt_post_srq_recv(hca, recv_ioctx);
	srpt_fill_recv_wr(hca, recv_ioctx, &wr, &sge);
	return ib_post_recv(ch->qp, &wr, NULL);
}

/**
 * srpt_post_srq_recv() - give a receive buffer to the HCA's SRQ
 * @hca:	device with a shared receive queue
 * @recv_ioctx: receive context of that SRQ's ring
 *
 * Return: 0 or the error of ib_post_srq_recv().
 */
int srpt_post_srq_recv(struct srpt_hca *hca, struct srpt_recv_ioctx *recv_ioctx)
{
	struct ib_recv_wr wr;
	struct ib_sge sge;

	srpt_fill_recv_wr(hca, recv_ioctx, &wr, &sge);
	return ib_post_srq_recv(hca->srq, &wr, NULL);
}
