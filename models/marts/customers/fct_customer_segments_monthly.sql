{#- Monthly segment membership history: one row per customer and monthly CRM extract with the
    month's value tier (on ARPU), lifecycle stage, the CRM member card and the age band, the
    previous month's value tier and lifecycle stage beside them, and the tier movement. The base
    of the migration matrix (rpt_segment_migration) that explains why a segment grew or shrank
    (price wars downgrade diamond to gold: keeping customers from downgrading is the goal). -#}

with segmented as (

    select * from {{ ref('int_customer_months_segmented') }}

),

final as (

    select
        -- grain
        customer_id,
        extract_month,
        -- segments
        value_tier,
        value_tier_rank,
        lifecycle_stage,
        member_tier,
        age_band,
        customer_type,
        customer_status,
        -- previous month
        previous_value_tier,
        previous_lifecycle_stage,
        case
            when previous_value_tier is null then null
            when value_tier_rank > lag(value_tier_rank) over (partition by customer_id order by extract_month)
                then 'upgrade'
            when value_tier_rank < lag(value_tier_rank) over (partition by customer_id order by extract_month)
                then 'downgrade'
            else 'unchanged'
        end as value_tier_movement,
        -- measures
        tenure_months,
        bill_amount_yuan,
        value_basis_yuan,
        bill_change_ratio,
        -- flags
        is_latest_month
    from segmented

)

select * from final
