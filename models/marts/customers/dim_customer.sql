{#- Customers, current state: one row per customer ever seen in a CRM extract, closed customers
    included. Personal data is masked (name, phone) or keyed-hashed (phone_hash, to join lists
    without exposing numbers); the ID card number and the birth date never reach this mart, only
    age and age band. B customers carry their enterprise's industry and size. -#}

with current_states as (

    select * from {{ ref('int_customers_current_states') }}

),

enterprises as (

    select * from {{ ref('stg_crm__enterprises') }}

),

final as (

    select
        -- ids
        current_states.customer_id,
        current_states.enterprise_id,
        current_states.plan_id,
        enterprises.account_manager_agent_id,
        -- masked personal data
        current_states.full_name_masked,
        current_states.phone_no_masked,
        current_states.phone_hash,
        -- demographics
        current_states.customer_type,
        current_states.gender,
        current_states.age_years,
        current_states.age_band,
        current_states.city,
        current_states.district,
        -- enterprise (B customers)
        enterprises.enterprise_name,
        enterprises.industry as enterprise_industry,
        enterprises.enterprise_size_band,
        -- commercial state
        current_states.brand,
        current_states.member_tier,
        current_states.member_tier_rank,
        current_states.last_member_tier_movement,
        current_states.customer_status,
        current_states.tenure_months,
        -- flags
        current_states.is_enterprise_customer,
        current_states.customer_status = 'closed' as is_closed,
        current_states.is_opted_out_marketing,
        current_states.is_do_not_disturb,
        not current_states.is_opted_out_marketing
        and not current_states.is_do_not_disturb
        and current_states.customer_status = 'active' as is_proactively_contactable,
        current_states.is_in_newest_extract,
        -- dates
        current_states.join_date,
        current_states.status_changed_date,
        current_states.contract_end_date,
        current_states.first_extract_month,
        current_states.last_extract_month,
        current_states.extract_count
    from current_states
    left join enterprises
        on current_states.enterprise_id = enterprises.enterprise_id

)

select * from final
