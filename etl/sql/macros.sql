-- Grain: none (functions). SQL macros the adapters share, defined once per load connection.

-- The comparable key of a label: lower case, no accents, words split by single spaces.
create or replace temp macro label_key(x) as
    trim(regexp_replace(strip_accents(lower(trim(x))), '[^a-z0-9]+', ' ', 'g'));
