/* Tests for lib/fmt: formatting against the host libc as oracle, and result-channel escaping. */
#include <limits.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <hv/errno.h>
#include <lib/fmt.h>
#include "unit.h"

static unsigned ft_cases, ft_mismatches;

/*
 * Formats with both libc and fmt at several buffer sizes (including 0, 1 and a cut in the
 * middle) and compares return values and bytes. Prints the first few mismatches.
 */
__attribute__((format(printf, 2, 3)))
static void ft_check(int line, const char *f, ...)
{
	static const size_t sizes[] = { 0, 1, 2, 5, 17, 512 };
	char want[512], got[512];
	va_list ap, aq;

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		size_t n = sizes[i];
		int rw, rg;

		memset(want, 0x7e, sizeof(want));
		memset(got, 0x7e, sizeof(got));
		va_start(ap, f);
		va_copy(aq, ap);
		rw = vsnprintf(want, n, f, ap);
		rg = fmt_vsnprintf(got, n, f, aq);
		va_end(aq);
		va_end(ap);
		ft_cases++;
		if (rw != rg || memcmp(want, got, sizeof(want)) != 0) {
			if (ft_mismatches++ < 10)
				fprintf(stderr, "fmt line %d: \"%s\" n=%zu: libc %d \"%.*s\", fmt %d \"%.*s\"\n",
					line, f, n, rw, (int)(n ? strnlen(want, n) : 0), want,
					rg, (int)(n ? strnlen(got, n) : 0), got);
		}
	}
}

#define FT(...) ft_check(__LINE__, __VA_ARGS__)

/* For flag combinations C defines but gcc warns about ("'0' flag ignored with '-'"). */
#define FT_IGNORED_FLAGS(...)						\
	_Pragma("GCC diagnostic push")					\
	_Pragma("GCC diagnostic ignored \"-Wformat\"")			\
	ft_check(__LINE__, __VA_ARGS__);				\
	_Pragma("GCC diagnostic pop")

static void ft_begin(void)
{
	ft_cases = ft_mismatches = 0;
}

static void ft_end(void)
{
	CU_ASSERT(ft_cases > 0);
	CU_ASSERT_EQUAL(ft_mismatches, 0);
}

static void test_fmt_plain(void)
{
	ft_begin();
	FT("%s", "");
	FT("hello, world");
	FT("100%% sure %%");
	FT("%s and %s", "one", "two");
	FT("a long line that certainly does not fit into the smaller buffers at all %d", 7);
	ft_end();
}

static void test_fmt_signed(void)
{
	ft_begin();
	FT("%d %i %d %d", 0, 42, -42, INT_MAX);
	FT("%d", INT_MIN);
	FT("%ld %ld", LONG_MAX, LONG_MIN);
	FT("%lld %lld", LLONG_MAX, LLONG_MIN);
	FT("%hhd %hhd %hhd", 127, 128, 300);
	FT("%hd %hd", 32767, 70000);
	FT("%jd %jd", INTMAX_MAX, INTMAX_MIN);
	FT("%td %td", (ptrdiff_t)-5, PTRDIFF_MAX);
	FT("%zd", (ssize_t)-9);
	FT("[%5d] [%-5d] [%05d] [%+d] [% d] [%+5d] [%-+5d]", 42, 42, 42, 42, 42, 42, 42);
	FT_IGNORED_FLAGS("[%05d] [%+05d] [% 05d] [%0-5d]", -42, 42, 42, -42)
	FT_IGNORED_FLAGS("[%.3d] [%.3d] [%8.3d] [%-8.3d] [%08.3d] [%+.3d]", 7, -7, 7, -7, 7, 7)
	FT("[%.0d] [%5.0d] [%+.0d] [% .0d] [%-3.0d]|", 0, 0, 0, 0, 0);
	FT_IGNORED_FLAGS("[%+ d] [% +d]", 5, 5)
	FT("[%1d] [%2d]", -123, 12345);
	ft_end();
}

