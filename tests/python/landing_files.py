"""Helpers for the loader tests: write small landing files by hand and read the raw schema back.

Independent of the data generator on purpose: each test writes exactly the bytes it means.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
from pathlib import Path

import duckdb
import pyarrow as pa
import pyarrow.parquet as pq

from orchestration.landing.contracts import contract

# One valid CSV row per contract used in the tests; "{p}" is replaced by the partition's day.
VALID_ROWS: dict[str, dict[str, str]] = {
    "halls__hall_visits": {
        "visit_id": "V1", "customer_id": "CU00000001", "hall_id": "HALL001",
        "visited_at": "{p} 09:30:00", "business_type": "top_up", "wait_minutes": "5",
    },
    "service__complaints": {
        "complaint_id": "CP1", "customer_id": "CU00000001", "opened_at": "{p} 10:00:00",
        "channel_code": "HOTLINE", "category": "billing", "severity": "high",
        "resolved_at": "", "description": "话费多扣了, 请核实",
    },
    "crm__customers": {
        "customer_id": "CU00000001", "customer_type": "C", "enterprise_id": "", "full_name": "张三",
        "gender": "M", "birth_date": "1980-05-17", "id_card_no": "110101198005170011",
        "phone_no": "13800000001", "city": "Beijing", "district": "Chaoyang", "brand": "gotone",
        "plan_id": "PLAN_388", "member_tier": "gold", "join_date": "2015-03-01", "status": "active",
        "status_date": "2015-03-01", "contract_end_date": "", "opt_out_marketing": "false",
        "do_not_disturb": "false",
    },
    "crm__subscriptions": {
        "subscription_id": "SB1", "customer_id": "CU00000001", "product_id": "VAS_RBT",
        "start_date": "2024-12-01", "end_date": "", "order_channel": "HOTLINE",
    },
    "network__cells": {
        "cell_id": "CELL00001", "cell_name": "Guomao 1", "city": "Beijing", "district": "Chaoyang",
        "area_type": "business_district", "latitude": "39.9087", "longitude": "116.4600",
    },
    "catalog__products": {
        "product_id": "PLAN_388", "product_name": "388元套餐", "product_name_en": "388 plan",
        "product_type": "tariff_plan", "category": "plan", "monthly_fee_yuan": "388.00",
        "included_voice_minutes": "3000", "included_sms": "500", "included_data_mb": "40960",
        "overage_voice_yuan_per_minute": "0.190", "overage_sms_yuan": "0.100",
        "overage_data_yuan_per_mb": "0.0290", "is_niche": "false", "launch_date": "2020-01-01",
    },
    "callcenter__hotline_calls": {
        "call_id": "HC1", "customer_id": "CU00000001", "started_at": "{p} 08:15:00", "ivr_path": "1>3>0",
        "ivr_seconds": "35", "transferred_to_agent": "true", "abandoned": "false", "wait_seconds": "20",
        "handle_seconds": "240", "agent_id": "AG0001", "purpose": "bill_enquiry",
        "purpose_note": "客户查询本月话费，已解释套餐外流量费用", "resolved": "true", "satisfaction_score": "5",
    },
}


def valid_row(table_name: str, partition: str, **overrides: str) -> dict[str, str]:
    day = partition if len(partition) == 10 else f"{partition}-15" if len(partition) == 7 else "2025-01-15"
    row = {k: v.replace("{p}", day) for k, v in VALID_ROWS[table_name].items()}
    row.update(overrides)
    return row


# The hall-visit table is the loader tests' usual subject: small, with every kind of column rule.
VISITS = "halls__hall_visits"
VISIT_DAY = "2025-01-02"


def visit(n: int, **overrides: str) -> dict[str, str]:
    """Valid hall visit number ``n`` on VISIT_DAY (its own visit and customer id)."""
    return valid_row(VISITS, VISIT_DAY, **{"visit_id": f"V{n}", "customer_id": f"CU{n:08d}", **overrides})


def file_path(landing: Path, table_name: str, partition: str) -> Path:
    spec = contract(table_name)
    folder = landing / spec.source / spec.table
    folder.mkdir(parents=True, exist_ok=True)
    return folder / spec.file_name(partition)


def csv_text(rows: list[dict[str, str] | list[str] | str], header: list[str]) -> str:
    """CSV text with ``header``: dict rows are written by csv.writer, str rows verbatim as lines."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    for row in rows:
        if isinstance(row, str):
            out.write(row + "\n")
        elif isinstance(row, dict):
            writer.writerow([row.get(c, "") for c in header])
        else:
            writer.writerow(row)
    return out.getvalue()


def write_csv(landing: Path, table_name: str, partition: str, rows: list, header: list[str] | None = None,
              encoding: str | None = None) -> Path:
    spec = contract(table_name)
    path = file_path(landing, table_name, partition)
    path.write_bytes(csv_text(rows, header or list(spec.column_names)).encode(encoding or spec.encoding))
    return path


def write_bytes(landing: Path, table_name: str, partition: str, data: bytes) -> Path:
    path = file_path(landing, table_name, partition)
    path.write_bytes(data)
    return path


def write_parquet(landing: Path, table_name: str, partition: str, table: pa.Table) -> Path:
    path = file_path(landing, table_name, partition)
    pq.write_table(table, path)
    return path


def query(db: Path, sql: str, params: list | None = None) -> list[tuple]:
    con = duckdb.connect(str(db), read_only=True)
    try:
        return con.execute(sql, params or []).fetchall()
    finally:
        con.close()


def quarantine(db: Path, table_name: str) -> list[tuple]:
    """(partition, source_row, column_name, reason_code, reason, raw_record) in row order."""
    return query(db, 'select "partition", source_row, column_name, reason_code, reason, raw_record '
                     'from raw._quarantine where table_name = ? order by "partition", source_row', [table_name])


def load_log(db: Path, table_name: str) -> list[tuple]:
    """(partition, status, rows_read, rows_loaded, rows_quarantined, message) in load order."""
    return query(db, 'select "partition", status, rows_read, rows_loaded, rows_quarantined, message '
                     "from raw._load_log where table_name = ? order by loaded_at, source_file", [table_name])


def raw_contents(db: Path, table_name: str) -> list[tuple]:
    """Every raw row without _loaded_at, in a stable order."""
    spec = contract(table_name)
    columns = ", ".join(f'"{c}"' for c in (*spec.column_names, "_partition", "_source_file", "_source_row"))
    return query(db, f'select {columns} from raw."{table_name}" order by _partition, _source_row')


def call_records(n: int = 5, day: str = "2025-02-10", **columns) -> pa.Table:
    """``n`` valid call records of ``day``, one a minute from 08:00 (ids CL0, CL1, … on every day);
    keyword arguments replace whole columns (lists or arrays)."""
    start = dt.datetime.fromisoformat(day).replace(hour=8)
    data = {
        "call_id": [f"CL{i}" for i in range(n)],
        "caller_customer_id": [f"CU{i:08d}" for i in range(n)],
        "callee_number": ["13800000000"] * n,
        "started_at": pa.array([start + dt.timedelta(minutes=i) for i in range(n)], pa.timestamp("us")),
        "duration_seconds": pa.array([60 + i for i in range(n)], pa.int32()),
        "is_three_way": [False] * n,
    }
    data.update(columns)
    return pa.table(data)
