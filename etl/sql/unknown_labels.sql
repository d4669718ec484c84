-- Grain: one row per unknown non-blank modality or channel text of the file (kept as 'other'),
-- the five most frequent of each, with their rows (for the load log's notes).
select what, t, n from (
    select what, t, n, row_number() over (partition by what order by n desc, t) as rank
    from (select 'modality' as what, t, sum(n)::bigint as n from scratch.modality_values
          where k <> '' and not known group by t
          union all
          select 'channel', t, sum(n)::bigint from scratch.channel_values where k <> '' and not known group by t))
where rank <= 5
order by what = 'channel', n desc, t
