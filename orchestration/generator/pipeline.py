"""``generate``: build the synthetic operator, then write every landing table and the truth.

Order: reference data → customers (latent truth) → holdings and campaigns → usage day by day →
bills and payments → service contacts → CRM extracts → ``_truth``. Every component draws from
its own numpy Generator seeded by (seed, component name), so output is byte-for-byte
reproducible and independent of how other components consume randomness.
"""

from __future__ import annotations

import shutil
import time
import zlib
from contextlib import nullcontext
from pathlib import Path

import numpy as np
import pyarrow as pa

from orchestration.generator import billing, channels, contact_centre, crm, holdings, marketing, truth
from orchestration.generator.arrow_columns import fixed_width_strings
from orchestration.generator.calendar import build_window, plan_anomalies
from orchestration.generator.catalog import PLAN_IDS, products_columns
from orchestration.generator.config import GenerateResult, GeneratorConfig
from orchestration.generator.landing_writer import LandingWriter
from orchestration.generator.mobility import Mobility
from orchestration.generator.people import build_agents, build_enterprises
from orchestration.generator.places import build_cells, build_halls, cells_columns, halls_columns
from orchestration.generator.population import build_population
from orchestration.generator.seed_codes import load_seed_codes
from orchestration.generator.usage import UsageState, build_number_book, simulate_day
from orchestration.landing.contracts import CONTRACTS, contract

US = 1_000_000


def _rng(seed: int, name: str) -> np.random.Generator:
    return np.random.default_rng([seed, zlib.crc32(name.encode())])


def ids(prefix: str, width: int, index: np.ndarray) -> pa.Array:
    """Ids ``prefix`` + (index + 1); null where index < 0."""
    index = np.asarray(index, dtype=np.int64)
    arr = fixed_width_strings(prefix, np.maximum(index, 0) + 1, width)
    return arr.take(pa.array(np.arange(len(index)), mask=index < 0)) if (index < 0).any() else arr


def _ts(us: np.ndarray) -> np.ndarray:
    """int64 microseconds (int64 min = null) as datetime64[us] (NaT = null)."""
    us = np.asarray(us, dtype=np.int64)
    return us.view("datetime64[us]")


def _clean(out: Path) -> None:
    for folder in sorted({c.source for c in CONTRACTS} | {"_truth"}):
        if (out / folder).exists():
            shutil.rmtree(out / folder)
    out.mkdir(parents=True, exist_ok=True)


def _progress(enabled: bool):  # noqa: ANN202 - rich Progress or a no-op stand-in
    if not enabled:
        return nullcontext(None)
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    return Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn())


