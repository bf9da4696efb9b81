{#- Complaint tickets: one row per complaint. The customer's free text stays in staging (it may
    hold personal data); category and severity describe it here. -#}

with complaints as (

    select * from {{ ref('stg_service__complaints') }}

),

final as (

    select
        complaint_id,
        customer_id,
        channel_code,
        complaint_category,
        severity,
        complaint_category = 'marketing_harassment' as is_marketing_harassment,
        is_resolved,
        opened_at,
        opened_date,
        cast({{ dbt.date_trunc('month', 'opened_date') }} as date) as opened_month,
        resolved_at,
        {{ dbt.datediff('opened_at', 'resolved_at', 'minute') }} / cast(60 as {{ type_double() }}) as resolution_hours
    from complaints

)

select * from final
