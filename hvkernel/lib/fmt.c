/*
 * Formatting engine. Output goes through fmt_put, which counts every byte but stores only
 * what fits, so the return value is the untruncated length as C requires (C11 7.21.6.5).
 */
#include <stdbool.h>
#include <stdint.h>
#include <lib/fmt.h>
#include <hv/errno.h>

struct fmt_out {
	char *buf;
	size_t n;	/* buffer size; the last byte is kept for the NUL */
	size_t len;	/* bytes produced so far, stored or not */
};

/* One parsed conversion specification (C11 7.21.6.1). */
struct fmt_spec {
	bool left, zero, plus, space, alt;
	int width;
	int prec;	/* -1: none given */
	char len;	/* 'H' hh, 'h', 'l', 'L' ll, 'z', 't', 'j', or 0 */
	char conv;
};

static void fmt_put(struct fmt_out *o, char c)
{
	if (o->len + 1 < o->n)
		o->buf[o->len] = c;
	o->len++;
}

static void fmt_pad(struct fmt_out *o, char c, int count)
{
	while (count-- > 0)
		fmt_put(o, c);
}

/* Emits body (blen bytes) in a field of the spec's width, space padded on either side. */
static void fmt_field(struct fmt_out *o, const struct fmt_spec *sp, const char *body, size_t blen)
{
	int pad = sp->width > (int)blen ? sp->width - (int)blen : 0;

	if (!sp->left)
		fmt_pad(o, ' ', pad);
	for (size_t i = 0; i < blen; i++)
		fmt_put(o, body[i]);
	if (sp->left)
		fmt_pad(o, ' ', pad);
}

/* Writes v in base just below end; returns the digit count (0 for v == 0). */
static int fmt_digits(char *end, uintmax_t v, unsigned base, bool upper)
{
	const char *dig = upper ? "0123456789ABCDEF" : "0123456789abcdef";
	int n = 0;

	for (; v != 0; v /= base)
		*--end = dig[v % base], n++;
	return n;
}

/* Integer conversion: sign or 0x prefix, precision zeros, width padding (C11 7.21.6.1p6-8). */
static void fmt_integer(struct fmt_out *o, const struct fmt_spec *sp, uintmax_t mag, bool neg)
{
	char tmp[24];			/* 22 octal digits hold 64 bits */
	unsigned base = sp->conv == 'o' ? 8 : (sp->conv == 'x' || sp->conv == 'X' || sp->conv == 'p') ? 16 : 10;
	int nd = fmt_digits(tmp + sizeof(tmp), mag, base, sp->conv == 'X');
	int prec = sp->prec < 0 ? 1 : sp->prec;
	int zeros = prec > nd ? prec - nd : 0;
	const char *prefix = "";
	int plen, pad;

	bool is_signed = sp->conv == 'd' || sp->conv == 'i';

	if (neg)
		prefix = "-";
	else if (sp->plus && is_signed)
		prefix = "+";
	else if (sp->space && is_signed)
		prefix = " ";
	if (sp->alt && base == 8 && zeros == 0)
		zeros = 1;		/* '#' forces a leading 0 for octal; digits never start with 0 */
	if (sp->alt && base == 16 && mag != 0)
		prefix = sp->conv == 'X' ? "0X" : "0x";
	plen = (int)__builtin_strlen(prefix);
	pad = sp->width - plen - zeros - nd;
	if (pad > 0 && sp->zero && !sp->left && sp->prec < 0) {
		zeros += pad;		/* '0' pads after the sign or prefix */
		pad = 0;
	}
	if (!sp->left)
		fmt_pad(o, ' ', pad);
	while (*prefix)
		fmt_put(o, *prefix++);
	fmt_pad(o, '0', zeros);
	for (int i = nd; i > 0; i--)
		fmt_put(o, tmp[sizeof(tmp) - i]);
	if (sp->left)
		fmt_pad(o, ' ', pad);
}

