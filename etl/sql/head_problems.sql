-- Grain: one row, one number: how many kinds of problem the file's first lines have (a value
-- that breaks a rule, a crime code not ours, a repeated or already loaded report_id, an unknown
-- modality or channel). Zero: the file is worth a one-pass load.
select (select count(*) from scratch.date_pairs where bad) + (select count(*) from scratch.place_pairs where bad)
     + (select count(*) from scratch.person_profiles where bad)
     + (select count(*) from scratch.place_pairs where not in_scope)
     + (select count(*) from scratch.value_profile where grouping_set = 'row' and row_bad)
     + (select count(*) from scratch.value_profile where grouping_set = 'id')
     + (select count(*) from scratch.modality_values where k <> '' and not known)
     + (select count(*) from scratch.channel_values where k <> '' and not known)
