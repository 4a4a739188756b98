#!/bin/sh
# keyrs DUMP payloads -> RESTORE into a real redis-server 7.0 (port $1,
# started with --enable-debug-command yes): writes dump_keyrs_into_redis7.txt.
set -e
cd "$(dirname "$0")"
port=${1:-7317}
cargo test -q -p keyrs-core --lib print_keyrs_payloads -- --ignored --nocapture 2>/dev/null \
  | grep -v '^running\|^test \|^$\|^test result\|^\.*$' > /tmp/dump_keyrs_cases.txt
python3 transcript.py "$port" < /tmp/dump_keyrs_cases.txt | python3 dump_session.py --canon > ../dump_keyrs_into_redis7.txt