static intmax_t fmt_arg_signed(const struct fmt_spec *sp, va_list *ap)
{
	switch (sp->len) {
	case 'H': return (signed char)va_arg(*ap, int);
	case 'h': return (short)va_arg(*ap, int);
	case 'l': return va_arg(*ap, long);
	case 'L': return va_arg(*ap, long long);
	case 'z': return va_arg(*ap, ptrdiff_t);	/* the signed type of size_t's width */
	case 't': return va_arg(*ap, ptrdiff_t);
	case 'j': return va_arg(*ap, intmax_t);
	default:  return va_arg(*ap, int);
	}
}

static uintmax_t fmt_arg_unsigned(const struct fmt_spec *sp, va_list *ap)
{
	switch (sp->len) {
	case 'H': return (unsigned char)va_arg(*ap, unsigned);
	case 'h': return (unsigned short)va_arg(*ap, unsigned);
	case 'l': return va_arg(*ap, unsigned long);
	case 'L': return va_arg(*ap, unsigned long long);
	case 'z': return va_arg(*ap, size_t);
	case 't': return (size_t)va_arg(*ap, ptrdiff_t);
	case 'j': return va_arg(*ap, uintmax_t);
	default:  return va_arg(*ap, unsigned);
	}
}

/* %s: precision bounds what is read, so an unterminated array is fine with a precision. */
static void fmt_string(struct fmt_out *o, const struct fmt_spec *sp, const char *s)
{
	size_t len = 0;

	if (!s)
		s = sp->prec < 0 || sp->prec >= 6 ? "(null)" : "";	/* glibc's behaviour */
	while ((sp->prec < 0 || len < (size_t)sp->prec) && s[len])
		len++;
	fmt_field(o, sp, s, len);
}

static void fmt_convert(struct fmt_out *o, struct fmt_spec *sp, va_list *ap)
{
	char c;
	void *ptr;

	switch (sp->conv) {
	case 'd': case 'i': {
		intmax_t v = fmt_arg_signed(sp, ap);
		uintmax_t mag = v < 0 ? -(uintmax_t)v : (uintmax_t)v;
		fmt_integer(o, sp, mag, v < 0);
		break;
	}
	case 'u': case 'x': case 'X': case 'o':
		fmt_integer(o, sp, fmt_arg_unsigned(sp, ap), false);
		break;
	case 'c':
		c = (char)(unsigned char)va_arg(*ap, int);
		fmt_field(o, sp, &c, 1);
		break;
	case 's':
		fmt_string(o, sp, va_arg(*ap, const char *));
		break;
	case 'p':
		ptr = va_arg(*ap, void *);
		if (!ptr) {
			sp->prec = -1;
			fmt_string(o, sp, "(nil)");
			break;
		}
		sp->alt = true;		/* glibc prints %p as %#lx */
		fmt_integer(o, sp, (uintptr_t)ptr, false);
		break;
	default:
		break;
	}
}

/* Reads a decimal number at *f; saturates rather than overflowing. */
static int fmt_number(const char **f)
{
	int v = 0;

	while (**f >= '0' && **f <= '9') {
		if (v < 100000000)
			v = v * 10 + (**f - '0');
		(*f)++;
	}
	return v;
}

static void fmt_parse_flags(const char **f, struct fmt_spec *sp)
{
	for (;; (*f)++) {
		switch (**f) {
		case '-': sp->left = true; break;
		case '0': sp->zero = true; break;
		case '+': sp->plus = true; break;
		case ' ': sp->space = true; break;
		case '#': sp->alt = true; break;
		default: return;
		}
	}
}

