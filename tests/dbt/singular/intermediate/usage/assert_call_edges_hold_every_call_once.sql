{#- The batches of int_call_edges_monthly hold every call exactly once: per month, the calls
    counted into edges equal the calls in staging (catches a month that no batch took, or two
    did — each batch works out its months from the data, macros/call_edges.sql). -#}

with staged as (

    select
        cast({{ dbt.date_trunc('month', 'call_date') }} as date) as call_month,
        count(*) as staged_calls
    from {{ ref('stg_usage__call_records') }}
    group by cast({{ dbt.date_trunc('month', 'call_date') }} as date)

),

edged as (

    select
        call_month,
        sum(call_count) as edged_calls
    from {{ ref('int_call_edges_monthly') }}
    group by call_month

),

compared as (

    select
        coalesce(staged.call_month, edged.call_month) as call_month,
        coalesce(staged.staged_calls, 0) as staged_calls,
        coalesce(edged.edged_calls, 0) as edged_calls
    from staged
    full outer join edged
        on staged.call_month = edged.call_month

)

select * from compared
where staged_calls != edged_calls
