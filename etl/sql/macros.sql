-- Grain: none (functions). SQL macros the adapters share, defined once per load connection.

-- The comparable key of a label: lower case, no accents, words split by single spaces.
create or replace temp macro label_key(x) as
    trim(regexp_replace(strip_accents(lower(trim(x))), '[^a-z0-9]+', ' ', 'g'));

-- The key of `code` in dimension `dim` of dim_code (schema.sql); NULL for no code.
create or replace temp macro code_key(dim, c) as
    (select d.code_key from dim_code d where d.dimension = dim and d.code = c);
