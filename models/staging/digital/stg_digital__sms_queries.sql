with source as (

    select * from {{ source('digital', 'sms_queries') }}

),

renamed as (

    select
        -- ids
        query_id as sms_query_id,
        customer_id,
        -- attributes
        query_code,
        case query_code
            when 'CXYE' then 'balance'
            when 'CXLL' then 'data_left'
            when 'CXTC' then 'plan'
            when 'CXJF' then 'points'
            when 'CXXD' then 'bill_detail'
        end as query_type,
        -- timestamps
        sent_at,
        cast(sent_at as date) as sent_date,
        -- lineage
        _loaded_at as loaded_at
    from source

)

select * from renamed
