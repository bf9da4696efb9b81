{#- Month-end arrears: one row per customer owing money and month-end (a periodic snapshot fact;
    customers who owe nothing have no row). Banded by days overdue for collection and churn work. -#}

with arrears as (

    select * from {{ ref('stg_billing__arrears') }}

),

final as (

    select
        customer_id,
        as_of_month,
        {{ dbt.last_day('as_of_month', 'month') }} as as_of_date,
        arrears_yuan,
        days_overdue,
        case
            when days_overdue <= 30 then '0_30'
            when days_overdue <= 60 then '31_60'
            when days_overdue <= 90 then '61_90'
            else 'over_90'
        end as overdue_band,
        days_overdue > 90 as is_seriously_overdue
    from arrears

)

select * from final