def generate(config: GeneratorConfig, progress: bool = False) -> GenerateResult:
    """Write a complete landing folder for ``config`` and return what was written."""
    started = time.perf_counter()
    out = Path(config.out)
    _clean(out)
    seeds = load_seed_codes()
    truth.check_seed_codes(seeds)
    window = build_window(config.start_month, config.months, seeds)
    window.anomalies = plan_anomalies(window, _rng(config.seed, "anomalies"))
    writer = LandingWriter(out, {"day": window.n_days, "month": window.n_months, "full": 1}, config.seed,
                           config.bad_row_share)
    w = lambda name, part, cols: writer.write(contract(name), part, cols)  # noqa: E731
    months = [window.month_label(m) for m in range(window.n_months)]
    days = [window.day_label(d) for d in range(window.n_days)]

    with _progress(progress) as bar:
        step = (lambda desc, total: bar.add_task(desc, total=total)) if bar else (lambda d, t: None)
        advance = (lambda task, k=1: bar.advance(task, k)) if bar else (lambda task, k=1: None)

        task = step("reference data", 6)
        cells = build_cells(config.customers, seeds, _rng(config.seed, "cells"))
        cell_ids = np.array([f"CELL{c:05d}" for c in cells.cell_no])
        halls = build_halls(cells, _rng(config.seed, "halls"))
        agents = build_agents(window.start, _rng(config.seed, "agents"))
        enterprises = build_enterprises(max(5, round(config.customers * 0.015)), agents, window.start,
                                        _rng(config.seed, "enterprises"))
        w("catalog__products", "full", products_columns())
        w("network__cells", "full", cells_columns(cells, cell_ids))
        w("halls__service_halls", "full", halls_columns(halls, cells, cell_ids, ids("HALL", 3, np.arange(len(halls)))))
        w("callcenter__agents", "full", crm.agents_columns(agents))
        w("crm__enterprises", "full", crm.enterprises_columns(enterprises))
        advance(task, 6)

        task = step("customers and holdings", 3)
        pop = build_population(config.customers, window, seeds, cells, halls, enterprises,
                               _rng(config.seed, "population"))
        customer_ids = fixed_width_strings("CU", np.arange(1, pop.n + 1), 8)
        advance(task)
        held = holdings.build_holdings(pop, window, enterprises.signed, _rng(config.seed, "holdings"))
        campaigns, offers, uplift = marketing.run_campaigns(pop, window, held, agents, _rng(config.seed, "marketing"))
        subs = holdings.finalise(held, pop, window)
        assert held.plan_by_month is not None
        advance(task)
        _write_campaigns(w, campaigns, offers, customer_ids, window, months)
        advance(task)

        task = step("usage by day", window.n_days)
        book = build_number_book(pop, seeds, _rng(config.seed, "numbers"))
        mobility = Mobility(pop, cells, _rng(config.seed, "mobility"))
        state = UsageState()
        cell_id_arr = pa.array(cell_ids, pa.string())
        for d in range(window.n_days):
            rng = _rng(config.seed, f"usage-{d}")
            day = simulate_day(pop, book, window, d, state, rng)
            day.daily["customer_id"] = customer_ids.take(pa.array(day.daily["customer_id"]))
            day.calls["caller_customer_id"] = customer_ids.take(pa.array(day.calls["caller_customer_id"]))
            day.content["customer_id"] = customer_ids.take(pa.array(day.content["customer_id"]))
            day.content["visit_date"] = np.full(len(day.content["visits"]), window.days[d])
            w("usage__daily_usage", days[d], day.daily)
            w("usage__call_records", days[d], day.calls)
            w("usage__content_visits", days[d], day.content)
            seen = mobility.day(d, bool(window.is_rest[d]), rng)
            w("usage__cell_sightings", days[d], {
                "customer_id": customer_ids.take(pa.array(seen["customer_id"])),
                "sighting_date": np.full(len(seen["events"]), window.days[d]),
                "cell_id": cell_id_arr.take(pa.array(seen["cell_id"])),
                "time_band": seen["time_band"], "events": seen["events"]})
            advance(task)

        task = step("bills, contacts, CRM", 4)
        bills = billing.rate_bills(pop, window, state.month, subs, held.plan_by_month)
        tiers = billing.member_tiers(bills, _rng(config.seed, "tiers"))
        paid = billing.settle(pop, window, bills, _rng(config.seed, "payments"))
        _write_billing(w, bills, paid, customer_ids, window, months)
        advance(task)
        rng = _rng(config.seed, "contacts")
        complaint = contact_centre.complaints(pop, window, rng)
        calls = contact_centre.hotline_calls(pop, window, agents, complaint, rng)
        in_window = np.isin(subs["product"], PLAN_IDS) & (subs["start"] >= window.start) & \
            (subs["start"] > pop.join[subs["customer"]])  # a new line's first plan is no change
        plan_changes = {"customer": subs["customer"][in_window], "channel": subs["channel"][in_window],
                        "day": (subs["start"][in_window] - window.start).astype(np.int64)}
        visits = channels.hall_visits(pop, window, len(halls), plan_changes, complaint, rng)
        sessions = channels.app_sessions(pop, window, rng)
        queries = channels.sms_queries(pop, window, rng)
        _write_contacts(w, complaint, calls, visits, sessions, queries, customer_ids, days)
        advance(task)
        status, since = crm.customer_status(pop, window, paid)
        dnd = np.tile(pop.dnd, (window.n_months, 1))
        harassed = complaint["category"] == "marketing_harassment"
        for c, d in zip(complaint["customer"][harassed].tolist(), complaint["day"][harassed].tolist()):
            dnd[window.month_of_day[d]:, c] = True
        for m in range(window.n_months):
            w("crm__customers", months[m], crm.customers_columns(pop, window, m, status, since, held.plan_by_month,
                                                                 tiers, dnd, customer_ids))
            ext = holdings.month_extract(subs, window.month_end(m))
            w("crm__subscriptions", months[m], {
                "subscription_id": fixed_width_strings("SB", ext["subscription_no"], 9),
                "customer_id": customer_ids.take(pa.array(ext["customer"])),
                "product_id": ext["product"].astype(str), "start_date": ext["start"], "end_date": ext["end"],
                "order_channel": ext["channel"].astype(str)})
        advance(task)
        truth.write_truth(out, config, window, pop, cells, cell_ids, subs, status, uplift, bills, writer)
        advance(task)

    return GenerateResult(out=out, files_written=len(writer.files), rows=dict(sorted(writer.rows.items())),
                          bad_rows={k: dict(sorted(v.items())) for k, v in sorted(writer.bad.items())},
                          elapsed_seconds=round(time.perf_counter() - started, 2), files=list(writer.files))


def _by_day(events: dict[str, np.ndarray], n_days: int) -> list[slice]:
    bounds = np.searchsorted(events["day"], np.arange(n_days + 1), side="left")
    return [slice(int(bounds[d]), int(bounds[d + 1])) for d in range(n_days)]


