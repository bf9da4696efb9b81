{#- Every customer's current segments, one row per customer: value tier and lifecycle stage
    (on the newest month), age band, B/C type with the industry and size of B customers,
    RFM scores and segment, ABC class and the customer value score (客户价值评估) with its
    inputs. Definitions: the columns' YAML and the README. -#}

with features as (

    select * from {{ ref('int_customer_features') }}

),

final as (

    select
        -- ids
        customer_id,
        -- B/C type
        customer_type,
        enterprise_industry,
        enterprise_size_band,
        case
            when customer_type = 'B'
                then {{ dbt.concat(["'B:'", "coalesce(enterprise_industry, 'unknown')"]) }}
            else {{ dbt.concat(["'C:'", 'age_band']) }}
        end as customer_segment_code,
        -- segments
        age_band,
        value_tier,
        value_tier_rank,
        lifecycle_stage,
        member_tier,
        rfm_segment,
        rfm_score,
        recency_score,
        frequency_score,
        monetary_score,
        abc_class,
        -- value assessment
        customer_value_score,
        arpu_yuan,
        tenure_months,
        inbound_customer_caller_count,
        arrears_yuan,
        -- flags
        customer_status = 'closed' as is_closed,
        is_proactively_contactable,
        -- dates
        as_of_date
    from features

)

select * from final
