{#- The incremental fct_usage_daily must not drift from its source: per day, the same number of
    customer-days and the same data volume as staging (catches rows lost or doubled by
    delete+insert runs). -#}

with staged as (

    select
        usage_date,
        count(*) as staged_rows,
        sum(data_mb) as staged_data_mb
    from {{ ref('stg_usage__daily_usage') }}
    group by usage_date

),

built as (

    select
        usage_date,
        count(*) as built_rows,
        sum(data_mb) as built_data_mb
    from {{ ref('fct_usage_daily') }}
    group by usage_date

),

compared as (

    select
        coalesce(staged.usage_date, built.usage_date) as usage_date,
        staged.staged_rows,
        built.built_rows,
        staged.staged_data_mb,
        built.built_data_mb
    from staged
    full outer join built
        on staged.usage_date = built.usage_date

)

select * from compared
where
    staged_rows is distinct from built_rows
    or abs(coalesce(staged_data_mb, 0) - coalesce(built_data_mb, 0)) > 0.001
