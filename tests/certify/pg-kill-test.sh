#!/bin/sh
# kill-test.sh against a PostgreSQL store: lib.sh starts a private server (tests/pgserver.sh)
# and stops it at exit; the test names carry a "pg:" prefix.
CERTIFY_BACKEND=pg exec sh "$(dirname "$0")/kill-test.sh"