static void test_fmt_unsigned(void)
{
	ft_begin();
	FT("%u %u %u", 0u, 42u, UINT_MAX);
	FT("%lu %llu %zu %ju", ULONG_MAX, ULLONG_MAX, SIZE_MAX, UINTMAX_MAX);
	FT("%hhu %hu", 300, 70000);
	FT("%x %X %x %X", 0u, 0xdeadbeefu, 255u, 255u);
	FT("%lx %llX %zx %jx", ULONG_MAX, 0x0123456789abcdefull, (size_t)4096, UINTMAX_MAX);
	FT("%hhx %hx", 0x1ff, 0x1ffff);
	FT("%o %o %lo %llo", 0u, 8u, ULONG_MAX, 01234567ull);
	FT("[%#x] [%#X] [%#x] [%#o] [%#o] [%#.0o] [%#.0x]", 0u, 0xabu, 255u, 0u, 8u, 0u, 0u);
	FT("[%#10x] [%#-10x] [%#010x] [%#.6x] [%#10.6X]", 0xabu, 0xabu, 0xabu, 0xabu, 0xabu);
	FT("[%#5o] [%#05o] [%#.4o] [%#.2o]", 8u, 8u, 8u, 01234u);
	FT_IGNORED_FLAGS("[%08x] [%-8x] [%.8x] [%8.4x] [%-08x]", 0x1234u, 0x1234u, 0x1234u, 0x1234u, 0x1234u)
	FT("[%.0u] [%.0x] [%5.0X]", 0u, 0u, 0u);
	FT("%tu %tx", (ptrdiff_t)-1, (ptrdiff_t)-1);
	ft_end();
}

static void test_fmt_char_string(void)
{
	static const char unterminated[4] = { 'a', 'b', 'c', 'd' };

	ft_begin();
	FT("[%c] [%3c] [%-3c] [%c%c]", 'x', 'y', 'z', 'o', 'k');
	FT("[%c]", 0);
	FT("[%c]", 0x1ff);
	FT("[%s] [%10s] [%-10s] [%.2s] [%10.2s] [%-10.2s] [%.0s]", "str", "str", "str", "str",
	   "str", "str", "str");
	FT("[%.4s] [%.3s]", unterminated, unterminated);
	FT("[%s]", "");
	FT("[%5s]", "");
	FT("%s", "0123456789012345678901234567890123456789");
	ft_end();
}

/* No format attribute here, so nonsense formats compile. */
static int ft_raw(char *buf, size_t n, const char *f, ...)
{
	va_list ap;
	int r;

	va_start(ap, f);
	r = fmt_vsnprintf(buf, n, f, ap);
	va_end(ap);
	return r;
}

/* glibc's own choices for NULL: "(null)" only when it fits the precision, "(nil)" for %p. */
static void test_fmt_null(void)
{
	char buf[64];

	CU_ASSERT_EQUAL(ft_raw(buf, sizeof(buf), "[%s]", (char *)NULL), 8);
	CU_ASSERT_STRING_EQUAL(buf, "[(null)]");
	CU_ASSERT_EQUAL(ft_raw(buf, sizeof(buf), "[%.3s]", (char *)NULL), 2);
	CU_ASSERT_STRING_EQUAL(buf, "[]");
	CU_ASSERT_EQUAL(ft_raw(buf, sizeof(buf), "[%8s]", (char *)NULL), 10);
	CU_ASSERT_STRING_EQUAL(buf, "[  (null)]");
	ft_begin();
	FT("[%p] [%10p] [%-10p]", NULL, NULL, NULL);
	ft_end();
}

static void test_fmt_pointer(void)
{
	int x;

	ft_begin();
	FT("%p", (void *)&x);
	FT("[%p] [%p]", (void *)0x1, (void *)UINTPTR_MAX);
	FT("[%20p] [%-20p]", (void *)0xabcdef, (void *)0xabcdef);
	ft_end();
}

