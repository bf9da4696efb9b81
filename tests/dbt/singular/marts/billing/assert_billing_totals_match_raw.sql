{#- Reconciliation: per bill month, the billed total in fct_billing_monthly equals the total of
    the rows the loader accepted into raw (quarantined rows never reach raw). A test may read the
    source directly; marts may not. -#}

with raw_totals as (

    select
        bill_month,
        count(*) as raw_line_count,
        sum(amount_yuan) as raw_amount_yuan
    from {{ source('billing', 'bill_items') }}
    group by bill_month

),

mart_totals as (

    select
        bill_month,
        count(*) as mart_line_count,
        sum(amount_yuan) as mart_amount_yuan
    from {{ ref('fct_billing_monthly') }}
    group by bill_month

),

compared as (

    select
        coalesce(raw_totals.bill_month, mart_totals.bill_month) as bill_month,
        raw_totals.raw_line_count,
        mart_totals.mart_line_count,
        raw_totals.raw_amount_yuan,
        mart_totals.mart_amount_yuan
    from raw_totals
    full outer join mart_totals
        on raw_totals.bill_month = mart_totals.bill_month

)

select * from compared
where
    raw_line_count is distinct from mart_line_count
    or abs(coalesce(raw_amount_yuan, 0) - coalesce(mart_amount_yuan, 0)) > 0.005
