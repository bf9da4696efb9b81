{#- Slowly changing dimension (type 2) of the customer's commercial state, rebuilt from every
    monthly CRM extract: one row per customer and uninterrupted run of months with the same
    brand, plan, member tier and status. A run starts on the first day of the extract month in
    which the state was first seen and ends (exclusive valid_to) where the next run starts; the
    current run has no valid_to. A state that returns (gold -> silver -> gold) opens a new run.
    Complements snap_customers, which records changes run over run from now on. -#}

with monthly_states as (

    select * from {{ ref('int_customers_monthly_states') }}

),

numbered_runs as (

    select
        customer_id,
        extract_month,
        brand,
        plan_id,
        member_tier,
        customer_status,
        member_tier_movement,
        count(case when is_state_changed then 1 end) over (
            partition by customer_id
            order by extract_month
            rows between unbounded preceding and current row
        ) as state_run_number
    from monthly_states

),

runs as (

    select
        customer_id,
        state_run_number,
        min(extract_month) as valid_from,
        max(extract_month) as last_extract_month,
        count(*) as extract_count,
        {{ dbt.any_value('brand') }} as brand,
        {{ dbt.any_value('plan_id') }} as plan_id,
        {{ dbt.any_value('member_tier') }} as member_tier,
        {{ dbt.any_value('customer_status') }} as customer_status
    from numbered_runs
    group by customer_id, state_run_number

),

run_starts as (

    {#- tier movement is recorded on the first month of the run (vs the month before) -#}
    select
        customer_id,
        extract_month,
        member_tier_movement
    from numbered_runs

),

windowed as (

    select
        runs.*,
        run_starts.member_tier_movement as member_tier_movement_at_start,
        lead(runs.valid_from) over (partition by runs.customer_id order by runs.valid_from) as valid_to
    from runs
    inner join run_starts
        on
            runs.customer_id = run_starts.customer_id
            and runs.valid_from = run_starts.extract_month

),

final as (

    select
        {{ dbt.hash(dbt.concat(['customer_id', "'|'", dbt.cast('valid_from', dbt.type_string())])) }}
            as customer_history_key,
        customer_id,
        state_run_number,
        brand,
        plan_id,
        member_tier,
        customer_status,
        member_tier_movement_at_start,
        valid_from,
        valid_to,
        valid_to is null as is_current,
        last_extract_month,
        extract_count
    from windowed

)

select * from final
