"""Read the marts into the DataFrames the mining functions take (one function per shape).

Every function takes an open DuckDB connection and returns a pandas DataFrame with plain
column names; nothing here trains or scores. Months are the first day of the month
(``datetime64``); customers are identified by ``customer_id``.
"""

from __future__ import annotations

import duckdb
import numpy as np
import pandas as pd

from orchestration.warehouse import release_cache

# per customer and month, from marts.fct_usage_daily
USAGE_MEASURES = ("voice_out_minutes", "voice_in_minutes", "local_voice_minutes", "long_distance_minutes",
                  "sms_out_count", "data_mb", "roaming_minutes", "content_visit_count", "call_count",
                  "three_way_call_count")


def table_exists(con: duckdb.DuckDBPyConnection, schema: str, table: str) -> bool:
    return bool(con.execute(
        "select count(*) from information_schema.tables where table_schema = ? and table_name = ?",
        [schema, table]).fetchone()[0])


def months(con: duckdb.DuckDBPyConnection, fact: str = "marts.fct_usage_daily",
           month_column: str = "usage_month") -> list[pd.Timestamp]:
    """Months present in ``fact`` (by default the usage months of the marts), oldest first."""
    rows = con.execute(f"select distinct {month_column} from {fact} order by 1").fetchall()
    return [pd.Timestamp(r[0]) for r in rows]


def by_month(con: duckdb.DuckDBPyConnection, sql: str, fact: str = "marts.fct_usage_daily",
             month_column: str = "usage_month") -> pd.DataFrame:
    """Run ``sql`` once per month of ``fact`` (its one ``?`` is the month) and stack the results,
    ordered by customer and month.

    A customer × month aggregate of a whole daily fact has as many groups as customer-months
    (6M at 1M customers); with a dozen sums per group DuckDB's hash aggregate outgrows its memory
    limit and spills partial aggregates of the input rows, about 14 GB at 1M customers under 4GB.
    One month at a time has a sixth of the groups and spills nothing (at 100k customers under a
    400MB limit, 0 MB instead of 1.5 GB, and 2.5 s instead of 4.5 s); the results are the same
    rows, since no group spans two months. Under the default 4GB, where the whole aggregate did not
    spill at 100k, the months cost about 0.6 s more per read there."""
    parts = [con.execute(sql, [m.date()]).df() for m in months(con, fact, month_column)]
    # a month with no rows comes back with untyped (object) columns: it would loosen the others'
    filled = [p for p in parts if len(p)] or [con.execute(sql, [None]).df()]  # none: the typed empty frame
    return (pd.concat(filled, ignore_index=True)
            .sort_values(["customer_id", "month"], kind="stable", ignore_index=True))


