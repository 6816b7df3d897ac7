-- Practice: what a teacher assigns a student, the items drawn from it with each one's place
-- in the spaced-repetition schedule, and every answer the student gives.
CREATE TABLE assignments (
    id             INTEGER PRIMARY KEY,
    student_id     INTEGER NOT NULL REFERENCES students (id) ON DELETE CASCADE,
    tutorial_id    INTEGER REFERENCES tutorials (id) ON DELETE CASCADE,
    curriculum_id  INTEGER REFERENCES curricula (id) ON DELETE CASCADE,
    pass_threshold REAL    NOT NULL CHECK (pass_threshold > 0.0 AND pass_threshold <= 1.0),
    assigned_at    INTEGER NOT NULL,
    CHECK ((tutorial_id IS NULL) <> (curriculum_id IS NULL))
);
CREATE UNIQUE INDEX assignments_of_tutorial ON assignments (student_id, tutorial_id) WHERE tutorial_id IS NOT NULL;
CREATE UNIQUE INDEX assignments_of_curriculum ON assignments (student_id, curriculum_id) WHERE curriculum_id IS NOT NULL;

CREATE TABLE practice_items (
    id            INTEGER PRIMARY KEY,
    assignment_id INTEGER NOT NULL REFERENCES assignments (id) ON DELETE CASCADE,
    student_id    INTEGER NOT NULL REFERENCES students (id) ON DELETE CASCADE,
    -- The curriculum lesson the item comes from, and the lessons that lesson builds on.
    lesson_id     INTEGER REFERENCES lessons (id) ON DELETE CASCADE,
    prerequisites TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(prerequisites)),
    position      INTEGER NOT NULL,
    skill         TEXT    NOT NULL,
    item          TEXT    NOT NULL CHECK (json_valid(item)),
    stability     REAL,
    difficulty    REAL,
    due           INTEGER NOT NULL,
    last_review   INTEGER,
    reviews       INTEGER NOT NULL DEFAULT 0,
    lapses        INTEGER NOT NULL DEFAULT 0,
    streak        INTEGER NOT NULL DEFAULT 0,
    last_correct  INTEGER
);
CREATE INDEX practice_items_by_student ON practice_items (student_id, due);

CREATE TABLE practice_answers (
    id          INTEGER PRIMARY KEY,
    item_id     INTEGER NOT NULL REFERENCES practice_items (id) ON DELETE CASCADE,
    student_id  INTEGER NOT NULL REFERENCES students (id) ON DELETE CASCADE,
    answered_at INTEGER NOT NULL,
    answer      TEXT    NOT NULL,
    correct     INTEGER NOT NULL CHECK (correct IN (0, 1)),
    rating      TEXT    NOT NULL CHECK (rating IN ('again', 'hard', 'good', 'easy'))
);
CREATE INDEX practice_answers_by_student ON practice_answers (student_id, answered_at);
CREATE INDEX practice_answers_by_item ON practice_answers (item_id, answered_at);

-- An assessment from the library taken by a student, scored by the theory engine.
CREATE TABLE assessment_attempts (
    id          INTEGER PRIMARY KEY,
    material_id INTEGER NOT NULL REFERENCES materials (id) ON DELETE CASCADE,
    student_id  INTEGER NOT NULL REFERENCES students (id) ON DELETE CASCADE,
    score       REAL    NOT NULL CHECK (score BETWEEN 0.0 AND 1.0),
    answers     TEXT    NOT NULL CHECK (json_valid(answers)),
    taken_at    INTEGER NOT NULL
);
CREATE INDEX assessment_attempts_by_student ON assessment_attempts (student_id, taken_at);
