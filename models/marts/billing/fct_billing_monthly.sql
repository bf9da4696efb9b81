{#- The monthly detail bill: one row per customer, bill month and bill item, with the item's
    group (fees, voice, roaming, messaging, data, vas) and unit from the bill_item_codes seed. -#}

with bill_items as (

    select * from {{ ref('stg_billing__bill_items') }}

),

bill_item_codes as (

    select * from {{ ref('bill_item_codes') }}

),

final as (

    select
        {{ dbt.hash(dbt.concat([
            'bill_items.customer_id', "'|'", dbt.cast('bill_items.bill_month', dbt.type_string()),
            "'|'", 'bill_items.bill_item_code',
        ])) }} as bill_line_key,
        bill_items.customer_id,
        bill_items.bill_month,
        bill_items.bill_item_code,
        bill_item_codes.bill_item_name,
        bill_item_codes.bill_item_name_zh,
        bill_item_codes.bill_item_group,
        bill_item_codes.unit as billed_unit,
        bill_items.amount_yuan,
        bill_items.billed_quantity
    from bill_items
    left join bill_item_codes
        on bill_items.bill_item_code = bill_item_codes.bill_item_code

)

select * from final
