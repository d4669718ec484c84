-- Grain: one row, one number: the rows of the largest table known_combinations.sql would write
-- (each column's known texts, and a missing value, crossed with the others' of its group).
select greatest(
    (select count(v) + 1 from scratch.ubigeo_values) * (select count(v) + 1 from scratch.crime_values),
    (select count(v) + 1 from scratch.age_values) * (select count(v) + 1 from scratch.sex_values)
        * (select count(v) + 1 from scratch.victim_type_values),
    (select count(v) + 1 from scratch.modality_values) * (select count(v) + 1 from scratch.channel_values))
