/* The few C string and memory functions the kernel uses (kern/string.c). */
#ifndef KERN_STRING_H
#define KERN_STRING_H

#include <stddef.h>
#include <stdint.h>
#include <stdbool.h>

void *memcpy(void *dst, const void *src, size_t n);
void *memmove(void *dst, const void *src, size_t n);
void *memset(void *dst, int c, size_t n);
int memcmp(const void *a, const void *b, size_t n);
size_t strlen(const char *s);
size_t strnlen(const char *s, size_t max);
int strcmp(const char *a, const char *b);
int strncmp(const char *a, const char *b, size_t n);
/* The first occurrence of sub in s, or NULL. */
char *strstr(const char *s, const char *sub);
char *strchr(const char *s, int c);
size_t strlcpy(char *dst, const char *src, size_t n);

/* Parse an unsigned number (decimal, or hex with 0x) from s[0..len). 0, or -HV_EINVAL. */
int str_to_u64(const char *s, size_t len, uint64_t *out);
/* Parse exactly len hex digits. */
int str_hex_to_u64(const char *s, size_t len, uint64_t *out);

#endif
