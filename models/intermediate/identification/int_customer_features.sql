{#- The customer feature catalogue: one row per customer ever seen in a CRM extract, every
    column a named feature tags and knowledge rules may use. The model's YAML documents each
    feature (config.meta.feature_type: number, text or boolean) and is the list the knowledge
    compiler validates rule files against; int_customer_features_unpivoted turns exactly those
    documented columns into one row per customer and feature.

    customer_value_score (客户价值评估, 0-100) weighs current value (ARPU percentile, 40 %),
    loyalty (tenure percentile, 20 %), RFM (the three scores, 20 %), social influence (percentile of
    distinct customers calling in, 10 %) and credit (no arrears, 10 %). -#}

{#- the documented columns of the two feature groups (their YAML lists every column) -#}
{%- set behaviour_columns = documented_columns('int_customer_behaviour_features') if execute else [] %}
{%- set relationship_columns = documented_columns('int_customer_relationship_features') if execute else [] %}

with current_states as (

    select * from {{ ref('int_customers_current_states') }}

),

enterprises as (

    select * from {{ ref('stg_crm__enterprises') }}

),

feature_window as (

    select * from {{ ref('int_feature_window') }}

),

behaviour as (

    select * from {{ ref('int_customer_behaviour_features') }}

),

relationship as (

    select * from {{ ref('int_customer_relationship_features') }}

),

joined as (

    select
        current_states.customer_id,
        feature_window.as_of_date,
        -- profile
        current_states.age_years,
        current_states.age_band,
        current_states.gender,
        current_states.customer_type,
        enterprises.industry as enterprise_industry,
        enterprises.enterprise_size_band,
        current_states.city,
        current_states.brand,
        current_states.member_tier,
        current_states.customer_status,
        current_states.tenure_months,
        current_states.is_opted_out_marketing,
        current_states.is_do_not_disturb,
        not current_states.is_opted_out_marketing
        and not current_states.is_do_not_disturb
        and current_states.customer_status = 'active' as is_proactively_contactable,
        current_states.contract_end_date is not null
        and current_states.contract_end_date >= feature_window.as_of_date as has_contract_commitment,
        case
            when current_states.contract_end_date >= feature_window.as_of_date
                then {{ dbt.datediff('feature_window.as_of_date', 'current_states.contract_end_date', 'day') }}
        end as contract_days_left,
        {%- for column in behaviour_columns if column != 'customer_id' %}
        behaviour.{{ column }},
        {%- endfor %}
        {%- for column in relationship_columns if column != 'customer_id' %}
        relationship.{{ column }},
        {%- endfor %}
        -- value assessment inputs
        percent_rank() over (order by coalesce(relationship.arpu_yuan, 0)) as arpu_percentile,
        percent_rank() over (order by current_states.tenure_months) as tenure_percentile,
        percent_rank() over (order by behaviour.inbound_customer_caller_count) as influence_percentile
    from current_states
    cross join feature_window
    left join enterprises
        on current_states.enterprise_id = enterprises.enterprise_id
    left join behaviour
        on current_states.customer_id = behaviour.customer_id
    left join relationship
        on current_states.customer_id = relationship.customer_id

),

final as (

    select
        *,
        round(100 * (
            0.4 * arpu_percentile
            + 0.2 * tenure_percentile
            + 0.2 * coalesce(
                (recency_score + frequency_score + monetary_score - 3) / {{ dbt.cast('12', type_double()) }}, 0
            )
            + 0.1 * influence_percentile
            + 0.1 * case when arrears_yuan > 0 then 0 else 1 end
        ), 1) as customer_value_score
    from joined

)

select * from final
