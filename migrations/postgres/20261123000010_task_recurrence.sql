-- How a task repeats (`Recurrence` as JSON); NULL for a task that does not.
ALTER TABLE tasks ADD COLUMN recurrence TEXT;
