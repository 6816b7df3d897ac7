-- Earlier versions of edited documents: each edit keeps the version it replaced, so a
-- teacher can read the history and undo the latest edit. A document's history goes with it.
CREATE TABLE document_history (
    id          INTEGER PRIMARY KEY,
    tutorial_id INTEGER REFERENCES tutorials (id) ON DELETE CASCADE,
    material_id INTEGER REFERENCES materials (id) ON DELETE CASCADE,
    title       TEXT    NOT NULL,
    document    TEXT    NOT NULL CHECK (json_valid(document)),
    edited_at   INTEGER NOT NULL,
    CHECK ((tutorial_id IS NULL) <> (material_id IS NULL))
);
CREATE INDEX document_history_tutorial ON document_history (tutorial_id, id);
CREATE INDEX document_history_material ON document_history (material_id, id);
