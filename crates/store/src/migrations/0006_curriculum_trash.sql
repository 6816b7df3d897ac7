-- A deleted curriculum goes to the trash first, whole, with its lessons, tutorials' links and
-- students' practice, so that the deletion can be undone exactly; the trash is emptied of
-- what has lain there for 30 days.
ALTER TABLE curricula ADD COLUMN deleted_at INTEGER;
CREATE INDEX curricula_deleted_at ON curricula (deleted_at);
