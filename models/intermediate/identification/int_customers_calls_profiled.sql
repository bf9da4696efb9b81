{#- Calls per customer over the feature window: calls to each kind of service number (the
    footprints behind knowledge rules: traffic radio → car owner, brokers → stock trader, ...),
    three-way calling, the share of person-to-person calls to competitor numbers and its trend
    (customers drifting to a competitor), and the social circle (交往圈): distinct people called
    and distinct customers calling in. One row per customer who placed or received a call.

    The window's calls are reduced to one row per caller and callee (a pair, by the callee's
    integer id) from the monthly edges (int_call_edges_monthly, which fct_calls reads too); the
    as-of month's calls are its "recent" ones. An edge of the as-of month with calls after the
    as-of date (an as-of date set back) is counted again from its calls up to that date. Then
    the callee's class and category are joined to the pairs, not to every call. A pair is one distinct contact, and the callee is the customer id
    whenever the callee is a customer, so counting pairs counts distinct people called,
    distinct customers called and distinct customers calling in. A call to one's own number
    (voicemail) is a pair of its own, left out. -#}

{%- set service_categories = [
    'traffic_radio', 'stock_broker', 'golf_club', 'entertainment_voting', 'airline', 'bank', 'hotel', 'taxi',
    'information',
] %}

{#- the call counts of one kind of callee: (condition on the pair, which count, column name) -#}
{%- set conditional_counts = [] %}
{%- for category in service_categories %}
    {%- do conditional_counts.append(
        ("service_category = '" ~ category ~ "'", 'call_count', category ~ '_call_count')
    ) %}
{%- endfor %}
{%- do conditional_counts.extend([
    ('is_person', 'call_count', 'person_call_count'),
    ("callee_class = 'competitor'", 'call_count', 'competitor_call_count'),
    ('is_person', 'recent_call_count', 'recent_person_call_count'),
    ("callee_class = 'competitor'", 'recent_call_count', 'recent_competitor_call_count'),
]) %}

with feature_window as (

    select * from {{ ref('int_feature_window') }}

),

whole_edges as (

    {#- the window's whole months (it starts on the first of a month and ends on the as-of date):
        every edge before the as-of month, and the as-of month's edges whose last call is on or
        before the as-of date (all of them when the as-of date is the last day with data) -#}
    select
        edges.caller_customer_id,
        edges.callee_id,
        edges.call_count,
        edges.three_way_call_count,
        case when edges.call_month = feature_window.as_of_month then edges.call_count else 0 end
            as recent_call_count
    from {{ ref('int_call_edges_monthly') }} as edges
    inner join feature_window
        on edges.call_month between feature_window.window_start_date and feature_window.as_of_month
    where
        edges.call_month < feature_window.as_of_month
        or cast(edges.last_call_at as date) <= feature_window.as_of_date

),

cut_edges as (

    {#- the as-of month's edges with calls after the as-of date (an as-of date set back):
        counted again from their calls up to the as-of date -#}
    select
        edges.caller_customer_id,
        edges.callee_id
    from {{ ref('int_call_edges_monthly') }} as edges
    inner join feature_window
        on edges.call_month = feature_window.as_of_month
    where cast(edges.last_call_at as date) > feature_window.as_of_date

),

cut_edge_calls as (

    select
        calls.caller_customer_id,
        calls.callee_id,
        count(*) as call_count,
        count(case when calls.is_three_way then 1 end) as three_way_call_count,
        count(*) as recent_call_count
    from {{ ref('int_call_records_resolved') }} as calls
    inner join cut_edges
        on
            calls.caller_customer_id = cut_edges.caller_customer_id
            and calls.callee_id = cut_edges.callee_id
    inner join feature_window
        on calls.call_date between feature_window.as_of_month and feature_window.as_of_date
    group by calls.caller_customer_id, calls.callee_id

),

callees as (

    select * from {{ ref('int_callees_classified') }}

),

pairs as (

    select
        caller_customer_id,
        callee_id,
        cast(sum(call_count) as {{ dbt.type_bigint() }}) as call_count,
        cast(sum(three_way_call_count) as {{ dbt.type_bigint() }}) as three_way_call_count,
        cast(sum(recent_call_count) as {{ dbt.type_bigint() }}) as recent_call_count
    from (
        select * from whole_edges
        union all
        select * from cut_edge_calls
    ) as window_pairs
    group by caller_customer_id, callee_id

),

classified_pairs as (

    select
        pairs.caller_customer_id,
        callees.callee_customer_id,
        callees.callee_class,
        callees.service_category,
        callees.callee_class != 'service_number' as is_person,
        pairs.call_count,
        pairs.three_way_call_count,
        pairs.recent_call_count
    from pairs
    left join callees
        on pairs.callee_id = callees.callee_id
    where coalesce(pairs.caller_customer_id != callees.callee_customer_id, true)

),

placed as (

    select
        caller_customer_id as customer_id,
        cast(sum(call_count) as {{ dbt.type_bigint() }}) as call_count,
        cast(sum(three_way_call_count) as {{ dbt.type_bigint() }}) as three_way_call_count,
        {%- for condition, measure, name in conditional_counts %}
        cast(
            sum(case when {{ condition }} then {{ measure }} else 0 end) as {{ dbt.type_bigint() }}
        ) as {{ name }},
        {%- endfor %}
        count(case when is_person then 1 end) as distinct_contact_count,
        count(callee_customer_id) as distinct_customer_contact_count
    from classified_pairs
    group by caller_customer_id

),

received as (

    select
        callee_customer_id as customer_id,
        count(*) as inbound_customer_caller_count
    from classified_pairs
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
        coalesce(placed.distinct_contact_count, 0) as distinct_contact_count,
        coalesce(placed.distinct_customer_contact_count, 0) as distinct_customer_contact_count,
        coalesce(received.inbound_customer_caller_count, 0) as inbound_customer_caller_count
    from placed
    full outer join received
        on placed.customer_id = received.customer_id

)

select * from profiled
