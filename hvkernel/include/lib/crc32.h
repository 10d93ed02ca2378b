/*
 * CRC-32 (the IEEE 802.3 polynomial, reflected, as zlib and Ethernet compute it),
 * freestanding: the kernel frames each result-channel record with it when the records
 * share one serial line with the log (hvr.port=com1), and certify checks it on the host,
 * so a byte the line garbled is caught rather than believed (docs/result-channel.md).
 */
#ifndef LIB_CRC32_H
#define LIB_CRC32_H

#include <stddef.h>
#include <stdint.h>

/* The CRC-32 of n bytes at p ("123456789" gives 0xcbf43926). */
uint32_t crc32_buf(const void *p, size_t n);

#endif
