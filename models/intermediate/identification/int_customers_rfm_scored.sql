{#- RFM scores and ABC class per customer over the feature window.

    recency    days from the last payment or top-up to the as-of date (none in the window: the
               window's length plus one);
    frequency  transactions the customer made: payments and top-ups, orders in the app, offers
               accepted;
    monetary   the window's billed amount.
    Each is scored 1-5 by its mid-rank percentile among the customers billed in the window
    (5 = most recent / most frequent / highest; ties share a score, a value everyone shares
    scores 3). The RFM segment reads the
    three scores; ABC class ranks customers by monetary value: A are the top customers who
    together bring the first 70 % of billing, B the next 20 %, C the last 10 %. -#}

with feature_window as (

    select * from {{ ref('int_feature_window') }}

),

billing as (

    select * from {{ ref('int_customers_billing_profiled') }}

),

contacts as (

    select * from {{ ref('int_customers_contacts_profiled') }}

),

inputs as (

    select
        billing.customer_id,
        coalesce(
            {{ dbt.datediff('billing.last_payment_date', 'feature_window.as_of_date', 'day') }},
            {{ dbt.datediff('feature_window.window_start_date', 'feature_window.as_of_date', 'day') }} + 1
        ) as recency_days,
        billing.payment_count + coalesce(contacts.app_order_count, 0) + coalesce(contacts.offer_accepted_count, 0)
            as frequency_count,
        billing.bill_total_yuan as monetary_yuan
    from billing
    cross join feature_window
    left join contacts
        on billing.customer_id = contacts.customer_id
    where billing.billed_month_count > 0

),

ranked as (

    select
        *,
        {#- mid-rank percentile: ties share it, and a tie covering everyone sits in the middle -#}
        (percent_rank() over (order by recency_days desc) + cume_dist() over (order by recency_days desc)) / 2
            as recency_percentile,
        (percent_rank() over (order by frequency_count asc) + cume_dist() over (order by frequency_count asc)) / 2
            as frequency_percentile,
        (percent_rank() over (order by monetary_yuan asc) + cume_dist() over (order by monetary_yuan asc)) / 2
            as monetary_percentile,
        sum(monetary_yuan) over (
            order by monetary_yuan desc, customer_id asc rows between unbounded preceding and current row
        ) - monetary_yuan as monetary_before_yuan,
        sum(monetary_yuan) over () as monetary_total_yuan
    from inputs

),

scored as (

    select
        customer_id,
        recency_days,
        frequency_count,
        monetary_yuan,
        least(5, 1 + cast(floor(recency_percentile * 5) as {{ dbt.type_int() }})) as recency_score,
        least(5, 1 + cast(floor(frequency_percentile * 5) as {{ dbt.type_int() }})) as frequency_score,
        least(5, 1 + cast(floor(monetary_percentile * 5) as {{ dbt.type_int() }})) as monetary_score,
        case
            when monetary_total_yuan <= 0 then 'C'
            when monetary_before_yuan < 0.7 * monetary_total_yuan then 'A'
            when monetary_before_yuan < 0.9 * monetary_total_yuan then 'B'
            else 'C'
        end as abc_class
    from ranked

),

final as (

    select
        *,
        {{ dbt.concat([
            dbt.cast('recency_score', dbt.type_string()),
            dbt.cast('frequency_score', dbt.type_string()),
            dbt.cast('monetary_score', dbt.type_string()),
        ]) }} as rfm_score,
        case
            when recency_score >= 4 and frequency_score >= 4 and monetary_score >= 4 then 'champions'
            when recency_score >= 3 and frequency_score >= 4 then 'loyal'
            when recency_score >= 3 and monetary_score >= 4 then 'big_spenders'
            when recency_score <= 2 and (frequency_score >= 3 or monetary_score >= 3) then 'at_risk'
            when recency_score <= 2 then 'hibernating'
            when recency_score >= 4 then 'promising'
            else 'need_attention'
        end as rfm_segment
    from scored

)

select * from final