static void test_fmt_star(void)
{
	ft_begin();
	FT("[%*d] [%-*d] [%*d]", 6, 42, 6, 42, -6, 42);
	FT("[%.*d] [%.*d] [%*.*d]", 4, 42, -1, 42, 8, 4, -42);
	FT("[%.*s] [%*s] [%.*s]", 2, "abcdef", -8, "ab", -3, "abcdef");
	FT("[%0*d] [%0*x]", 7, -3, -7, 0xffu);
	FT("[%*c]", 4, 'q');
	ft_end();
}

/* A spread of random values through many flag and width combinations. */
static void test_fmt_random(void)
{
	static const char *const fmts[] = {
		"%d", "%+d", "% d", "%-12d", "%012d", "%.5d", "%12.5d", "%-+12.5d",
		"%x", "%#x", "%#018x", "%-#18x", "%.10X", "%o", "%#o", "%#12.10o", "%u", "%015u",
	};
	uint64_t rng = unit_seed();

	ft_begin();
	for (int i = 0; i < 2000; i++) {
		uint64_t r = unit_rand(&rng);
		int v = (int)(r >> (r % 32));
		const char *f = fmts[i % (sizeof(fmts) / sizeof(fmts[0]))];
		char lf[16];

		/* The formats come from a table, so the compiler cannot check them: tell it. */
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wformat-nonliteral"
		FT(f, v);
		/* The same spec with an 'l' before the conversion letter. */
		snprintf(lf, sizeof(lf), "%.*sl%s", (int)strlen(f) - 1, f, f + strlen(f) - 1);
		if (strchr(f, 'd'))
			FT(lf, (long)r);
		else
			FT(lf, (unsigned long)r);
#pragma GCC diagnostic pop
	}
	ft_end();
}

static void test_fmt_unknown_conversion(void)
{
	char buf[64];

	CU_ASSERT_EQUAL(ft_raw(buf, sizeof(buf), "a%yb%5.2qc"), 10);
	CU_ASSERT_STRING_EQUAL(buf, "a%yb%5.2qc");
	CU_ASSERT_EQUAL(ft_raw(buf, sizeof(buf), "end%"), 4);
	CU_ASSERT_STRING_EQUAL(buf, "end%");
	CU_ASSERT_EQUAL(ft_raw(buf, sizeof(buf), "%-08"), 4);
	CU_ASSERT_STRING_EQUAL(buf, "%-08");
	CU_ASSERT_EQUAL(ft_raw(buf, 0, "abc"), 3);
	CU_ASSERT_EQUAL(ft_raw(buf, sizeof(buf), ""), 0);
	CU_ASSERT_STRING_EQUAL(buf, "");
	CU_ASSERT_EQUAL(ft_raw(NULL, 0, "%d", 12345), 5);
}

static void test_fmt_escape(void)
{
	char buf[64];

	CU_ASSERT_EQUAL(fmt_escape(buf, sizeof(buf), "plain-text_1.0"), 14);
	CU_ASSERT_STRING_EQUAL(buf, "plain-text_1.0");
	CU_ASSERT_EQUAL(fmt_escape(buf, sizeof(buf), "a b%c"), 9);
	CU_ASSERT_STRING_EQUAL(buf, "a%20b%25c");
	CU_ASSERT_EQUAL(fmt_escape(buf, sizeof(buf), "\x01\t\n\x7f\xff~!"), 17);
	CU_ASSERT_STRING_EQUAL(buf, "%01%09%0A%7F%FF~!");
	CU_ASSERT_EQUAL(fmt_escape(buf, sizeof(buf), ""), 0);
	CU_ASSERT_STRING_EQUAL(buf, "");
	/* Truncation keeps whole escapes only. */
	CU_ASSERT_EQUAL(fmt_escape(buf, 5, "a b"), 5);
	CU_ASSERT_STRING_EQUAL(buf, "a%20");
	CU_ASSERT_EQUAL(fmt_escape(buf, 4, "a bc"), 6);
	CU_ASSERT_STRING_EQUAL(buf, "a");
	CU_ASSERT_EQUAL(fmt_escape(buf, 1, "xyz"), 3);
	CU_ASSERT_STRING_EQUAL(buf, "");
	CU_ASSERT_EQUAL(fmt_escape(NULL, 0, "a b"), 5);
}

