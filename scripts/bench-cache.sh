#!/usr/bin/env bash
# Read-path benchmark on PostgreSQL, without and with the Redis cache: makes a fresh
# database with one project of N tasks, then runs server/examples/cachebench.rs against
# a release Tandem started without REDIS_URL and again with it. Figures: docs/benchmarks.md.
#   scripts/bench-cache.sh               # 100,000 tasks
#   scripts/bench-cache.sh 20000 --concurrency 4
set -euo pipefail
cd "$(dirname "$0")/.."

tasks="${1:-100000}"
shift || true
pg="${TANDEM_BENCH_POSTGRES:-postgres://postgres@127.0.0.1:5432/test}"
redis="${TANDEM_BENCH_REDIS:-redis://127.0.0.1:6379}"
port="${BENCH_PORT:-3901}"
base="http://127.0.0.1:$port"
scripts/services.sh
cargo build --release -p server --bin tandem --example cachebench

name="tandem_bench_$$"
database="${pg%/*}/$name"
psql "$pg" -qc "CREATE DATABASE $name"
server=""
stop() { if [ -n "$server" ]; then kill "$server" 2>/dev/null || true; wait "$server" 2>/dev/null || true; server=""; fi; }
trap 'stop; psql "$pg" -qc "DROP DATABASE IF EXISTS $name WITH (FORCE)"' EXIT

start() {
  TANDEM_ADDR="127.0.0.1:$port" TANDEM_PUBLIC_URL="$base" DATABASE_URL="$database" RUST_LOG=warn "$@" \
    target/release/tandem serve &
  server=$!
  for _ in $(seq 1 100); do curl -fs "$base/readyz" >/dev/null && return; sleep 0.1; done
  echo "the server did not start" >&2; exit 1
}

start env
curl -fs "$base/api/v1/auth/register" -H 'content-type: application/json' \
  -d '{"email":"bench@example.com","name":"Bench","password":"correct horse battery"}' >/dev/null
token=$(curl -fs "$base/api/v1/auth/token" -d grant_type=password -d username=bench@example.com \
  -d 'password=correct horse battery' | python3 -c 'import json,sys; print(json.load(sys.stdin)["access_token"])')
project=$(curl -fs "$base/api/v1/projects" -H "authorization: Bearer $token" -H 'content-type: application/json' \
  -d '{"name":"Big"}' | python3 -c 'import json,sys; print(json.load(sys.stdin)["id"])')
stop

echo "==> seeding $tasks tasks"
psql "$database" -q <<SQL
INSERT INTO tasks (id, project_id, title, description, status, priority, due_at, created_by, created_at, updated_at)
SELECT gen_random_uuid(), '$project',
       (ARRAY['Plan', 'Build', 'Review', 'Deploy', 'Document', 'Fix'])[1 + i % 6] || ' item ' || i,
       CASE WHEN i % 3 = 0 THEN 'Notes for item ' || i || ': check the release and deploy steps' END,
       (ARRAY['todo', 'in_progress', 'done'])[1 + i % 3], i % 5,
       CASE WHEN i % 4 <> 0 THEN now() + (i % 90) * interval '1 day' END,
       u.id, now() - i * interval '1 minute', now() - i * interval '30 seconds'
FROM generate_series(1, $tasks) AS i, (SELECT id FROM users LIMIT 1) AS u;
INSERT INTO task_labels (task_id, label, position)
SELECT id, (ARRAY['ops', 'docs', 'ui'])[1 + abs(hashtext(id::text)) % 3], 0 FROM tasks;
ANALYZE;
SQL

for mode in "without Redis" "with the Redis cache"; do
  echo "==> $mode"
  if [ "$mode" = "without Redis" ]; then start env; else start env REDIS_URL="$redis"; fi
  target/release/examples/cachebench --base "$base" --token "$token" --project "$project" \
    --database-url "$database" "$@"
  stop
done
