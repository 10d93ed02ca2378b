/* CRC-32, bit by bit: records are short and the line is slower than this loop. */
#include <lib/crc32.h>

uint32_t crc32_buf(const void *p, size_t n)
{
	const uint8_t *b = p;
	uint32_t crc = 0xffffffffu;

	while (n--) {
		crc ^= *b++;
		for (int k = 0; k < 8; k++)
			crc = (crc >> 1) ^ (0xedb88320u & (0u - (crc & 1)));
	}
	return ~crc;
}
