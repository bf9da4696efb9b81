{#- Library tags (knowledge/tags, not retired) evaluated for every customer: the compiled
    conditions are matched against the long feature table generically (knowledge_matches), so a
    new tag in YAML needs no SQL. One row per customer and tag the customer holds:
      boolean tags (no value_feature)   where a clause of the condition holds, value 'true';
      text and number tags              where the value feature has a value (and the condition,
                                        if any, holds), valued by that feature.
    evidence lists the features that made the tag true, with their values. -#}

with tags as (

    select * from {{ ref('stg_knowledge__tag_definitions') }}
    where tag_source = 'library' and tag_status != 'retired'

),

conditions as (

    select * from {{ ref('stg_knowledge__tag_conditions') }}

),

feature_values as (

    select * from {{ ref('int_customer_features_unpivoted') }}

),

matched as (

    {{ knowledge_matches('feature_values', 'conditions', 'tag_id') }}

),

tags_with_conditions as (

    select distinct tag_id from conditions

),

boolean_tags as (

    select
        matched.customer_id,
        matched.tag_id,
        'true' as tag_value,
        1.0 as tag_value_number,
        matched.evidence
    from matched
    inner join tags
        on matched.tag_id = tags.tag_id
    where tags.value_feature is null

),

valued_tags as (

    select
        feature_values.customer_id,
        tags.tag_id,
        feature_values.value_text as tag_value,
        feature_values.value_number as tag_value_number,
        {{ dbt.concat([
            'tags.value_feature', "'='", 'feature_values.value_text',
            "coalesce(" ~ dbt.concat(["'; '", 'matched.evidence']) ~ ", '')",
        ]) }} as evidence
    from tags
    inner join feature_values
        on tags.value_feature = feature_values.feature_name
    left join tags_with_conditions
        on tags.tag_id = tags_with_conditions.tag_id
    left join matched
        on
            tags.tag_id = matched.tag_id
            and feature_values.customer_id = matched.customer_id
    where tags_with_conditions.tag_id is null or matched.customer_id is not null

),

final as (

    select * from boolean_tags
    union all
    select * from valued_tags

)

select * from final
