{{
    config(
        materialized='incremental',
        incremental_strategy='append',
        on_schema_change='append_new_columns',
    )
}}

{#- Tag coverage, run after run (kept history: each dbt run appends its rows; a full refresh
    starts the history again). One row per run (identified by its start time) and tag not retired: how many
    customers hold the tag out of the customer base, as of the feature window's as-of date.
    rpt_tag_health compares the newest run with the one before. -#}

with tags as (

    select * from {{ ref('stg_knowledge__tag_definitions') }}
    where tag_status != 'retired'

),

feature_window as (

    select * from {{ ref('int_feature_window') }}

),

customer_base as (

    select count(*) as base_customer_count
    from {{ ref('int_customer_features') }}

),

run_clock as (

    {#- one timestamp for the whole run: identifies the run in the history -#}
    select cast(current_timestamp as {{ dbt.type_timestamp() }}) as run_started_at

),

tagged as (

    select
        tag_id,
        count(*) as tagged_customer_count
    from {{ ref('fct_customer_tags') }}
    group by tag_id

),

final as (

    select
        -- grain
        {{ dbt.cast('run_clock.run_started_at', dbt.type_string()) }} as run_id,
        tags.tag_id,
        -- run
        run_clock.run_started_at,
        feature_window.as_of_date,
        -- tag
        tags.tag_status,
        tags.tag_source,
        tags.expected_coverage_min,
        tags.expected_coverage_max,
        -- measures
        coalesce(tagged.tagged_customer_count, 0) as tagged_customer_count,
        customer_base.base_customer_count,
        coalesce(tagged.tagged_customer_count, 0) * 1.0 / nullif(customer_base.base_customer_count, 0)
            as coverage_share
    from tags
    cross join run_clock
    cross join feature_window
    cross join customer_base
    left join tagged
        on tags.tag_id = tagged.tag_id

)

select * from final
