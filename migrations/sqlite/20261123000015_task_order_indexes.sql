-- A project's list in due-date order reads from an index, undated tasks last in both
-- directions, as the query orders them (a plain index on due_at keeps NULLs first, so
-- every page sorted the whole project). The same for priority, highest first.
CREATE INDEX tasks_project_due_last_idx ON tasks (project_id, due_at IS NULL, due_at, id);
CREATE INDEX tasks_project_due_desc_idx ON tasks (project_id, due_at IS NULL, due_at DESC, id);
CREATE INDEX tasks_project_priority_desc_idx ON tasks (project_id, priority DESC, id);
