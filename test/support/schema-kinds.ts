/**
 * A schema that holds one of every object kind pgtwin must reproduce, in an
 * order chosen so that OIDs do not follow dependencies (a function over a
 * table's row type, a BEGIN ATOMIC body that reads a table, a default that
 * calls a function), with rows in every table.
 */
export const SCHEMA_KINDS_TABLES = [
  'app.rooms',
  'app.bookings',
  'app.events',
  'app.base_items',
  'app.special_items',
  'app.secrets',
  'app.notes',
  'app.cleanings',
];

export const SCHEMA_KINDS_SQL = `
CREATE SCHEMA app;
COMMENT ON SCHEMA app IS 'the application';
CREATE SCHEMA reporting;
CREATE SCHEMA empty_one;
COMMENT ON SCHEMA empty_one IS 'nothing in it yet';
CREATE EXTENSION btree_gist;

CREATE COLLATION app.by_bytes (provider = libc, locale = 'C');
COMMENT ON COLLATION app.by_bytes IS 'byte order';
CREATE TYPE app.mood AS ENUM ('sad', 'ok', 'happy');
COMMENT ON TYPE app.mood IS 'how a room feels';
CREATE DOMAIN app.positive AS integer CONSTRAINT positive_check CHECK (VALUE > 0);
COMMENT ON DOMAIN app.positive IS 'greater than zero';
COMMENT ON CONSTRAINT positive_check ON DOMAIN app.positive IS 'no zero, no negative';
CREATE TYPE app.price_range AS RANGE (subtype = numeric);
CREATE TYPE app.address AS (street text, city text COLLATE app.by_bytes);
COMMENT ON COLUMN app.address.city IS 'as written';
CREATE SEQUENCE app.ticket_numbers START 1000 INCREMENT 5;
COMMENT ON SEQUENCE app.ticket_numbers IS 'owned by no column';

CREATE FUNCTION app.default_note() RETURNS text LANGUAGE sql STABLE AS $$ SELECT 'note ' || nextval('app.ticket_numbers') $$;

CREATE TABLE app.rooms (
  id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
  name text NOT NULL COLLATE app.by_bytes,
  area app.positive,
  width int NOT NULL DEFAULT 1,
  height int NOT NULL DEFAULT 1,
  size int GENERATED ALWAYS AS (width * height) STORED,
  mood app.mood DEFAULT 'ok',
  addr app.address,
  price app.price_range
);
COMMENT ON TABLE app.rooms IS 'rooms to book';
COMMENT ON COLUMN app.rooms.size IS 'computed';
CREATE INDEX rooms_name_idx ON app.rooms (name);
COMMENT ON INDEX app.rooms_name_idx IS 'by name';

CREATE TABLE app.bookings (
  id bigserial PRIMARY KEY,
  room_id int NOT NULL REFERENCES app.rooms,
  during tstzrange NOT NULL,
  updated_at timestamptz,
  CONSTRAINT no_double_booking EXCLUDE USING gist (room_id WITH =, during WITH &&)
);
COMMENT ON CONSTRAINT no_double_booking ON app.bookings IS 'one booking per room at a time';
ALTER TABLE app.bookings REPLICA IDENTITY FULL;

CREATE TABLE app.events (id int NOT NULL, at date NOT NULL, note text DEFAULT app.default_note()) PARTITION BY RANGE (at);
CREATE TABLE app.events_2024 PARTITION OF app.events FOR VALUES FROM ('2024-01-01') TO ('2025-01-01');
CREATE TABLE app.events_2025 PARTITION OF app.events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
CREATE UNIQUE INDEX events_id_at ON app.events (id, at);
ALTER TABLE app.events_2024 REPLICA IDENTITY USING INDEX events_2024_id_at_idx;

CREATE TABLE app.base_items (id int PRIMARY KEY, label text);
CREATE TABLE app.special_items (extra text) INHERITS (app.base_items);

CREATE TABLE app.secrets (id int PRIMARY KEY, owner name NOT NULL DEFAULT current_user, body text);
ALTER TABLE app.secrets ENABLE ROW LEVEL SECURITY;
ALTER TABLE app.secrets FORCE ROW LEVEL SECURITY;
CREATE POLICY own_rows ON app.secrets USING (owner = current_user) WITH CHECK (owner = current_user);
CREATE POLICY monitors_read ON app.secrets AS RESTRICTIVE FOR SELECT TO pg_monitor USING (true);
COMMENT ON POLICY own_rows ON app.secrets IS 'each owner sees their rows';

CREATE TEXT SEARCH DICTIONARY app.english_short (TEMPLATE = pg_catalog.simple, STOPWORDS = english);
CREATE TEXT SEARCH CONFIGURATION app.notes_search (COPY = pg_catalog.english);
ALTER TEXT SEARCH CONFIGURATION app.notes_search ALTER MAPPING FOR asciiword WITH app.english_short, english_stem;
COMMENT ON TEXT SEARCH CONFIGURATION app.notes_search IS 'for notes';
CREATE TABLE app.notes (id int PRIMARY KEY, body text NOT NULL, words tsvector GENERATED ALWAYS AS (to_tsvector('app.notes_search', body)) STORED);
CREATE INDEX notes_words ON app.notes USING gin (to_tsvector('app.notes_search'::regconfig, body));

-- A function over a table's row type, and one whose SQL-standard body reads a table.
CREATE FUNCTION app.room_label(r app.rooms) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT r.name || ' (' || r.id || ')' $$;
COMMENT ON FUNCTION app.room_label(app.rooms) IS 'a label';
CREATE FUNCTION app.room_count() RETURNS bigint LANGUAGE sql STABLE BEGIN ATOMIC SELECT count(*) FROM app.rooms; END;
REVOKE EXECUTE ON FUNCTION app.room_count() FROM PUBLIC;
GRANT EXECUTE ON FUNCTION app.room_count() TO pg_monitor;
GRANT USAGE ON SCHEMA app TO pg_monitor;
GRANT SELECT ON app.rooms TO pg_monitor;
GRANT SELECT (id, room_id) ON app.bookings TO pg_monitor;

-- A trigger that would rewrite every copied row if it fired during the load.
CREATE FUNCTION app.touch() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN NEW.updated_at := '1999-01-01'; RETURN NEW; END $$;
CREATE TRIGGER bookings_touch BEFORE INSERT OR UPDATE ON app.bookings FOR EACH ROW EXECUTE FUNCTION app.touch();
COMMENT ON TRIGGER bookings_touch ON app.bookings IS 'stamps changes';

CREATE FUNCTION app.concat_step(text, text) RETURNS text LANGUAGE sql IMMUTABLE AS $$ SELECT coalesce($1 || ',', '') || $2 $$;
CREATE AGGREGATE app.list(text) (SFUNC = app.concat_step, STYPE = text, INITCOND = '');
COMMENT ON AGGREGATE app.list(text) IS 'comma list';

CREATE VIEW app.room_names AS SELECT r.id, app.room_label(r) AS label FROM app.rooms r;
COMMENT ON VIEW app.room_names IS 'labels';
CREATE VIEW app.room_names_upper AS SELECT id, upper(label) AS label FROM app.room_names;
CREATE RULE room_names_no_insert AS ON INSERT TO app.room_names DO INSTEAD NOTHING;
CREATE MATERIALIZED VIEW app.rooms_by_mood AS SELECT mood, count(*) AS n, app.list(name) AS names FROM app.rooms GROUP BY mood;
CREATE UNIQUE INDEX rooms_by_mood_mood ON app.rooms_by_mood (mood);
CREATE VIEW reporting.bookings_per_room AS SELECT room_id, count(*) AS n FROM app.bookings GROUP BY room_id;
-- A table whose default calls a function that reads a view: the view must exist before that table.
CREATE VIEW app.busiest_room AS SELECT room_id FROM app.bookings GROUP BY room_id ORDER BY count(*) DESC, room_id LIMIT 1;
CREATE FUNCTION app.busiest_room_id() RETURNS int LANGUAGE sql STABLE BEGIN ATOMIC SELECT room_id FROM app.busiest_room; END;
CREATE TABLE app.cleanings (id int PRIMARY KEY, room_id int DEFAULT app.busiest_room_id());
COMMENT ON COLUMN reporting.bookings_per_room.n IS 'bookings';

INSERT INTO app.rooms (name, area, width, height, mood, addr, price)
  SELECT 'room ' || g, g, g, 2, (ARRAY['sad', 'ok', 'happy'])[1 + g % 3]::app.mood, ROW('street ' || g, 'city')::app.address, numrange(g, g + 10)::text::app.price_range
  FROM generate_series(1, 30) g;
INSERT INTO app.bookings (room_id, during) SELECT 1 + g % 30, tstzrange(timestamptz '2024-01-01' + g * interval '1 day', timestamptz '2024-01-01' + g * interval '1 day' + interval '2 hours') FROM generate_series(1, 60) g;
UPDATE app.bookings SET updated_at = timestamptz '2024-06-01' + id * interval '1 minute';
INSERT INTO app.events (id, at) SELECT g, date '2024-06-01' + g * 7 FROM generate_series(1, 40) g;
INSERT INTO app.base_items SELECT g, 'item ' || g FROM generate_series(1, 5) g;
INSERT INTO app.special_items SELECT g, 'special ' || g, 'x' FROM generate_series(6, 9) g;
INSERT INTO app.secrets (id, body) SELECT g, 'secret ' || g FROM generate_series(1, 7) g;
INSERT INTO app.cleanings (id) SELECT g FROM generate_series(1, 4) g;
INSERT INTO app.notes SELECT g, 'the note number ' || g FROM generate_series(1, 3) g;
SELECT setval('app.ticket_numbers', 2000);
REFRESH MATERIALIZED VIEW app.rooms_by_mood;
`;
