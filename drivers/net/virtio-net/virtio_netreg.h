/*
 * The virtio network device (VIRTIO 1.1, 5.1): feature bits, device configuration and the
 * header in front of every frame.
 */
#ifndef VIRTIO_NETREG_H
#define VIRTIO_NETREG_H

#include <stdint.h>

/* 5.1.2: virtqueues. Pair N is receiveq 2N and transmitq 2N+1. */
#define VIRTIO_NET_RXQ			0
#define VIRTIO_NET_TXQ			1

/* 5.1.3: feature bits. */
#define VIRTIO_NET_F_CSUM		0
#define VIRTIO_NET_F_GUEST_CSUM		1
#define VIRTIO_NET_F_MTU		3
#define VIRTIO_NET_F_MAC		5
#define VIRTIO_NET_F_MRG_RXBUF		15
#define VIRTIO_NET_F_STATUS		16
#define VIRTIO_NET_F_CTRL_VQ		17
#define VIRTIO_NET_F_MQ			22

/* 5.1.4: device configuration, byte offsets. */
#define VIRTIO_NET_CFG_MAC		0	/* u8[6], with VIRTIO_NET_F_MAC */
#define VIRTIO_NET_CFG_STATUS		6	/* le16, with VIRTIO_NET_F_STATUS */
#define VIRTIO_NET_CFG_MAX_PAIRS	8	/* le16, with VIRTIO_NET_F_MQ */
#define VIRTIO_NET_CFG_MTU		10	/* le16, with VIRTIO_NET_F_MTU */

#define VIRTIO_NET_S_LINK_UP		1

/* 5.1.6.5: control virtqueue commands: class, command, data, then the device's ack. */
#define VIRTIO_NET_CTRL_MQ		4
#define VIRTIO_NET_CTRL_MQ_VQ_PAIRS_SET	0
#define VIRTIO_NET_OK			0
#define VIRTIO_NET_ERR			1

/* 5.1.6: the header before each frame. num_buffers exists with VIRTIO_F_VERSION_1 or
 * VIRTIO_NET_F_MRG_RXBUF; the legacy header without them is 10 bytes (5.1.6.1). */
struct virtio_net_hdr {
	uint8_t flags;
	uint8_t gso_type;
	uint16_t hdr_len;
	uint16_t gso_size;
	uint16_t csum_start;
	uint16_t csum_offset;
	uint16_t num_buffers;
};

#define VIRTIO_NET_HDR_LEN		12
#define VIRTIO_NET_HDR_LEN_LEGACY	10

_Static_assert(sizeof(struct virtio_net_hdr) == VIRTIO_NET_HDR_LEN, "5.1.6: header layout");

#endif
