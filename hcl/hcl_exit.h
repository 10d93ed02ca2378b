/* hcl: the exit statuses of the command line tool (docs/hcl.md, "Exit codes"). */
#ifndef HCL_EXIT_H
#define HCL_EXIT_H

#define HCL_EXIT_OK		0	/* done; check: the server is bootable */
#define HCL_EXIT_NOT_BOOTABLE	1	/* check: the server is not bootable */
#define HCL_EXIT_BAD_SIGNATURE	1	/* verify: the signature is bad or missing */
#define HCL_EXIT_ERROR		2	/* usage, unreadable or refused input, I/O, a busy store */

#endif
