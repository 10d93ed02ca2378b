/* certify CLI: its exit statuses (docs/certify.md, "Exit status"). */
#ifndef CERTIFY_CLI_EXIT_H
#define CERTIFY_CLI_EXIT_H

#define CLI_PASS	0	/* the run passed; other commands: done */
#define CLI_FAIL	1	/* the run failed: the driver misbehaved */
#define CLI_ERROR	2	/* an error (harness, store, input) or bad usage */
/* Interrupted by signal sig (SIGINT, SIGTERM), as a shell reports it. */
#define CLI_INTERRUPTED(sig)	(128 + (sig))

#endif
