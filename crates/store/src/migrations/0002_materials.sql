-- Teaching material made on its own, outside a curriculum: an exercise, a theory
-- analysis, an assessment or a lesson-plan part. The document is the exported JSON; the
-- columns are what the library lists, searches and sorts by.
CREATE TABLE materials (
    id             INTEGER PRIMARY KEY,
    kind           TEXT    NOT NULL CHECK (kind IN ('exercise', 'theory_analysis', 'assessment', 'lesson_plan_part')),
    title          TEXT    NOT NULL CHECK (length(trim(title)) > 0),
    topic          TEXT    NOT NULL,
    music_key      TEXT,
    level          TEXT,
    grade          TEXT,
    instrument     TEXT    NOT NULL,
    schema_version INTEGER NOT NULL,
    document       TEXT    NOT NULL CHECK (json_valid(document)),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);

CREATE INDEX materials_by_update ON materials (updated_at DESC, id DESC);
