"""Billing and usage: what customers are charged and how they use the network."""

from __future__ import annotations

from orchestration.landing.contracts.codes import (
    BILL_ITEMS_SEED,
    CONTENT_CATEGORIES,
    CUSTOMER_ID,
    PAYMENT_METHODS,
)
from orchestration.landing.contracts.model import SourceTable, col, key

USAGE_TABLES: tuple[SourceTable, ...] = (
    SourceTable(
        source="billing",
        table="bill_items",
        description="Monthly detail bill: one row per customer, bill month and bill item.",
        grain="month",
        format="parquet",
        columns=(
            key("customer_id", "VARCHAR", CUSTOMER_ID),
            key("bill_month", "DATE", "First day of the billed month.", in_partition=True),
            key("bill_item_code", "VARCHAR", "Bill item (see the bill_item_codes seed).",
                 accepted_from_seed=BILL_ITEMS_SEED),
            col("amount_yuan", "DECIMAL(12,2)", "Charged amount.", nullable=False, min=0),
            col("quantity", "DOUBLE", "Billed quantity in the item's unit (minutes, SMS, MB, months).",
               min=0),
        ),
    ),
    SourceTable(
        source="billing",
        table="payments",
        description="Payments received.",
        grain="month",
        format="parquet",
        columns=(
            key("payment_id", "VARCHAR", "Payment id."),
            col("customer_id", "VARCHAR", CUSTOMER_ID, nullable=False),
            col("paid_at", "TIMESTAMP", "When the payment was received.", nullable=False, in_partition=True),
            col("payment_method", "VARCHAR", "How the customer paid.", nullable=False,
               accepted=PAYMENT_METHODS),
            col("amount_yuan", "DECIMAL(12,2)", "Amount paid.", nullable=False, min=0),
        ),
    ),
    SourceTable(
        source="billing",
        table="arrears",
        description="Month-end arrears: customers owing money, with days overdue.",
        grain="month",
        format="parquet",
        columns=(
            key("customer_id", "VARCHAR", CUSTOMER_ID),
            key("as_of_month", "DATE", "First day of the month whose end the balance is taken at.",
                 in_partition=True),
            col("arrears_yuan", "DECIMAL(12,2)", "Amount owed.", nullable=False, min=0),
            col("days_overdue", "INTEGER", "Days since the oldest unpaid bill fell due.", nullable=False,
               min=0),
        ),
    ),
    SourceTable(
        source="usage",
        table="daily_usage",
        description="Daily usage summary per customer from the mediation system.",
        grain="day",
        format="parquet",
        columns=(
            key("customer_id", "VARCHAR", CUSTOMER_ID),
            key("usage_date", "DATE", "Day of usage.", in_partition=True),
            col("voice_out_minutes", "DOUBLE", "Outgoing voice minutes.", nullable=False, min=0),
            col("voice_in_minutes", "DOUBLE", "Incoming voice minutes.", nullable=False, min=0),
            col("local_voice_minutes", "DOUBLE", "Outgoing minutes to local numbers.", nullable=False, min=0),
            col("long_distance_minutes", "DOUBLE", "Outgoing long-distance minutes.", nullable=False, min=0),
            col("sms_out_count", "INTEGER", "SMS sent.", nullable=False, min=0),
            col("data_mb", "DOUBLE", "Mobile data used in MB.", nullable=False, min=0),
            col("roaming_minutes", "DOUBLE", "Voice minutes while roaming.", nullable=False, min=0),
            col("roaming_region", "VARCHAR", "Where the customer roamed (domestic, hk_macau, abroad)."),
        ),
    ),
    SourceTable(
        source="usage",
        table="call_records",
        description="Voice call detail records (CDRs) originated by customers.",
        grain="day",
        format="parquet",
        columns=(
            key("call_id", "VARCHAR", "CDR id."),
            col("caller_customer_id", "VARCHAR", "Customer who placed the call.", nullable=False),
            col("callee_number", "VARCHAR", "Number called: another customer, another operator's "
               "subscriber or a service number.", nullable=False, pii=True),
            col("started_at", "TIMESTAMP", "Call start.", nullable=False, in_partition=True),
            col("duration_seconds", "INTEGER", "Call duration.", nullable=False, min=0, max=86400),
            col("is_three_way", "BOOLEAN", "Call used three-way calling.", nullable=False),
        ),
    ),
    SourceTable(
        source="usage",
        table="content_visits",
        description="Content (DPI) visits per customer, day and content category.",
        grain="day",
        format="parquet",
        columns=(
            key("customer_id", "VARCHAR", CUSTOMER_ID),
            key("visit_date", "DATE", "Day of the visits.", in_partition=True),
            key("content_category", "VARCHAR", "Content category.", accepted=CONTENT_CATEGORIES),
            col("visits", "INTEGER", "Number of visits.", nullable=False, min=1),
            col("data_mb", "DOUBLE", "Data used by those visits in MB.", nullable=False, min=0),
        ),
    ),
    SourceTable(
        source="usage",
        table="cell_sightings",
        description="Where customers were seen: per customer, day, cell and time band.",
        grain="day",
        format="parquet",
        columns=(
            key("customer_id", "VARCHAR", CUSTOMER_ID),
            key("sighting_date", "DATE", "Day.", in_partition=True),
            key("cell_id", "VARCHAR", "Cell the handset registered on."),
            key("time_band", "VARCHAR", "Part of the day.", accepted=("night", "work_hours", "evening")),
            col("events", "INTEGER", "Number of network events seen in that cell and band.", nullable=False,
               min=1),
        ),
    ),
)
