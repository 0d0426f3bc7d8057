// SPDX-License-Identifier: GPL-2.0
/*
 * keel vdisk: bounce pages for data a backing device cannot take as it
 * is. tcm_loop and vhost-scsi hand over the initiator's buffers, which
 * O_DIRECT aligns to 4 bytes only; brd, md and dm want whole sectors.
 * Pure scatterlist logic, shared with the KUnit module.
 */
#include <linux/highmem.h>
#include <linux/minmax.h>
#include <linux/scatterlist.h>

#include "vdisk.h"

/**
 * vdisk_bounce_copy() - copy between a command's data and its bounce pages
 * @bounce: whole pages from sgl_alloc(), in the kernel's direct map
 * @sgl: the command's data
 * @nents: entries in @sgl
 * @len: bytes to copy (the size of @bounce)
 * @to_bounce: copy from @sgl into @bounce; else back
 *
 * One pass over both lists; only @sgl's pages are mapped (atomically,
 * so it may run in a bio completion).
 */
void vdisk_bounce_copy(struct scatterlist *bounce, struct scatterlist *sgl,
		       u32 nents, size_t len, bool to_bounce)
{
	unsigned int flags = SG_MITER_ATOMIC |
			     (to_bounce ? SG_MITER_FROM_SG : SG_MITER_TO_SG);
	struct scatterlist *b = bounce;
	struct sg_mapping_iter m;
	size_t boff = 0;

	sg_miter_start(&m, sgl, nents, flags);
	while (len && b && sg_miter_next(&m)) {
		size_t moff = 0;

		while (len && b && moff < m.length) {
			void *p = page_address(sg_page(b)) + b->offset + boff;
			size_t n = min3(len, m.length - moff,
					(size_t)b->length - boff);

			if (to_bounce)
				memcpy(p, m.addr + moff, n);
			else
				memcpy(m.addr + moff, p, n);
			moff += n;
			boff += n;
			len -= n;
			if (boff == b->length) {
				b = sg_next(b);
				boff = 0;
			}
		}
	}
	sg_miter_stop(&m);
}

/**
 * vdisk_sg_misaligned() - must @sgl's data be bounced for a device?
 * @sgl: the command's data
 * @nents: entries in @sgl
 * @len: bytes of it that move
 * @mask: the backing device's DMA alignment (bdev_dma_alignment())
 *
 * Each piece must start and end on the device's DMA alignment. A bio of
 * pieces that do not is refused with a warning, or worse: brd copies
 * whole sectors per piece and the data lands in the wrong place.
 *
 * Return: true if a piece of the first @len bytes is misaligned.
 */
bool vdisk_sg_misaligned(struct scatterlist *sgl, u32 nents, u32 len,
			 unsigned int mask)
{
	struct scatterlist *sg = sgl;
	unsigned int bits = 0;

	/* one OR per entry, the test once: misaligned data is the rare case */
	for (; sg && nents && len; nents--, sg = vdisk_sg_next(sg)) {
		unsigned int l = min(sg->length, len);

		bits |= sg->offset | l;
		len -= l;
	}
	return bits & mask;
}
