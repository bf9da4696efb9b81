"""Reading the campaign engine's inputs from the warehouse into DataFrames.

Targets work over generic names, so this module assembles:

- the **customer frame** — ``marts.dim_customer`` (no clear PII) plus a few behaviour features
  computed from the foundation marts (preferred channel, monthly data, roaming, products held
  count), plus every column of the optional wide marts that exist when the run starts
  (``OPTIONAL_WIDE``: customer 360, churn and fraud scores, clusters …);
- the **membership frame** (``customer_id``, ``kind``, ``member``) — products held (always), and
  the optional long marts (``OPTIONAL_LONG``: tags, segments, knowledge groups, recommendations);
- the **history** for the contact policy (see :class:`.policy.History`).

A missing optional relation is skipped (listed in the run's manifest), so campaigns on tags or
scores start working as soon as those marts are built.
"""

from __future__ import annotations

import datetime as dt

import duckdb
import pandas as pd

from orchestration.campaigns.policy import History
from orchestration.warehouse import read_frame

# relation → columns to take (None: every column not already present); one row per customer
OPTIONAL_WIDE: dict[str, list[str] | None] = {
    "marts.mart_customer_360": None,
    "marts.dim_customer_segment": None,  # value tier, lifecycle stage, RFM segment, ABC class …
    "mining.churn_scores": ["churn_probability", "churn_rank"],
    "mining.fraud_scores": ["anomaly_score", "is_fraud_suspect", "is_sim_box_pattern"],
    "mining.customer_clusters": None,
}
# relation → (membership kind, candidate member columns, first that exists wins)
OPTIONAL_LONG: dict[str, tuple[str, tuple[str, ...]]] = {
    "marts.fct_customer_tags": ("tag", ("tag_id", "tag_code", "tag_name")),
    "marts.fct_customer_knowledge": ("knowledge_group", ("knowledge_group_id", "group_id", "rule_id")),
    "marts.fct_customer_segments": ("segment", ("segment_id", "segment_code", "segment")),
    "mining.recommendations": ("recommended_product", ("product_id",)),
}


def relation_columns(con: duckdb.DuckDBPyConnection, relation: str) -> list[str]:
    schema, name = relation.split(".")
    rows = con.execute("select column_name from information_schema.columns where table_schema = ? "
                       "and table_name = ? order by ordinal_position", [schema, name]).fetchall()
    return [r[0] for r in rows]


def as_of_date(con: duckdb.DuckDBPyConnection) -> dt.date:
    """The newest day with data: the default run date (so a demo on old data still lists)."""
    day = con.execute("select max(contact_date) from marts.fct_contacts").fetchone()[0]
    return day or dt.date.today()


def customer_frame(con: duckdb.DuckDBPyConnection, run_date: dt.date) -> tuple[pd.DataFrame, list[str]]:
    base = read_frame(con, """
        with pref as (
            select customer_id, channel_code as preferred_channel,
                   row_number() over (partition by customer_id order by count(*) desc, channel_code) as r
            from marts.fct_contacts
            where customer_id is not null and not is_proactive and contact_date <= ?
            group by customer_id, channel_code
        ),
        hall as (
            select customer_id, hall_id as home_hall_id,
                   row_number() over (partition by customer_id order by count(*) desc, hall_id) as r
            from marts.fct_contacts
            where customer_id is not null and hall_id is not null and contact_date <= ?
            group by customer_id, hall_id
        ),
        usage as (
            -- one row per customer and day (fct_usage_daily's tested grain), so counting the days
            -- needs no distinct: count(x) = count(distinct x) here, at a fraction of the cost
            select customer_id,
                   sum(data_mb) * 30.0 / greatest(count(usage_date), 1) as data_mb_per_month,
                   count(case when is_roaming then usage_date end) as roaming_days,
                   count(case when roaming_region in ('HK', 'MO', 'HKMO', 'hk_macau') then usage_date end)
                       as hk_macau_roaming_days
            from marts.fct_usage_daily
            where usage_date > ? - interval 90 day and usage_date <= ?
            group by customer_id
        )
        select c.customer_id, c.full_name_masked, c.phone_no_masked, c.customer_type, c.gender, c.age_years,
               c.age_band, c.city, c.district, c.brand, c.plan_id, c.member_tier, c.member_tier_rank,
               c.customer_status, c.tenure_months, c.is_enterprise_customer, c.is_opted_out_marketing,
               c.is_do_not_disturb, c.customer_status = 'active' and not c.is_closed as is_active,
               coalesce(pref.preferred_channel, 'SMS') as preferred_channel,
               coalesce(usage.data_mb_per_month, 0) as data_mb_per_month,
               coalesce(usage.roaming_days, 0) as roaming_days,
               coalesce(usage.hk_macau_roaming_days, 0) as hk_macau_roaming_days,
               hall.home_hall_id
        from marts.dim_customer as c
        left join pref on pref.customer_id = c.customer_id and pref.r = 1
        left join usage on usage.customer_id = c.customer_id
        left join hall on hall.customer_id = c.customer_id and hall.r = 1
        order by c.customer_id
    """, [run_date, run_date, run_date, run_date])
    used = []
    for relation, wanted in OPTIONAL_WIDE.items():
        cols = relation_columns(con, relation)
        if "customer_id" not in cols:
            continue
        take = [c for c in (wanted or cols) if c in cols and c not in base.columns and c != "customer_id"]
        if not take:
            continue
        extra = read_frame(con, f"select customer_id, {', '.join(take)} from {relation}")
        base = base.merge(extra.drop_duplicates("customer_id"), on="customer_id", how="left")
        used.append(relation)
    base["fraud_flag"] = base["is_fraud_suspect"].fillna(False).astype(bool) if "is_fraud_suspect" in base else False
    return base, used