def monthly_usage(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per customer and month with usage: totals of every usage measure, active days,
    and the month's length in days (read month by month: `by_month`)."""
    sums = ",\n".join(f"sum({m}) as {m}" for m in USAGE_MEASURES)
    return by_month(con, f"""
        select
            customer_id,
            usage_month as month,
            count(*) as active_days,
            {sums},
            sum(case when is_roaming then 1 else 0 end) as roaming_days,
            max(extract(day from last_day(usage_date))) as days_in_month,
            -- the month's last 10 days: a decline inside the month shows here first
            count(case when usage_date > last_day(usage_date) - 10 then 1 end) as active_days_last_10d,
            sum(case when usage_date > last_day(usage_date) - 10 then voice_out_minutes else 0 end)
                as voice_out_minutes_last_10d,
            sum(case when usage_date > last_day(usage_date) - 10 then data_mb else 0 end) as data_mb_last_10d
        from marts.fct_usage_daily
        where usage_month = ?
        group by customer_id, usage_month
    """)


def whole_month_usage(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Usage rows of open customers' whole months (active every day) with the plan they were on:
    ``best_fit_tariff.whole_months`` of :func:`monthly_usage` and :func:`monthly_states`, limited
    to open customers, computed in DuckDB month by month (`by_month`; only the columns re-rating
    needs leave the database)."""
    return by_month(con, """
        with usage as (
            select
                customer_id,
                usage_month as month,
                count(*) as active_days,
                sum(voice_out_minutes) as voice_out_minutes,
                sum(sms_out_count) as sms_out_count,
                sum(data_mb) as data_mb,
                max(extract(day from last_day(usage_date))) as days_in_month
            from marts.fct_usage_daily
            where usage_month = ?
            group by customer_id, usage_month
        )
        select u.customer_id, u.month, h.plan_id, u.voice_out_minutes, u.sms_out_count, u.data_mb
        from usage as u
        join marts.dim_customer_history as h
          on h.customer_id = u.customer_id and u.month >= h.valid_from
         and (h.valid_to is null or u.month < h.valid_to) and u.month <= h.last_extract_month
        where u.active_days >= u.days_in_month
          and u.customer_id in (select customer_id from marts.dim_customer where not is_closed)
    """)


def monthly_calls(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per caller and month: calls and minutes by callee class, distinct callees (read
    month by month: `by_month`)."""
    return by_month(con, """
        select
            caller_customer_id as customer_id,
            call_month as month,
            sum(call_count) as calls_out,
            sum(call_minutes) as call_minutes_out,
            count(*) as distinct_callees,
            sum(case when callee_class <> 'service_number' then call_count else 0 end) as person_calls,
            sum(case when callee_class = 'competitor' then call_count else 0 end) as competitor_calls,
            count(case when callee_class = 'competitor' then 1 end) as competitor_callees,
            sum(case when callee_class = 'own_customer' then call_count else 0 end) as own_customer_calls,
            sum(case when callee_class = 'other_own_operator' then call_count else 0 end) as other_own_calls,
            sum(case when callee_class = 'service_number' then call_count else 0 end) as service_calls,
            sum(case when call_count = 1 then 1 else 0 end) as one_off_callees,
            max(call_day_count) as max_call_days_to_one_callee
        from marts.fct_calls
        where call_month = ?
        group by caller_customer_id, call_month
    """, fact="marts.fct_calls", month_column="call_month")


def monthly_contacts(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per customer and month with any contact: complaints, hotline calls, hall visits."""
    return con.execute("""
        with contacts as (
            select customer_id, contact_month as month,
                   count(case when contact_type in ('hotline_agent_call', 'hotline_ivr_call') then 1 end)
                       as hotline_calls,
                   count(case when contact_type = 'hall_visit' then 1 end) as hall_visits,
                   count(case when contact_type = 'sms_query' then 1 end) as sms_queries,
                   count(case when contact_type = 'app_session' then 1 end) as app_sessions
            from marts.fct_contacts
            where customer_id is not null
            group by all
        ),
        complaints as (
            select customer_id, opened_month as month, count(*) as complaints,
                   count(case when not is_resolved then 1 end) as unresolved_complaints
            from marts.fct_complaints
            where customer_id is not null
            group by all
        )
        select coalesce(c.customer_id, k.customer_id) as customer_id, coalesce(c.month, k.month) as month,
               coalesce(hotline_calls, 0) as hotline_calls, coalesce(hall_visits, 0) as hall_visits,
               coalesce(sms_queries, 0) as sms_queries, coalesce(app_sessions, 0) as app_sessions,
               coalesce(complaints, 0) as complaints, coalesce(unresolved_complaints, 0) as unresolved_complaints
        from contacts as c
        full outer join complaints as k on c.customer_id = k.customer_id and c.month = k.month
        order by 1, 2
    """).df()


def monthly_bills(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per customer and bill month: the total and the plan-related charges."""
    return con.execute("""
        select customer_id, bill_month as month,
               sum(amount_yuan)::double as bill_yuan,
               sum(case when bill_item_code = 'MONTHLY_FEE' then amount_yuan else 0 end)::double as fee_yuan,
               sum(case when bill_item_code in ('LOCAL_VOICE', 'LONG_DISTANCE', 'SMS', 'DATA')
                        then amount_yuan else 0 end)::double as overage_yuan
        from marts.fct_billing_monthly
        group by all
        order by 1, 2
    """).df()


def monthly_states(con: duckdb.DuckDBPyConnection, month_list: list[pd.Timestamp]) -> pd.DataFrame:
    """Customer state (brand, plan, tier, status) as of each month, from dim_customer_history."""
    grid = pd.DataFrame({"month": pd.to_datetime(month_list)})  # no months: the typed table with no rows
    con.register("_mining_months", grid)
    try:
        return con.execute("""
            select h.customer_id, m.month, h.brand, h.plan_id,
                   case h.member_tier when 'diamond' then 4 when 'gold' then 3 when 'silver' then 2 else 1 end
                       as member_tier_rank,
                   h.customer_status, h.member_tier_movement_at_start
            from marts.dim_customer_history as h
            join _mining_months as m
              on m.month >= h.valid_from and (h.valid_to is null or m.month < h.valid_to)
               and m.month <= h.last_extract_month
            order by 1, 2
        """).df()
    finally:
        con.unregister("_mining_months")


def customers(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Current customer attributes from dim_customer (no personal data)."""
    return con.execute("""
        select customer_id, customer_type, gender, age_years, age_band, city, brand, plan_id, member_tier,
               customer_status, is_closed, is_proactively_contactable, is_do_not_disturb, is_opted_out_marketing,
               join_date, contract_end_date, last_extract_month, is_enterprise_customer
        from marts.dim_customer
        order by customer_id
    """).df()


def subscriptions(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """One row per subscription: customer, product, product type, start and end date (NaT while running)."""
    return con.execute("""
        select subscription_id, any_value(customer_id) as customer_id, any_value(product_id) as product_id,
               any_value(product_type) as product_type,
               min(case when event_type = 'subscribe' then event_date end) as start_date,
               min(case when event_type = 'unsubscribe' then event_date end) as end_date
        from marts.fct_subscription_events
        group by subscription_id
        order by subscription_id
    """).df()


def holdings_on(subs: pd.DataFrame, day: pd.Timestamp, product_types: tuple[str, ...] | None = None) -> pd.DataFrame:
    """(customer_id, product_id) pairs running on ``day`` (start ≤ day and no end before it)."""
    day = pd.Timestamp(day)
    live = (subs["start_date"] <= day) & (subs["end_date"].isna() | (subs["end_date"] >= day))
    if product_types is not None:
        live &= subs["product_type"].isin(product_types)
    return subs.loc[live, ["customer_id", "product_id"]].drop_duplicates().reset_index(drop=True)


def products(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return con.execute("""
        select product_id, product_name, product_name_en, product_type, product_category, is_niche,
               monthly_fee_yuan::double as monthly_fee_yuan,
               included_voice_minutes::double as included_voice_minutes,
               included_sms_count::double as included_sms_count,
               included_data_mb::double as included_data_mb,
               overage_voice_yuan_per_minute::double as overage_voice_yuan_per_minute,
               overage_sms_yuan_per_message::double as overage_sms_yuan_per_message,
               overage_data_yuan_per_mb::double as overage_data_yuan_per_mb
        from marts.dim_product
        order by product_id
    """).df()


def call_edges(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Customer-to-customer call edges over the whole window: caller, callee, calls, minutes, days."""
    return con.execute("""
        select caller_customer_id as caller_id, callee_customer_id as callee_id,
               sum(call_count) as calls, sum(call_minutes) as minutes, sum(call_day_count) as call_days
        from marts.fct_calls
        where callee_class = 'own_customer' and callee_customer_id <> caller_customer_id
        group by all
        order by 1, 2
    """).df()


def distinct_cells(con: duckdb.DuckDBPyConnection) -> pd.DataFrame | None:
    """Distinct cells each customer was seen in over the window, or None when no sightings are
    available. There is no sightings mart yet, so this reads the staging view (read-only)."""
    if not table_exists(con, "staging", "stg_usage__cell_sightings"):
        return None
    return con.execute("""
        select customer_id, count(distinct cell_id) as distinct_cells
        from staging.stg_usage__cell_sightings
        where customer_id is not null
        group by customer_id
    """).df()


def month_panel(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Customer × month panel over the window for every customer in a month's extract: usage,
    calls, contacts, bills and state side by side (missing activity = 0).

    Sized for 1M customers (6M customer-months): the state's text columns become categories (one
    string per value, not per row), DuckDB's cached blocks are let go after each read (the next
    read needs other blocks), and each part is dropped as soon as it is merged in."""
    panel = monthly_states(con, months(con))
    for col in ("brand", "plan_id", "customer_status", "member_tier_movement_at_start"):
        panel[col] = panel[col].astype("category")
    release_cache(con)
    parts = []
    for read in (monthly_usage, monthly_calls, monthly_contacts, monthly_bills):
        parts.append(read(con))
        release_cache(con)
    while parts:
        panel = panel.merge(parts.pop(0), on=["customer_id", "month"], how="left")
    numeric = panel.select_dtypes(include=[np.number]).columns.difference(["member_tier_rank"])
    panel[numeric] = panel[numeric].fillna(0)
    return panel.sort_values(["customer_id", "month"], ignore_index=True)


def departed_call_share(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """Per caller: the share of their first-month calls to people that went to customers who are
    closed now (their contacts who have left since)."""
    return con.execute("""
        with first_month as (
            select min(call_month) as call_month from marts.fct_calls
        ),
        calls as (
            select f.caller_customer_id as customer_id,
                   sum(case when f.callee_class <> 'service_number' then f.call_count else 0 end) as person_calls,
                   sum(case when d.is_closed then f.call_count else 0 end) as departed_calls
            from marts.fct_calls as f
            join first_month using (call_month)
            left join marts.dim_customer as d on d.customer_id = f.callee_customer_id
            group by f.caller_customer_id
        )
        select customer_id, departed_calls / person_calls as departed_call_share
        from calls
        where person_calls > 0
    """).df()
