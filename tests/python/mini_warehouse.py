"""A hand-made miniature warehouse for the quality-gate and publish tests (no dbt, seconds to build).

It has just the raw and mart columns the Great Expectations suites and the PII scan read, with
personal data in raw and only masked / keyed-hash forms in the marts, as the real build has.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import duckdb

KEY = "test-secret-key"
PHONES = [f"138{n:08d}" for n in range(1, 41)]
NAMES = ["张三丰", "李四光", "王小明", "赵敏", "钱学森"] * 8
ID_CARDS = [f"11010119800517{n:04d}" for n in range(1, 41)]
TIERS = ["standard"] * 20 + ["silver"] * 12 + ["gold"] * 6 + ["diamond"] * 2


def keyed_hash(value: str) -> str:
    return hashlib.sha256((KEY + value).encode()).hexdigest()


def build(db: Path, customers: int = 40) -> Path:
    """Write the mini warehouse to ``db`` (replacing it)."""
    db.unlink(missing_ok=True)
    with duckdb.connect(str(db)) as con:
        for schema in ("raw", "staging", "marts"):
            con.execute(f"create schema {schema}")
        rows = [(f"CU{i:08d}", NAMES[i], PHONES[i], ID_CARDS[i], TIERS[i], "M" if i % 2 else "F",
                 ["gotone", "mzone", "easyown"][i % 3], 20 + i, ["Beijing", "Shanghai"][i % 2])
                for i in range(customers)]
        con.execute("create table raw.crm__customers (customer_id varchar, full_name varchar, phone_no varchar, "
                    "id_card_no varchar, member_tier varchar, gender varchar, brand varchar, age integer, "
                    "city varchar)")
        con.executemany("insert into raw.crm__customers values (?, ?, ?, ?, ?, ?, ?, ?, ?)", rows)
        con.execute("create view staging.stg_crm__customers as select * from raw.crm__customers")
        con.create_function("keyed_hash", keyed_hash, ["VARCHAR"], "VARCHAR")
        con.execute("""
            create table marts.dim_customer as
            select customer_id, substring(full_name, 1, 1) || '**' as full_name_masked,
                   substring(phone_no, 1, 3) || '****' || substring(phone_no, 8, 4) as phone_no_masked,
                   keyed_hash(phone_no) as phone_hash, member_tier, gender, brand,
                   'active' as customer_status, age as age_years, city
            from raw.crm__customers
        """)
        con.execute("""
            create table raw.billing__bill_items as
            select customer_id, date '2026-08-01' + to_months(m) as bill_month,
                   item_group as bill_item_group, cast(10 + m * 5 as decimal(12, 2)) as amount_yuan
            from raw.crm__customers, range(2) t(m), (values ('fees'), ('data')) g(item_group)
        """)
        con.execute("create table marts.fct_billing_monthly as select * from raw.billing__bill_items")
        con.execute("""
            create table raw.billing__payments as
            select customer_id, timestamp '2026-08-20 10:00:00' as paid_at, cast(50 as decimal(12, 2)) as amount_yuan
            from raw.crm__customers
        """)
        con.execute("create table marts.fct_payments as select customer_id, cast(paid_at as date) as paid_date, "
                    "cast(date_trunc('month', paid_at) as date) as paid_month, amount_yuan from raw.billing__payments")
    return db


def execute(db: Path, sql: str) -> None:
    with duckdb.connect(str(db)) as con:
        con.execute(sql)


def scalar(db: Path, sql: str):
    with duckdb.connect(str(db), read_only=True) as con:
        return con.execute(sql).fetchone()[0]
