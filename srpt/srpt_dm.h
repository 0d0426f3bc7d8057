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

/**
 * struct srpt_dm_mad - a device management MAD
 * @hdr:  common MAD header
 * @resv: reserved part of the DM class header (40 bytes)
 * @data: attribute payload
 */
struct srpt_dm_mad {
	struct ib_mad_hdr hdr;
	u8 resv[IB_MGMT_DEVICE_HDR - sizeof(struct ib_mad_hdr)];
	u8 data[IB_MGMT_DEVICE_DATA];
};

/**
 * struct srpt_dm_iou - IOUnitInfo, the first SRPT_DM_SLOTS of its slots
 * @change:	  change ID
 * @nslots:	  max controllers (slots)
 * @rom_and_diag: option ROM and diagnostics bits
 * @slots:	  controller list, one nibble per slot, slot 1 high
 *
 * The slot list is 128 bytes on the wire; the rest stays zero.
 */
struct srpt_dm_iou {
	__be16 change;
	u8 nslots;
	u8 rom_and_diag;
	u8 slots[SRPT_DM_SLOTS / 2];
};

/**
 * struct srpt_dm_ioc - IOControllerProfile (128 bytes)
 * @ioc_guid:	   I/O controller GUID
 * @vendor:	   vendor ID, 24-bit OUI
 * @device:	   device ID
 * @hw_version:	   device version
 * @rsvd_a:	   reserved
 * @subsys_vendor: subsystem vendor ID
 * @subsys_device: subsystem ID
 * @cls:	   I/O class
 * @subcls:	   I/O subclass
 * @proto:	   protocol
 * @proto_ver:	   protocol version
 * @rsvd_b:	   reserved
 * @sq_depth:	   messages the IOC accepts at once
 * @rsvd_c:	   reserved
 * @rd_depth:	   RDMA READs it has outstanding
 * @max_send:	   largest message
 * @max_rdma:	   largest RDMA transfer
 * @ops:	   operation capabilities
 * @svc_caps:	   reserved here (service capabilities)
 * @nsvc:	   number of service entries
 * @rsvd_d:	   reserved
 * @ident:	   ID string
 */
struct srpt_dm_ioc {
	__be64 ioc_guid;
	__be32 vendor, device;
	__be16 hw_version, rsvd_a;
	__be32 subsys_vendor, subsys_device;
	__be16 cls, subcls;
	__be16 proto, proto_ver;
	__be16 rsvd_b[2];
	__be16 sq_depth;
	u8 rsvd_c, rd_depth;
	__be32 max_send, max_rdma;
	u8 ops, svc_caps, nsvc;
	u8 rsvd_d[9];
	char ident[64];
};

/**
 * struct srpt_dm_svc - one ServiceEntries element; a reply carries up to 4
 * @name: service name
 * @sid:  service ID
 */
struct srpt_dm_svc {
	char name[40];
	__be64 sid;
};

static_assert(sizeof(struct srpt_dm_mad) == 256);
static_assert(sizeof(struct srpt_dm_ioc) == 128);
static_assert(sizeof(struct srpt_dm_svc) == 48);

#endif /* KEEL_SRPT_DM_H */
