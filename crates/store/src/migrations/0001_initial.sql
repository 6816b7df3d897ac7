-- Schema 1: the library (curricula → modules → lessons → exercises, tutorials, assessments),
-- students and their practice, the generation log and the response cache.
-- Timestamps are Unix seconds; JSON columns are checked to be valid JSON.

CREATE TABLE curricula (
    id             INTEGER PRIMARY KEY,
    title          TEXT    NOT NULL CHECK (length(trim(title)) > 0),
    instrument     TEXT    NOT NULL,
    level          TEXT    NOT NULL,
    duration_weeks INTEGER NOT NULL CHECK (duration_weeks > 0),
    description    TEXT    NOT NULL DEFAULT '',
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);

CREATE TABLE modules (
    id            INTEGER PRIMARY KEY,
    curriculum_id INTEGER NOT NULL REFERENCES curricula (id) ON DELETE CASCADE,
    position      INTEGER NOT NULL,
    title         TEXT    NOT NULL,
    week_start    INTEGER NOT NULL CHECK (week_start >= 1),
    week_end      INTEGER NOT NULL CHECK (week_end >= week_start),
    UNIQUE (curriculum_id, position)
);

CREATE TABLE tutorials (
    id             INTEGER PRIMARY KEY,
    title          TEXT    NOT NULL,
    topic          TEXT    NOT NULL,
    music_key      TEXT,
    level          TEXT    NOT NULL,
    instrument     TEXT    NOT NULL,
    schema_version INTEGER NOT NULL,
    document       TEXT    NOT NULL CHECK (json_valid(document)),
    created_at     INTEGER NOT NULL,
    updated_at     INTEGER NOT NULL
);
CREATE INDEX tutorials_by_topic ON tutorials (topic COLLATE NOCASE);
CREATE INDEX tutorials_by_title ON tutorials (title COLLATE NOCASE);

CREATE TABLE lessons (
    id               INTEGER PRIMARY KEY,
    module_id        INTEGER NOT NULL REFERENCES modules (id) ON DELETE CASCADE,
    position         INTEGER NOT NULL,
    title            TEXT    NOT NULL,
    concepts         TEXT    NOT NULL DEFAULT '[]' CHECK (json_valid(concepts)),
    difficulty       TEXT    NOT NULL,
    duration_minutes INTEGER NOT NULL CHECK (duration_minutes > 0),
    tutorial_id      INTEGER REFERENCES tutorials (id) ON DELETE SET NULL,
    UNIQUE (module_id, position)
);

-- A lesson may require others of the same curriculum to be done first.
CREATE TABLE lesson_prerequisites (
    lesson_id          INTEGER NOT NULL REFERENCES lessons (id) ON DELETE CASCADE,
    requires_lesson_id INTEGER NOT NULL REFERENCES lessons (id) ON DELETE CASCADE,
    PRIMARY KEY (lesson_id, requires_lesson_id),
    CHECK (lesson_id <> requires_lesson_id)
);

CREATE TABLE exercises (
    id           INTEGER PRIMARY KEY,
    lesson_id    INTEGER NOT NULL REFERENCES lessons (id) ON DELETE CASCADE,
    position     INTEGER NOT NULL,
    kind         TEXT    NOT NULL CHECK (kind IN ('progression', 'scale_pattern', 'voicing_study', 'lick', 'rhythm')),
    title        TEXT    NOT NULL,
    difficulty   TEXT    NOT NULL,
    content      TEXT    NOT NULL CHECK (json_valid(content)),
    UNIQUE (lesson_id, position)
);

CREATE TABLE assessments (
    id            INTEGER PRIMARY KEY,
    curriculum_id INTEGER REFERENCES curricula (id) ON DELETE CASCADE,
    module_id     INTEGER REFERENCES modules (id) ON DELETE CASCADE,
    kind          TEXT    NOT NULL CHECK (kind IN ('diagnostic', 'milestone', 'module', 'final')),
    title         TEXT    NOT NULL,
    document      TEXT    NOT NULL CHECK (json_valid(document)),
    created_at    INTEGER NOT NULL
);

CREATE TABLE students (
    id         INTEGER PRIMARY KEY,
    name       TEXT    NOT NULL CHECK (length(trim(name)) > 0),
    instrument TEXT    NOT NULL,
    level      TEXT    NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE assessment_results (
    id            INTEGER PRIMARY KEY,
    assessment_id INTEGER NOT NULL REFERENCES assessments (id) ON DELETE CASCADE,
    student_id    INTEGER NOT NULL REFERENCES students (id) ON DELETE CASCADE,
    score         REAL    NOT NULL CHECK (score BETWEEN 0.0 AND 1.0),
    answers       TEXT    NOT NULL CHECK (json_valid(answers)),
    taken_at      INTEGER NOT NULL
);
CREATE INDEX assessment_results_by_student ON assessment_results (student_id, taken_at);

CREATE TABLE practice_records (
    id               INTEGER PRIMARY KEY,
    student_id       INTEGER NOT NULL REFERENCES students (id) ON DELETE CASCADE,
    exercise_id      INTEGER REFERENCES exercises (id) ON DELETE SET NULL,
    tutorial_id      INTEGER REFERENCES tutorials (id) ON DELETE SET NULL,
    practised_at     INTEGER NOT NULL,
    duration_seconds INTEGER NOT NULL CHECK (duration_seconds > 0),
    tempo_bpm        INTEGER CHECK (tempo_bpm BETWEEN 20 AND 400),
    accuracy         REAL    CHECK (accuracy BETWEEN 0.0 AND 1.0),
    notes            TEXT    NOT NULL DEFAULT ''
);
CREATE INDEX practice_records_by_student ON practice_records (student_id, practised_at);

CREATE TABLE generation_log (
    id          INTEGER PRIMARY KEY,
    task        TEXT    NOT NULL,
    tier        TEXT    NOT NULL,
    model       TEXT    NOT NULL,
    tokens_in   INTEGER NOT NULL CHECK (tokens_in >= 0),
    tokens_out  INTEGER NOT NULL CHECK (tokens_out >= 0),
    latency_ms  INTEGER NOT NULL CHECK (latency_ms >= 0),
    cost_usd    REAL    NOT NULL CHECK (cost_usd >= 0.0),
    cache_hit   INTEGER NOT NULL CHECK (cache_hit IN (0, 1)),
    outcome     TEXT    NOT NULL CHECK (outcome IN ('ok', 'invalid', 'failed', 'cancelled')),
    detail      TEXT    NOT NULL DEFAULT '',
    created_at  INTEGER NOT NULL
);
CREATE INDEX generation_log_by_time ON generation_log (created_at);

CREATE TABLE response_cache (
    key        TEXT    PRIMARY KEY,
    value      TEXT    NOT NULL,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL
);
CREATE INDEX response_cache_by_expiry ON response_cache (expires_at);
