{#- Tag availability (标签可用性) for the newest run: each tag's coverage against its declared
    bounds and against the previous run that had the tag. health_status, first match wins:
      not_judged      the customer base is under var('tag_health_min_base_customers') (too small);
      empty           nobody holds the tag;
      below_expected  coverage under the tag's expected_coverage_min;
      above_expected  coverage over its expected_coverage_max;
      collapsed       coverage under var('tag_coverage_collapse_ratio') × the previous run's
                      (judged when the previous run tagged at least var('tag_health_min_tagged_customers'));
      exploded        coverage over var('tag_coverage_explode_ratio') × the previous run's (same guard);
      ok              otherwise (also on a tag's first run).
    The data test on is_available fails the build for approved tags that are not available. -#}

with history as (

    select * from {{ ref('fct_tag_coverage_history') }}

),

newest_run as (

    select max(run_started_at) as run_started_at from history

),

ranked as (

    select
        *,
        row_number() over (partition by tag_id order by run_started_at desc) as run_rank
    from history

),

latest as (

    select ranked.*
    from ranked
    inner join newest_run
        on ranked.run_started_at = newest_run.run_started_at
    where ranked.run_rank = 1

),

previous as (

    select * from ranked
    where run_rank = 2

),

compared as (

    select
        latest.tag_id,
        latest.run_id,
        latest.run_started_at,
        latest.as_of_date,
        latest.tag_status,
        latest.tag_source,
        latest.tagged_customer_count,
        latest.base_customer_count,
        latest.coverage_share,
        latest.expected_coverage_min,
        latest.expected_coverage_max,
        previous.run_id as previous_run_id,
        previous.run_started_at as previous_run_started_at,
        previous.tagged_customer_count as previous_tagged_customer_count,
        previous.coverage_share as previous_coverage_share,
        latest.coverage_share - previous.coverage_share as coverage_share_change,
        latest.coverage_share / nullif(previous.coverage_share, 0) as coverage_ratio
    from latest
    left join previous
        on latest.tag_id = previous.tag_id

),

judged as (

    select
        *,
        case
            when base_customer_count < {{ var('tag_health_min_base_customers', 1000) }} then 'not_judged'
            when tagged_customer_count = 0 then 'empty'
            when coverage_share < expected_coverage_min then 'below_expected'
            when coverage_share > expected_coverage_max then 'above_expected'
            when
                previous_tagged_customer_count >= {{ var('tag_health_min_tagged_customers', 20) }}
                and coverage_share < {{ var('tag_coverage_collapse_ratio', 0.5) }} * previous_coverage_share
                then 'collapsed'
            when
                previous_tagged_customer_count >= {{ var('tag_health_min_tagged_customers', 20) }}
                and coverage_share > {{ var('tag_coverage_explode_ratio', 2.0) }} * previous_coverage_share
                then 'exploded'
            else 'ok'
        end as health_status
    from compared

),

final as (

    select
        *,
        health_status in ('ok', 'not_judged') as is_available
    from judged

)

select * from final
