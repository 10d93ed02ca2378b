/* DDK logging (hv/log.h). */
#include <stdarg.h>
#include <hv/log.h>
#include <kern/log.h>

void hv_log(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	kvlog(fmt, ap);
	va_end(ap);
}
