/* SPDX-License-Identifier: GPL-2.0 */
/*
 * keel ib_srpt: the device management (DM) MAD class's wire layout
 * (IBTA 1.x, 16.3), shared by srpt_dm.c and the srpt_ibcm_test helper.
 */
#ifndef KEEL_SRPT_DM_H
#define KEEL_SRPT_DM_H

#include <linux/build_bug.h>
#include <rdma/ib_mad.h>

/* Attribute IDs of the DM class */
#define SRPT_DM_ATTR_CLASS_PORT_INFO	0x0001
#define SRPT_DM_ATTR_IOU_INFO		0x0010
#define SRPT_DM_ATTR_IOC_PROFILE	0x0011
#define SRPT_DM_ATTR_SVC_ENTRIES	0x0012

/* MAD status values the DM class uses */
#define SRPT_DM_ST_BAD_METHOD		0x0008	/* method not supported */
#define SRPT_DM_ST_BAD_ATTR		0x000c	/* method/attribute combination */
#define SRPT_DM_ST_BAD_FIELD		0x001c	/* attribute modifier invalid */
#define SRPT_DM_ST_NO_IOC		0x0100	/* no controller in the slot */

#define SRPT_DM_CLASS_VERSION	1
#define SRPT_DM_SLOTS		16	/* IOUnitInfo max_controllers */

/* The DM class layout: common MAD header, 40 reserved bytes, payload. */
struct srpt_dm_mad {
	struct ib_mad_hdr hdr;
	u8 resv[IB_MGMT_DEVICE_HDR - sizeof(struct ib_mad_hdr)];
	u8 data[IB_MGMT_DEVICE_DATA];
};

/* IOUnitInfo; the slot list is 128 bytes on the wire, we use 16 slots */
struct srpt_dm_iou {
	__be16 change;
	u8 nslots;
	u8 rom_and_diag;
	u8 slots[SRPT_DM_SLOTS / 2];	/* one nibble per slot, slot 1 high */
};

/* IOControllerProfile (128 bytes) */
struct srpt_dm_ioc {
	__be64 ioc_guid;
	__be32 vendor, device;		/* vendor: 24-bit OUI */
	__be16 hw_version, rsvd_a;
	__be32 subsys_vendor, subsys_device;
	__be16 cls, subcls;		/* I/O class and subclass */
	__be16 proto, proto_ver;
	__be16 rsvd_b[2];
	__be16 sq_depth;		/* messages the IOC accepts at once */
	u8 rsvd_c, rd_depth;		/* RDMA READs it has outstanding */
	__be32 max_send, max_rdma;	/* largest message / transfer */
	u8 ops, svc_caps, nsvc;		/* operation caps, -, services */
	u8 rsvd_d[9];
	char ident[64];
};

/* one ServiceEntries element; a reply carries up to four */
struct srpt_dm_svc {
	char name[40];
	__be64 sid;
};

static_assert(sizeof(struct srpt_dm_mad) == 256);
static_assert(sizeof(struct srpt_dm_ioc) == 128);
static_assert(sizeof(struct srpt_dm_svc) == 48);

#endif /* KEEL_SRPT_DM_H */
