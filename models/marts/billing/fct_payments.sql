{#- Payments received: one row per payment. -#}

with payments as (

    select * from {{ ref('stg_billing__payments') }}

),

final as (

    select
        payment_id,
        customer_id,
        payment_method,
        payment_method in ('auto_debit', 'bank_card') as is_bank_linked,
        paid_at,
        paid_date,
        cast({{ dbt.date_trunc('month', 'paid_date') }} as date) as paid_month,
        amount_yuan
    from payments

)

select * from final
