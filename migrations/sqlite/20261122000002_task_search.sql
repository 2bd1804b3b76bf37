-- Full-text search over task titles and descriptions (FTS5, kept in step by triggers).
-- Words are runs of letters and digits with their accents kept, as PostgreSQL's side
-- splits them, so both backends find the same tasks.
CREATE VIRTUAL TABLE tasks_search USING fts5(
    title, description, content = 'tasks', tokenize = 'unicode61 remove_diacritics 0'
);

CREATE TRIGGER tasks_search_insert AFTER INSERT ON tasks BEGIN
    INSERT INTO tasks_search (rowid, title, description) VALUES (new.rowid, new.title, new.description);
END;

CREATE TRIGGER tasks_search_delete AFTER DELETE ON tasks BEGIN
    INSERT INTO tasks_search (tasks_search, rowid, title, description)
    VALUES ('delete', old.rowid, old.title, old.description);
END;

CREATE TRIGGER tasks_search_update AFTER UPDATE OF title, description ON tasks BEGIN
    INSERT INTO tasks_search (tasks_search, rowid, title, description)
    VALUES ('delete', old.rowid, old.title, old.description);
    INSERT INTO tasks_search (rowid, title, description) VALUES (new.rowid, new.title, new.description);
END;

INSERT INTO tasks_search (tasks_search) VALUES ('rebuild');
