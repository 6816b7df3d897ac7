-- The request each batch job was started with and the curriculum it planned, so that running
-- the same request again resumes that curriculum: a model's outline cannot be planned twice
-- the same way, so it is found by the request, not by its title.
CREATE TABLE batch_jobs (
    request       TEXT    PRIMARY KEY,
    curriculum_id INTEGER NOT NULL UNIQUE REFERENCES curricula (id) ON DELETE CASCADE
);
