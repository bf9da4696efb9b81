{#- Knowledge rules (knowledge/rules, not retired) evaluated for every customer over the long
    feature table and the customer's library tags, generically (knowledge_matches): a rule fires
    when every condition of one of its clauses holds. Boolean tags used by a rule get a row for
    every customer, true or false, so "does not have tag x" can hold. One row per customer and
    rule that fires, with the evidence (features and tags with their values) of the first clause
    that holds. -#}

with rules as (

    select * from {{ ref('stg_knowledge__rule_definitions') }}
    where rule_status != 'retired'

),

conditions as (

    select * from {{ ref('stg_knowledge__rule_conditions') }}

),

library_tags as (

    select * from {{ ref('stg_knowledge__tag_definitions') }}
    where tag_source = 'library' and tag_status != 'retired'

),

used_tags as (

    select library_tags.*
    from library_tags
    where {{ dbt.concat(["'tag:'", 'library_tags.tag_id']) }} in (select conditions.feature_name from conditions)

),

customers as (

    select customer_id from {{ ref('int_customer_features') }}

),

customer_tags as (

    select * from {{ ref('int_customer_library_tags') }}

),

tag_values as (

    select
        customers.customer_id,
        {{ dbt.concat(["'tag:'", 'used_tags.tag_id']) }} as feature_name,
        case when customer_tags.customer_id is null then 0.0 else 1.0 end as value_number,
        case when customer_tags.customer_id is null then 'false' else 'true' end as value_text
    from customers
    cross join used_tags
    left join customer_tags
        on
            customers.customer_id = customer_tags.customer_id
            and used_tags.tag_id = customer_tags.tag_id
    where used_tags.value_type = 'boolean'

    union all

    select
        customer_tags.customer_id,
        {{ dbt.concat(["'tag:'", 'used_tags.tag_id']) }} as feature_name,
        customer_tags.tag_value_number as value_number,
        customer_tags.tag_value as value_text
    from customer_tags
    inner join used_tags
        on customer_tags.tag_id = used_tags.tag_id
    where used_tags.value_type != 'boolean'

),

feature_values as (

    select
        customer_id,
        feature_name,
        value_number,
        value_text
    from {{ ref('int_customer_features_unpivoted') }}

    union all

    select * from tag_values

),

matched as (

    {{ knowledge_matches('feature_values', 'conditions', 'rule_id') }}

),

final as (

    select
        matched.customer_id,
        matched.rule_id,
        rules.knowledge_tag,
        rules.rule_status,
        matched.clause_no as matched_clause_no,
        matched.evidence
    from matched
    inner join rules
        on matched.rule_id = rules.rule_id

)

select * from final