static void test_fmt_unescape(void)
{
	char buf[64];

	CU_ASSERT_EQUAL(fmt_unescape(buf, sizeof(buf), "a%20b%25c"), 5);
	CU_ASSERT_STRING_EQUAL(buf, "a b%c");
	CU_ASSERT_EQUAL(fmt_unescape(buf, sizeof(buf), "%7e%7E%ff"), 3);
	CU_ASSERT_STRING_EQUAL(buf, "~~\xff");
	CU_ASSERT_EQUAL(fmt_unescape(buf, sizeof(buf), "x%00y"), 3);
	CU_ASSERT_EQUAL(memcmp(buf, "x\0y", 4), 0);
	CU_ASSERT_EQUAL(fmt_unescape(buf, 3, "abcdef"), 6);
	CU_ASSERT_STRING_EQUAL(buf, "ab");
	CU_ASSERT_EQUAL(fmt_unescape(buf, sizeof(buf), "%"), -HV_EINVAL);
	CU_ASSERT_EQUAL(fmt_unescape(buf, sizeof(buf), "ab%4"), -HV_EINVAL);
	CU_ASSERT_EQUAL(fmt_unescape(buf, sizeof(buf), "%zz"), -HV_EINVAL);
	CU_ASSERT_EQUAL(fmt_unescape(buf, sizeof(buf), "%4g"), -HV_EINVAL);
	CU_ASSERT_EQUAL(fmt_unescape(buf, sizeof(buf), "%-1"), -HV_EINVAL);
	CU_ASSERT_EQUAL(fmt_hex_digit('0'), 0);
	CU_ASSERT_EQUAL(fmt_hex_digit('9'), 9);
	CU_ASSERT_EQUAL(fmt_hex_digit('a'), 10);
	CU_ASSERT_EQUAL(fmt_hex_digit('F'), 15);
	CU_ASSERT_EQUAL(fmt_hex_digit('g'), -1);
	CU_ASSERT_EQUAL(fmt_hex_digit('/'), -1);
}

/* Every byte string survives escape then unescape, and escapes contain only 0x21..0x7e. */
static void test_fmt_escape_roundtrip(void)
{
	uint64_t rng = unit_seed();
	int bad = 0;

	for (int i = 0; i < 500; i++) {
		char in[40], esc[128], out[40];
		size_t len = unit_rand(&rng) % sizeof(in);
		int n;

		for (size_t j = 0; j < len; j++)
			in[j] = (char)(1 + unit_rand(&rng) % 255);
		in[len] = '\0';
		n = fmt_escape(esc, sizeof(esc), in);
		bad += n < 0 || (size_t)n != strlen(esc);
		for (int j = 0; j < n; j++)
			bad += esc[j] < 0x21 || esc[j] > 0x7e;
		bad += fmt_unescape(out, sizeof(out), esc) != (int)len || strcmp(in, out) != 0;
	}
	CU_ASSERT_EQUAL(bad, 0);
}

UNIT_SUITE(fmt_suite)
{
	static const struct unit_test tests[] = {
		UNIT_TEST(test_fmt_plain),
		UNIT_TEST(test_fmt_signed),
		UNIT_TEST(test_fmt_unsigned),
		UNIT_TEST(test_fmt_char_string),
		UNIT_TEST(test_fmt_null),
		UNIT_TEST(test_fmt_pointer),
		UNIT_TEST(test_fmt_star),
		UNIT_TEST(test_fmt_random),
		UNIT_TEST(test_fmt_unknown_conversion),
		UNIT_TEST(test_fmt_escape),
		UNIT_TEST(test_fmt_unescape),
		UNIT_TEST(test_fmt_escape_roundtrip),
		UNIT_TEST_END
	};
	unit_add_suite("fmt", NULL, NULL, tests);
}
