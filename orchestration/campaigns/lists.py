"""Writing a run's lists: files per campaign and channel (CSV in UTF-8 with BOM for spreadsheet
users, and Parquet), the control group, the suppression log and a manifest with the funnel counts
and file checksums, under ``<lists root>/<run_id>/``; and the ``campaigns.rpt_campaign_list``
table in DuckDB.

PII per channel policy: only the outbound call list (``OUTBOUND``) carries the clear phone number,
joined by customer id at write time from staging; every other file and every table carries the
masked name and number. Outputs are byte-identical for identical inputs (sorted rows, no clock).
"""

from __future__ import annotations

import hashlib
import io
import json
from pathlib import Path

import duckdb
import numpy as np
import pandas as pd
import pyarrow as pa
import pyarrow.compute as pc
import pyarrow.parquet as pq

from orchestration.campaigns.tables import ensure_table

CLEAR_PHONE_CHANNELS = ("OUTBOUND",)
# the list table's columns an empty run leaves without a type (others default to VARCHAR)
LIST_TABLE_TYPES = {"run_date": "DATE", "list_month": "DATE"}
FILE_COLUMNS = ["channel_rank", "campaign_id", "customer_id", "full_name_masked", "phone", "product_id",
                "channel_code", "reason_code", "score", "script_hint", "history_prompt", "calling_hours",
                "hall_hint"]
TABLE_COMMENT = ("Campaign lists: one row per run, campaign and customer — action (contacted, with the channel) "
                 "and control (held out) — with rank, score, the reason the customer is there, script hint and "
                 "the prompt from earlier channels. Written by orchestration/campaigns (issue 5). No clear PII.")
COLUMN_COMMENTS = {
    "run_id": "The list run (folder data/lists/<run_id>/).",
    "run_date": "Day the lists are for.",
    "list_month": "First day of run_date's month (the monthly contact cap counts action rows by it).",
    "campaign_id": "Campaign (campaigns/<id>.yml).",
    "customer_id": "Customer.",
    "product_id": "Product offered (the campaign's first product).",
    "offer_group": "action (contacted) or control (held out, for measuring lift).",
    "channel_code": "Channel the offer goes through (control: the channel it would have gone through).",
    "campaign_rank": "Rank within the campaign by score (1 = best).",
    "channel_rank": "Rank within the campaign and channel (the order the channel works the list).",
    "score": "Response propensity × value of an acceptance (yuan).",
    "propensity": "Contact-response propensity from the model trained on the contact history.",
    "value_yuan": "Value of an acceptance (product fee × 12 unless the campaign says).",
    "stratum": "Segment the control group is stratified by.",
    "reason_code": "Why the customer is on the list: the target conditions (tags, scores, events) that matched.",
    "script_hint": "Script points (业务对白要点) for the agent or message.",
    "history_prompt": "Newest 'considering' answer to the same product at another channel.",
    "calling_hours": "When the channel may contact the customer.",
    "priority": "Campaign priority (arbitrates the monthly contact cap).",
}


def _quote(text: str) -> str:
    return "'" + text.replace("'", "''") + "'"


def _sha256(data: bytes) -> str:
    return hashlib.sha256(data).hexdigest()


def _plain_string_csv(frame: pd.DataFrame) -> bytes | None:
    """The CSV pandas would write, built by Arrow, for a frame of only string columns in which no
    value needs quoting (no comma, quote or line break): fields joined by commas, missing values
    empty. ``None`` for any other frame. The suppression log (every excluded pair, ~700k rows at
    1M customers) is such a frame, and pandas' writer takes seconds on it."""
    names = [str(c) for c in frame.columns]
    if not len(frame) or len(names) < 2 or any(not isinstance(t, pd.StringDtype) or t.storage != "pyarrow"
                                         for t in frame.dtypes) or any(q in "".join(names) for q in ",\"\r\n"):
        return None
    arrays = [pa.array(frame[c].array) for c in frame.columns]
    columns = [(a if isinstance(a, pa.ChunkedArray) else pa.chunked_array([a])).cast(pa.large_string())
               for a in arrays]
    if any(pc.any(pc.match_substring_regex(col, "[,\"\r\n]")).as_py() for col in columns):
        return None
    text = pa.large_string()
    rows = pc.binary_join_element_wise(*columns, pa.scalar(",", text), null_handling="replace", null_replacement="")
    lines = pc.binary_join_element_wise(rows, pa.scalar("", text), pa.scalar("\n", text)).combine_chunks()
    # the lines back to back are the data buffer of the string array, between its first and last offset
    offsets = np.frombuffer(lines.buffers()[1], dtype=np.int64)[lines.offset:lines.offset + len(lines) + 1]
    body = lines.buffers()[2].to_pybytes()[offsets[0]:offsets[-1]]
    return ("\ufeff" + ",".join(names) + "\n").encode("utf-8") + body


def csv_bytes(frame: pd.DataFrame) -> bytes:
    fast = _plain_string_csv(frame)
    if fast is not None:
        return fast
    buf = io.StringIO()
    frame.to_csv(buf, index=False, lineterminator="\n", float_format="%.6f")
    return buf.getvalue().encode("utf-8-sig")


def parquet_bytes(frame: pd.DataFrame) -> bytes:
    sink = pa.BufferOutputStream()
    pq.write_table(pa.Table.from_pandas(frame, preserve_index=False), sink, compression="zstd")
    return sink.getvalue().to_pybytes()


