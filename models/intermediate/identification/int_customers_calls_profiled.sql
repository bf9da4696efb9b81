{#- Calls per customer over the feature window: calls to each kind of service number (the
    footprints behind knowledge rules: traffic radio → car owner, brokers → stock trader, ...),
    three-way calling, the share of person-to-person calls to competitor numbers and its trend
    (customers drifting to a competitor), and the social circle (交往圈): distinct people called
    and distinct customers calling in. One row per customer who placed or received a call. -#}

{%- set service_categories = [
    'traffic_radio', 'stock_broker', 'golf_club', 'entertainment_voting', 'airline', 'bank', 'hotel', 'taxi',
    'information',
] %}

with feature_window as (

    select * from {{ ref('int_feature_window') }}

),

calls as (

    select calls.*
    from {{ ref('int_call_records_classified') }} as calls
    inner join feature_window
        on calls.call_date between feature_window.window_start_date and feature_window.as_of_date

),

placed as (

    select
        calls.caller_customer_id as customer_id,
        count(*) as call_count,
        count(case when calls.is_three_way then 1 end) as three_way_call_count,
        {%- for category in service_categories %}
        count(case when calls.service_category = '{{ category }}' then 1 end) as {{ category }}_call_count,
        {%- endfor %}
        count(case when calls.callee_class != 'service_number' then 1 end) as person_call_count,
        count(case when calls.callee_class = 'competitor' then 1 end) as competitor_call_count,
        count(
            case
                when calls.callee_class != 'service_number' and calls.call_date >= feature_window.as_of_month then 1
            end
        ) as recent_person_call_count,
        count(
            case when calls.callee_class = 'competitor' and calls.call_date >= feature_window.as_of_month then 1 end
        ) as recent_competitor_call_count,
        count(distinct case when calls.callee_class != 'service_number' then calls.callee_key end)
            as distinct_contact_count,
        count(distinct calls.callee_customer_id) as distinct_customer_contact_count
    from calls
    cross join feature_window
    where not calls.is_self_call
    group by calls.caller_customer_id

),

received as (

    select
        callee_customer_id as customer_id,
        count(distinct caller_customer_id) as inbound_customer_caller_count
    from calls
    where callee_customer_id is not null and not is_self_call
    group by callee_customer_id

),

profiled as (

    select
        coalesce(placed.customer_id, received.customer_id) as customer_id,
        coalesce(placed.call_count, 0) as call_count,
        coalesce(placed.three_way_call_count, 0) as three_way_call_count,
        {%- for category in service_categories %}
        coalesce(placed.{{ category }}_call_count, 0) as {{ category }}_call_count,
        {%- endfor %}
        coalesce(placed.person_call_count, 0) as person_call_count,
        coalesce(placed.competitor_call_count, 0) as competitor_call_count,
        coalesce(placed.recent_person_call_count, 0) as recent_person_call_count,
        coalesce(placed.recent_competitor_call_count, 0) as recent_competitor_call_count,
        coalesce(placed.distinct_contact_count, 0) as distinct_contact_count,
        coalesce(placed.distinct_customer_contact_count, 0) as distinct_customer_contact_count,
        coalesce(received.inbound_customer_caller_count, 0) as inbound_customer_caller_count
    from placed
    full outer join received
        on placed.customer_id = received.customer_id

)

select * from profiled
