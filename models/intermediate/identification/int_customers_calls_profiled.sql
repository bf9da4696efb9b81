{#- Calls per customer over the feature window: calls to each kind of service number (the
    footprints behind knowledge rules: traffic radio → car owner, brokers → stock trader, ...),
    three-way calling, the share of person-to-person calls to competitor numbers and its trend
    (customers drifting to a competitor), and the social circle (交往圈): distinct people called
    and distinct customers calling in. One row per customer who placed or received a call.

    No aggregate remembers distinct values: the calls are counted per caller, and separately
    reduced to one row per caller and number called (a pair). A pair is one distinct contact, and
    callee_key is the customer id whenever the callee is a customer, so counting pairs counts
    distinct people called, distinct customers called and distinct customers calling in. -#}

{%- set service_categories = [
    'traffic_radio', 'stock_broker', 'golf_club', 'entertainment_voting', 'airline', 'bank', 'hotel', 'taxi',
    'information',
] %}

with feature_window as (

    select * from {{ ref('int_feature_window') }}

),

calls as (

    select
        calls.caller_customer_id,
        calls.callee_key,
        calls.callee_customer_id,
        calls.callee_class,
        calls.service_category,
        calls.is_three_way,
        calls.call_date >= feature_window.as_of_month as is_recent
    from {{ ref('int_call_records_classified') }} as calls
    inner join feature_window
        on calls.call_date between feature_window.window_start_date and feature_window.as_of_date
    where not calls.is_self_call

),

placed as (

    select
        caller_customer_id as customer_id,
        count(*) as call_count,
        count(case when is_three_way then 1 end) as three_way_call_count,
        {%- for category in service_categories %}
        count(case when service_category = '{{ category }}' then 1 end) as {{ category }}_call_count,
        {%- endfor %}
        count(case when callee_class != 'service_number' then 1 end) as person_call_count,
        count(case when callee_class = 'competitor' then 1 end) as competitor_call_count,
        count(case when callee_class != 'service_number' and is_recent then 1 end) as recent_person_call_count,
        count(case when callee_class = 'competitor' and is_recent then 1 end) as recent_competitor_call_count
    from calls
    group by caller_customer_id

),

pairs as (

    select
        caller_customer_id,
        callee_key,
        max(callee_customer_id) as callee_customer_id,
        max(case when callee_class != 'service_number' then 1 else 0 end) as is_person
    from calls
    group by caller_customer_id, callee_key

),

contacts as (

    select
        caller_customer_id as customer_id,
        sum(is_person) as distinct_contact_count,
        count(callee_customer_id) as distinct_customer_contact_count
    from pairs
    group by caller_customer_id

),

received as (

    select
        callee_customer_id as customer_id,
        count(*) as inbound_customer_caller_count
    from pairs
    where callee_customer_id is not null
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
        coalesce(cast(contacts.distinct_contact_count as {{ dbt.type_bigint() }}), 0) as distinct_contact_count,
        coalesce(contacts.distinct_customer_contact_count, 0) as distinct_customer_contact_count,
        coalesce(received.inbound_customer_caller_count, 0) as inbound_customer_caller_count
    from placed
    inner join contacts
        on placed.customer_id = contacts.customer_id
    full outer join received
        on placed.customer_id = received.customer_id

)

select * from profiled