def channel_files(lists: pd.DataFrame, customers: pd.DataFrame, phones: pd.DataFrame | None) -> dict[str, pd.DataFrame]:
    """``<campaign>/<channel>`` → the action rows for that channel (and ``<campaign>/control``),
    with the PII the channel may carry."""
    hall_cols = [c for c in ("home_hall_id", "district") if c in customers]
    # only the listed customers' rows of the (1M-row) customer frame take part in the merge
    listed = customers[["customer_id", "full_name_masked", "phone_no_masked", *hall_cols]]
    listed = listed[listed["customer_id"].isin(pd.Index(lists["customer_id"]).unique())]
    rows = lists.merge(listed, on="customer_id", how="left")
    # service-hall lists are matched to the hall the customer visits most, else their district
    hall = rows["home_hall_id"] if "home_hall_id" in rows else pd.Series("", index=rows.index)
    district = ("district:" + rows["district"].astype(str)) if "district" in rows else ""
    rows["hall_hint"] = hall.where(hall.notna() & (hall != ""), district).where(rows["channel_code"] == "HALL", "")
    rows["phone"] = rows["phone_no_masked"]
    if phones is not None and not phones.empty:
        clear = rows["customer_id"].map(phones.set_index("customer_id")["phone_no"])
        is_call = rows["channel_code"].isin(CLEAR_PHONE_CHANNELS) & (rows["offer_group"] == "action")
        rows.loc[is_call, "phone"] = clear[is_call]
    out: dict[str, pd.DataFrame] = {}
    for (campaign, group, channel), part in rows.groupby(["campaign_id", "offer_group", "channel_code"], sort=True):
        key = f"{campaign}/{channel}" if group == "action" else f"{campaign}/control"
        frame = part[FILE_COLUMNS] if group == "action" else part[FILE_COLUMNS].assign(
            phone=part["phone_no_masked"])
        out[key] = pd.concat([out[key], frame]) if key in out else frame
    return {k: v.sort_values(["channel_code", "channel_rank"], kind="stable").reset_index(drop=True)
            for k, v in sorted(out.items())}


def write_run(root: Path, run_id: str, files: dict[str, pd.DataFrame], suppressed: pd.DataFrame,
              funnel: pd.DataFrame, extra_manifest: dict) -> dict:
    """Write every file under ``root/run_id`` and the manifest; returns the manifest."""
    folder = root / run_id
    folder.mkdir(parents=True, exist_ok=True)
    checksums, rows = {}, {}
    outputs = dict(files)
    outputs["suppression_log"] = suppressed
    for key, frame in outputs.items():
        for suffix, data in ((".csv", csv_bytes(frame)), (".parquet", parquet_bytes(frame))):
            path = folder / f"{key}{suffix}"
            path.parent.mkdir(parents=True, exist_ok=True)
            path.write_bytes(data)
            checksums[f"{key}{suffix}"] = _sha256(data)
        rows[key] = len(frame)
    manifest = {
        "run_id": run_id,
        **extra_manifest,
        "funnel": funnel.to_dict(orient="records"),
        "control_size": {r["campaign_id"]: int(r["control"]) for r in funnel.to_dict(orient="records")},
        "suppression_reasons": suppressed.groupby(["campaign_id", "reason"]).size().rename("count").reset_index()
        .to_dict(orient="records"),
        "rows": rows,
        "sha256": checksums,
    }
    (folder / "manifest.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False, sort_keys=True,
                                                     default=str) + "\n", encoding="utf-8")
    return manifest


def write_table(con: duckdb.DuckDBPyConnection, lists: pd.DataFrame, run_id: str, run_date: object,
                table: str = "rpt_campaign_list") -> int:
    """Replace this run's rows of ``campaigns.<table>`` (other runs stay: the cap reads them)."""
    frame = lists.assign(run_id=run_id, run_date=pd.Timestamp(run_date).date(),
                         list_month=pd.Timestamp(run_date).replace(day=1).date())
    frame = frame[["run_id", "run_date", "list_month", *[c for c in lists.columns]]]
    con.register("_list_rows", frame)
    try:
        ensure_table(con, f"campaigns.{table}", "_list_rows", LIST_TABLE_TYPES)
        con.execute(f"delete from campaigns.{table} where run_id = ?", [run_id])
        con.execute(f"insert into campaigns.{table} by name select * from _list_rows")
    finally:
        con.unregister("_list_rows")
    con.execute(f"comment on table campaigns.{table} is {_quote(TABLE_COMMENT)}")
    for col, text in COLUMN_COMMENTS.items():
        con.execute(f"comment on column campaigns.{table}.{col} is {_quote(text)}")
    return len(frame)


def write_frame(con: duckdb.DuckDBPyConnection, frame: pd.DataFrame, table: str, run_id: str) -> None:
    """Replace this run's rows of ``campaigns.<table>`` (suppression log, funnel, evaluation)."""
    frame = frame.assign(run_id=run_id)
    con.register("_rows", frame)
    try:
        ensure_table(con, f"campaigns.{table}", "_rows")
        con.execute(f"delete from campaigns.{table} where run_id = ?", [run_id])
        con.execute(f"insert into campaigns.{table} by name select * from _rows")
    finally:
        con.unregister("_rows")
