-- Grain: one row per accepted spelling (already normalised: lower case, no accents, single
-- spaces, as macros.sql `label_key`) of a code of one label list, with its code.
create or replace table {{table}}_alias as
select distinct trim(unnest(string_split(aliases, '|'))) as alias, {{code}} from {{table}}
