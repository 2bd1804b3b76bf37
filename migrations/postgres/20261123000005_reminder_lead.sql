-- How long before a task's due time its people are reminded; 0: no due-soon reminders.
ALTER TABLE users ADD COLUMN reminder_lead_minutes INTEGER NOT NULL DEFAULT 60;