/* Parses the part between '%' and the conversion letter, taking '*' arguments from ap. */
static void fmt_parse_spec(const char **f, struct fmt_spec *sp, va_list *ap)
{
	*sp = (struct fmt_spec){ .prec = -1 };
	fmt_parse_flags(f, sp);
	if (**f == '*') {
		sp->width = va_arg(*ap, int);
		if (sp->width < 0) {		/* a negative '*' width means '-' (C11 7.21.6.1p5) */
			sp->left = true;
			sp->width = sp->width == INT32_MIN ? 0 : -sp->width;
		}
		(*f)++;
	} else {
		sp->width = fmt_number(f);
	}
	if (**f == '.') {
		(*f)++;
		if (**f == '*') {
			sp->prec = va_arg(*ap, int);
			if (sp->prec < 0)
				sp->prec = -1;	/* negative means "not given" */
			(*f)++;
		} else {
			sp->prec = fmt_number(f);
		}
	}
	if (**f == 'h' || **f == 'l') {
		sp->len = *(*f)++;
		if (**f == sp->len)
			sp->len = sp->len == 'h' ? 'H' : 'L', (*f)++;
	} else if (**f == 'z' || **f == 't' || **f == 'j') {
		sp->len = *(*f)++;
	}
	sp->conv = **f;
}

static bool fmt_known_conv(char c)
{
	switch (c) {
	case 'd': case 'i': case 'u': case 'x': case 'X': case 'o':
	case 'c': case 's': case 'p':
		return true;
	default:
		return false;
	}
}

int fmt_vsnprintf(char *buf, size_t n, const char *fmt, va_list ap)
{
	struct fmt_out o = { buf, n, 0 };
	struct fmt_spec sp;
	va_list aq;

	va_copy(aq, ap);
	while (*fmt) {
		const char *start = fmt;

		if (*fmt != '%' || fmt[1] == '%') {
			fmt_put(&o, *fmt);
			fmt += *fmt == '%' ? 2 : 1;
			continue;
		}
		fmt++;
		fmt_parse_spec(&fmt, &sp, &aq);
		if (!fmt_known_conv(sp.conv)) {
			/* Not ours: copy the text so the mistake is visible in the output. */
			while (start < fmt)
				fmt_put(&o, *start++);
			continue;
		}
		fmt_convert(&o, &sp, &aq);
		fmt++;
	}
	va_end(aq);
	if (n > 0)
		buf[o.len < n ? o.len : n - 1] = '\0';
	return o.len > INT32_MAX ? INT32_MAX : (int)o.len;
}

int fmt_snprintf(char *buf, size_t n, const char *fmt, ...)
{
	va_list ap;
	int r;

	va_start(ap, fmt);
	r = fmt_vsnprintf(buf, n, fmt, ap);
	va_end(ap);
	return r;
}

/* --- result-channel escaping --- */

static bool fmt_needs_escape(unsigned char c)
{
	return c < 0x21 || c > 0x7e || c == '%';
}

int fmt_escape(char *buf, size_t n, const char *s)
{
	static const char hex[] = "0123456789ABCDEF";
	size_t len = 0, stored = 0;
	bool full = false;	/* once an escape does not fit, nothing more is stored */

	for (; *s; s++) {
		unsigned char c = (unsigned char)*s;
		char e[3] = { (char)c, hex[c >> 4], hex[c & 15] };
		size_t k = 1;

		if (fmt_needs_escape(c)) {
			e[0] = '%';
			k = 3;
		}
		if (!full && stored + k < n) {
			for (size_t i = 0; i < k; i++)
				buf[stored++] = e[i];
		} else {
			full = true;
		}
		len += k;
	}
	if (n > 0)
		buf[stored] = '\0';
	return len > INT32_MAX ? INT32_MAX : (int)len;
}

int fmt_hex_digit(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

int fmt_unescape(char *buf, size_t n, const char *s)
{
	size_t len = 0;

	while (*s) {
		char c = *s++;

		if (c == '%') {
			/* Checking s[0] first keeps the read from running past the NUL. */
			int hi = fmt_hex_digit(s[0]), lo = hi < 0 ? -1 : fmt_hex_digit(s[1]);

			if (hi < 0 || lo < 0)
				return -HV_EINVAL;
			c = (char)(hi << 4 | lo);
			s += 2;
		}
		if (len + 1 < n)
			buf[len] = c;
		len++;
	}
	if (n > 0)
		buf[len < n ? len : n - 1] = '\0';
	return len > INT32_MAX ? INT32_MAX : (int)len;
}