def _stable_by_day(events: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    order = np.argsort(events["day"], kind="stable")
    return {k: v[order] for k, v in events.items()}


def _write_campaigns(w, campaigns, offers, customer_ids, window, months) -> None:  # noqa: ANN001
    w("marketing__campaigns", "full", {
        "campaign_id": [f"CMP{c['campaign_no']:04d}" for c in campaigns],
        "campaign_name": [c["name"] for c in campaigns], "product_id": [c["product"] for c in campaigns],
        "channel_code": [c["channel"] for c in campaigns], "target_description": [c["target"] for c in campaigns],
        "start_date": np.array([c["start"] for c in campaigns]), "end_date": np.array([c["end"] for c in campaigns]),
        "control_share": np.array([c["control_share"] for c in campaigns]),
        "cost_yuan": np.array([c["cost"] for c in campaigns], dtype=float)})
    offered = offers["offered"].astype(np.int64)
    order = np.lexsort((offers["customer"], offers["campaign"], offered))
    o = {k: v[order] for k, v in offers.items()}
    month = window.month_of_day[((o["offered"] // (86400 * US)) - window.start.astype(np.int64)).astype(int)]
    numbers = np.arange(1, len(order) + 1)
    for m in range(window.n_months):
        s = month == m
        w("marketing__offers", months[m], {
            "offer_id": fixed_width_strings("OF", numbers[s], 9), "campaign_id": ids("CMP", 4, o["campaign"][s]),
            "customer_id": customer_ids.take(pa.array(o["customer"][s])),
            "offer_group": np.where(o["group"][s], "control", "action"), "channel_code": o["channel"][s].astype(str),
            "offered_at": _ts(o["offered"][s]), "response": o["response"][s].astype(str),
            "responded_at": _ts(o["responded"][s]), "agent_id": ids("AG", 4, o["agent"][s])})


def _write_billing(w, bills, paid, customer_ids, window, months) -> None:  # noqa: ANN001
    next_payment = 1
    for m in range(window.n_months):
        it = bills.items[m]
        w("billing__bill_items", months[m], {
            "customer_id": customer_ids.take(pa.array(it["customer"])),
            "bill_month": np.full(len(it["customer"]), window.month_starts[m]),
            "bill_item_code": it["code"].astype(str), "amount_yuan": it["amount"], "quantity": it["quantity"]})
        p = paid.payments[m]
        k = len(p["customer"])
        w("billing__payments", months[m], {
            "payment_id": fixed_width_strings("PY", np.arange(next_payment, next_payment + k), 9),
            "customer_id": customer_ids.take(pa.array(p["customer"])), "paid_at": _ts(p["paid_at"]),
            "payment_method": p["method"].astype(str), "amount_yuan": p["amount"]})
        next_payment += k
        a = paid.arrears[m]
        w("billing__arrears", months[m], {
            "customer_id": customer_ids.take(pa.array(a["customer"])),
            "as_of_month": np.full(len(a["customer"]), window.month_starts[m]),
            "arrears_yuan": a["amount"], "days_overdue": a["days_overdue"]})


def _write_contacts(w, complaint, calls, visits, sessions, queries, customer_ids, days) -> None:  # noqa: ANN001
    def cust(index: np.ndarray) -> pa.Array:
        return customer_ids.take(pa.array(index, mask=index < 0))

    tables = [("service__complaints", "CP", complaint), ("callcenter__hotline_calls", "HL", calls),
              ("halls__hall_visits", "HV", visits), ("digital__app_sessions", "AS", sessions),
              ("digital__sms_queries", "SQ", queries)]
    for name, prefix, events in tables:
        events = _stable_by_day(events)
        number = np.arange(1, len(events["day"]) + 1)
        for d, s in enumerate(_by_day(events, len(days))):
            e = {k: v[s] for k, v in events.items()}
            key = fixed_width_strings(prefix, number[s], 9)
            w(name, days[d], _columns(name, key, e, cust))


def _columns(name: str, key: pa.Array, e: dict[str, np.ndarray], cust) -> dict[str, object]:  # noqa: ANN001
    if name == "service__complaints":
        return {"complaint_id": key, "customer_id": cust(e["customer"]), "opened_at": _ts(e["opened"]),
                "channel_code": e["channel"].astype(str), "category": e["category"].astype(str),
                "severity": e["severity"].astype(str), "resolved_at": _ts(e["resolved"]),
                "description": list(e["description"])}
    if name == "callcenter__hotline_calls":
        return {"call_id": key, "customer_id": cust(e["customer"]), "started_at": _ts(e["started"]),
                "ivr_path": list(e["path"]), "ivr_seconds": e["ivr_seconds"], "transferred_to_agent": e["transferred"],
                "abandoned": e["abandoned"], "wait_seconds": e["wait"], "handle_seconds": e["handle"],
                "agent_id": ids("AG", 4, e["agent"]), "purpose": list(e["purpose"]), "purpose_note": list(e["note"]),
                "resolved": e["resolved"], "satisfaction_score": e["score"]}
    if name == "halls__hall_visits":
        return {"visit_id": key, "customer_id": cust(e["customer"]), "hall_id": ids("HALL", 3, e["hall"]),
                "visited_at": _ts(e["visited"]), "business_type": e["business"].astype(str),
                "wait_minutes": e["wait"]}
    if name == "digital__app_sessions":
        return {"session_id": key, "customer_id": cust(e["customer"]), "channel_code": e["channel"].astype(str),
                "started_at": _ts(e["started"]), "duration_seconds": e["duration"], "pages_viewed": e["pages"],
                "action": e["action"].astype(str)}
    return {"query_id": key, "customer_id": cust(e["customer"]), "sent_at": _ts(e["sent"]),
            "query_code": e["code"].astype(str)}
