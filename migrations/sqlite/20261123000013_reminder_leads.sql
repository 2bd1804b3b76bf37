-- Several lead times per person: a JSON array of minutes, longest first. NULL means the
-- single `reminder_lead_minutes` (none when 0), which stays the shortest of them.
ALTER TABLE users ADD COLUMN reminder_leads TEXT;

-- Due-soon claims name their lead time, so each lead time reminds once.
UPDATE reminders_sent SET kind = 'due_soon:' || (SELECT reminder_lead_minutes FROM users WHERE users.id = reminders_sent.user_id)
WHERE kind = 'due_soon';
