#!/usr/bin/env python3
"""First page of a 100,000-task project on SQLite in each indexed order, with and without
the order indexes of migration 15. Needs a release build (`cargo build --release -p server`).
  python3 scripts/bench-sqlite-order.py [tasks]
Figures: docs/benchmarks.md."""
import os, random, sqlite3, subprocess, sys, tempfile, time, uuid

tasks = int(sys.argv[1]) if len(sys.argv) > 1 else 100_000
root = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
workdir = tempfile.TemporaryDirectory()
path = os.path.join(workdir.name, "order.db")
env = dict(os.environ, DATABASE_URL=f"sqlite://{path}?mode=rwc")
subprocess.run([os.path.join(root, "target/release/tandem"), "migrate"], env=env, check=True)

db = sqlite3.connect(path)
now = "2026-11-23T00:00:00Z"
random.seed(1)
rows = []
for i in range(tasks):
    due = None if random.random() < 0.4 else f"2027-{random.randint(1, 12):02d}-{random.randint(1, 28):02d}T09:00:00Z"
    rows.append((str(uuid.uuid4()), "p", f"task {i}", "", "todo", random.randint(0, 3), due, "u", now, now, None, 1, None))
db.executemany("INSERT INTO tasks VALUES (?,?,?,?,?,?,?,?,?,?,?,?,?)", rows)
db.commit()

# The store's ORDER BY clauses (server/src/store/sqlite/tasks.rs), first page of 50.
orders = {
    "sort=due_at": "t.due_at IS NULL, t.due_at ASC, t.id",
    "sort=-due_at": "t.due_at IS NULL, t.due_at DESC, t.id",
    "sort=-priority": "t.priority DESC, t.id",
}

def best_ms(order):
    query = f"SELECT * FROM tasks t WHERE t.project_id = 'p' ORDER BY {order} LIMIT 51"
    best = float("inf")
    for _ in range(5):
        start = time.perf_counter()
        db.execute(query).fetchall()
        best = min(best, time.perf_counter() - start)
    return best * 1000

with_indexes = {name: best_ms(order) for name, order in orders.items()}
for index in ["tasks_project_due_last_idx", "tasks_project_due_desc_idx", "tasks_project_priority_desc_idx"]:
    db.execute(f"DROP INDEX {index}")
print(f"{tasks} tasks, first page, best of 5")
for name, order in orders.items():
    print(f"{name:<16} without {best_ms(order):8.2f} ms   with the indexes {with_indexes[name]:6.2f} ms")