def membership_frame(con: duckdb.DuckDBPyConnection, run_date: dt.date) -> tuple[pd.DataFrame, list[str]]:
    parts = [read_frame(con, """
        select customer_id, 'holds_product' as kind, product_id as member
        from marts.fct_subscription_events
        where event_type = 'subscribe' and event_date <= ?
          and subscription_id not in (select subscription_id from marts.fct_subscription_events
                                      where event_type = 'unsubscribe' and event_date <= ?)
        group by all
    """, [run_date, run_date])]
    used = []
    for relation, (kind, candidates) in OPTIONAL_LONG.items():
        cols = relation_columns(con, relation)
        member = next((c for c in candidates if c in cols), None)
        if "customer_id" not in cols or member is None:
            continue
        parts.append(read_frame(con, f"select distinct customer_id, '{kind}' as kind, "
                                     f"cast({member} as varchar) as member from {relation}"))
        used.append(relation)
    return pd.concat(parts, ignore_index=True), used


def products_frame(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    return read_frame(con, "select product_id, product_category, product_type, monthly_fee_yuan "
                           "from marts.dim_product order by product_id")


def offers_history(con: duckdb.DuckDBPyConnection) -> pd.DataFrame:
    """fct_campaign_offers, plus the outcomes of our own lists that flowed back
    (``campaigns.offer_outcomes``, when it exists)."""
    frame = read_frame(con, """
        select customer_id, product_id, channel_code, response, cast(offered_date as timestamp) as offered_date,
               is_control_group, campaign_id
        from marts.fct_campaign_offers
    """)
    if relation_columns(con, "campaigns.offer_outcomes"):
        extra = read_frame(con, """
            select customer_id, product_id, channel_code, response, cast(responded_date as timestamp) as offered_date,
                   false as is_control_group, campaign_id
            from campaigns.offer_outcomes
        """)
        frame = pd.concat([frame, extra], ignore_index=True)
    return frame


def history(con: duckdb.DuckDBPyConnection, run_date: dt.date, offers: pd.DataFrame, members: pd.DataFrame,
            exclude_run_id: str | None = None) -> History:
    month = run_date.replace(day=1)
    contacts = read_frame(con, """
        select customer_id, count(*) as contact_count from marts.fct_contacts
        where is_proactive and contact_month = ? and contact_date <= ? and customer_id is not null
        group by customer_id
    """, [month, run_date])
    if relation_columns(con, "campaigns.rpt_campaign_list"):
        listed = read_frame(con, """
            select customer_id, count(*) as contact_count from campaigns.rpt_campaign_list
            where offer_group = 'action' and list_month = ? and run_id is distinct from ?
            group by customer_id
        """, [month, exclude_run_id])
        contacts = pd.concat([contacts, listed], ignore_index=True)
    return History(
        contacts_this_month=contacts,
        offers=offers,
        complaints=read_frame(con, "select customer_id, cast(opened_date as timestamp) as opened_date "
                                   "from marts.fct_complaints where customer_id is not null"),
        holdings=members.loc[members["kind"] == "holds_product", ["customer_id", "member"]].rename(
            columns={"member": "product_id"}),
        arrears=read_frame(con, """
            select customer_id, max(days_overdue) as days_overdue from marts.fct_arrears
            where as_of_month = (select max(as_of_month) from marts.fct_arrears where as_of_month <= ?)
            group by customer_id
        """, [run_date]),
    )


def phones_for(con: duckdb.DuckDBPyConnection, customer_ids: pd.Series) -> pd.DataFrame:
    """Clear phone numbers, only for these customers (the outbound call list), from the newest CRM
    extract in staging. Never written to any table."""
    con.register("_wanted_ids", pd.DataFrame({"customer_id": customer_ids.drop_duplicates()}))
    try:
        return read_frame(con, """
            select s.customer_id, arg_max(s.phone_no, s.extract_month) as phone_no
            from staging.stg_crm__customers as s
            join _wanted_ids as w on w.customer_id = s.customer_id
            group by s.customer_id
        """)
    finally:
        con.unregister("_wanted_ids")
