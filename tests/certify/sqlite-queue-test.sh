#!/bin/sh
# queue-test.sh on a SQLite file: the queue for workers on one host (db/store_queue_sq.c);
# the test names carry a "sq:" prefix. The dropped-connection cases are PostgreSQL's alone.
CERTIFY_BACKEND=sqlite exec sh "$(dirname "$0")/queue-test.sh"
