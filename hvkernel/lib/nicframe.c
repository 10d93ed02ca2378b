/* The NIC test frame (lib/nicframe.h). Byte by byte, so it needs no libc and reads the
 * same on the 64-bit kernel and host and the 32-bit guest. */
#include <lib/nicframe.h>

const uint8_t nicframe_ip_host[4] = { 192, 0, 2, 1 };
const uint8_t nicframe_ip_dut[4] = { 192, 0, 2, 2 };

static void nicframe_put32(uint8_t *p, uint32_t v)
{
	for (int i = 0; i < 4; i++)
		p[i] = (uint8_t)(v >> (8 * i));
}

static uint32_t nicframe_get32(const uint8_t *p)
{
	return (uint32_t)p[0] | (uint32_t)p[1] << 8 | (uint32_t)p[2] << 16 | (uint32_t)p[3] << 24;
}

static void nicframe_put16be(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static unsigned nicframe_get16be(const uint8_t *p)
{
	return (unsigned)p[0] << 8 | p[1];
}

/* FNV-1a's multiplier from the golden-ratio start: cheap, and any byte change shows. */
static uint32_t nicframe_sum(const uint8_t *p, size_t n)
{
	uint32_t s = 0x9e3779b9u;

	for (size_t i = 0; i < n; i++)
		s = (s ^ p[i]) * 0x01000193u;
	return s;
}

static void nicframe_macs(uint8_t *f, const struct nicframe_ends *e, unsigned ethertype)
{
	for (int i = 0; i < 6; i++) {
		f[i] = e->dst[i];
		f[6 + i] = e->src[i];
	}
	nicframe_put16be(f + 12, ethertype);
}

/* The tag at off and the payload after it. */
static void nicframe_tag(uint8_t *f, size_t off, uint32_t seq, size_t len)
{
	size_t data = off + NICFRAME_TAG_BYTES;

	for (size_t i = data; i < len; i++)
		f[i] = (uint8_t)(seq * 7 + i);
	nicframe_put32(f + off, NICFRAME_MAGIC);
	nicframe_put32(f + off + 4, seq);
	nicframe_put32(f + off + 8, nicframe_sum(f + data, len - data));
}

size_t nicframe_build(uint8_t *f, const struct nicframe_ends *e, uint32_t seq, size_t len)
{
	nicframe_macs(f, e, NICFRAME_ETHERTYPE);
	nicframe_tag(f, NICFRAME_TAG_OFF, seq, len);
	return len;
}

/* RFC 791 3.1: the ones' complement of the ones' complement sum of the header's words. */
static unsigned nicframe_ip_csum(const uint8_t *h)
{
	uint32_t s = 0;

	for (int i = 0; i < 20; i += 2)
		s += nicframe_get16be(h + i);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return ~s & 0xffff;
}

size_t nicframe_build_udp(uint8_t *f, const struct nicframe_ends *e, uint32_t seq, size_t len,
			  uint32_t flow)
{
	uint8_t *ip = f + NICFRAME_IP_OFF, *udp = f + NICFRAME_UDP_OFF;

	nicframe_macs(f, e, 0x0800);
	for (int i = 0; i < NICFRAME_UDP_TAG_OFF - NICFRAME_IP_OFF; i++)
		ip[i] = 0;
	ip[0] = 0x45;				/* version 4, 5 words: no options */
	nicframe_put16be(ip + 2, (unsigned)(len - NICFRAME_IP_OFF));
	nicframe_put16be(ip + 6, 0x4000);	/* don't fragment */
	ip[8] = 64;
	ip[9] = 17;				/* UDP */
	for (int i = 0; i < 4; i++) {
		ip[12 + i] = e->ip_src[i];
		ip[16 + i] = e->ip_dst[i];
	}
	nicframe_put16be(ip + 10, nicframe_ip_csum(ip));
	nicframe_put16be(udp, NICFRAME_FLOW_PORT + (flow & NICFRAME_FLOW_MASK));
	nicframe_put16be(udp + 2, NICFRAME_UDP_PORT);
	nicframe_put16be(udp + 4, (unsigned)(len - NICFRAME_UDP_OFF));	/* checksum 0: none */
	nicframe_tag(f, NICFRAME_UDP_TAG_OFF, seq, len);
	return len;
}

void nicframe_set_seq(uint8_t *f, uint32_t seq)
{
	nicframe_put32(f + NICFRAME_TAG_OFF + 4, seq);
}

int nicframe_locate(const uint8_t *f, size_t len, struct nicframe_info *info)
{
	unsigned type;

	info->flow = 0;
	if (len < NICFRAME_TAG_OFF + NICFRAME_TAG_BYTES)
		return 0;
	type = nicframe_get16be(f + 12);
	if (type == NICFRAME_ETHERTYPE) {
		info->tag_off = NICFRAME_TAG_OFF;
	} else if (type == 0x0800) {
		/* Ours only as IPv4 without options, UDP, to our port. */
		if (len < NICFRAME_UDP_TAG_OFF + NICFRAME_TAG_BYTES || f[NICFRAME_IP_OFF] != 0x45 ||
		    f[NICFRAME_IP_OFF + 9] != 17 ||
		    nicframe_get16be(f + NICFRAME_UDP_OFF + 2) != NICFRAME_UDP_PORT)
			return 0;
		info->flow = nicframe_get16be(f + NICFRAME_UDP_OFF) - NICFRAME_FLOW_PORT;
		info->tag_off = NICFRAME_UDP_TAG_OFF;
	} else {
		return 0;
	}
	if (nicframe_get32(f + info->tag_off) != NICFRAME_MAGIC)
		return 0;
	info->seq = nicframe_get32(f + info->tag_off + 4);
	return 1;
}

int nicframe_intact(const uint8_t *f, size_t len, const struct nicframe_info *info)
{
	size_t data = info->tag_off + NICFRAME_TAG_BYTES;

	return nicframe_get32(f + info->tag_off + 8) == nicframe_sum(f + data, len - data);
}

int nicframe_check(const uint8_t *f, size_t len, struct nicframe_info *info)
{
	if (!nicframe_locate(f, len, info))
		return 0;
	return nicframe_intact(f, len, info) ? 1 : -1;
}

void nicframe_order_start(struct nicframe_order *o, uint32_t first)
{
	o->next = first;
	o->started = 1;
}

int nicframe_order_step(struct nicframe_order *o, uint32_t seq)
{
	int in_order = !o->started || seq == o->next;

	o->next = seq + 1;
	o->started = 1;
	return in_order;
}
