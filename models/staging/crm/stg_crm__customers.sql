with source as (

    select * from {{ source('crm', 'customers') }}

),

renamed as (

    select
        -- ids
        customer_id,
        enterprise_id,
        plan_id,
        -- attributes
        customer_type,
        full_name,
        gender,
        id_card_no,
        phone_no,
        city,
        district,
        brand,
        member_tier,
        status as customer_status,
        -- flags
        customer_type = 'B' as is_enterprise_customer,
        opt_out_marketing as is_opted_out_marketing,
        do_not_disturb as is_do_not_disturb,
        -- dates
        birth_date,
        join_date,
        status_date as status_changed_date,
        contract_end_date,
        -- lineage
        {{ dbt.safe_cast(dbt.concat(['_partition', "'-01'"]), 'date') }} as extract_month,
        _loaded_at as loaded_at
    from source

)

select * from renamed
