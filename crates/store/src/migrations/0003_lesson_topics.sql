-- The topic and key a lesson was planned with, as the generators understand them, so that a
-- stored curriculum can be exported as the document it was made from. Older rows keep NULL.
ALTER TABLE lessons ADD COLUMN topic TEXT;
ALTER TABLE lessons ADD COLUMN music_key TEXT;
