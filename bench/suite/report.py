"""The results table: min/median/max per side, the ratio of medians, the target and whether it is met."""
from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import Callable

from bench.suite.scenarios import Results


@dataclass(frozen=True)
class Row:
    label: str
    ours: str  # results key of our value (side "ours")
    ref: str | None  # results key of the reference value
    ref_label: str
    target: str
    met: Callable[[float, float], bool] | None = None  # (ours median, ref median) -> met
    ref_side: str = "ref"


ROWS = [
    Row("server CPU per relayed event, µs (sequential streams of N unpaced tokens)", "cpu_event", "cpu_event",
        "ref_proxy", "≤ 1.0× ref", lambda o, r: o <= r),
    Row("events/s, concurrent unpaced streams", "events_s", "events_s", "ref_proxy", "≥ 1.0× ref",
        lambda o, r: o >= r),
    Row("time to first event p50, ms (10-token replies, sequential)", "ttfe", "ttfe", "ref_proxy", "≤ ref + 3 ms",
        lambda o, r: o <= r + 3),
    Row("server CPU per chat request, ms (10-token replies)", "cpu_request", "cpu_request", "ref_proxy", "report"),
    Row("paced streams held (p99 first event < 1 s, 0 errors)", "paced_held", "paced_held", "ref_proxy",
        "≥ 1.0× ref", lambda o, r: o >= r),
    Row("worker RSS per paced stream, KiB (at the largest step held)", "mem_stream", "mem_stream", "ref_proxy",
        "report"),
    Row("GET /api/passport req/s (wrk -c50)", "passport_rps", "passport_rps", "ref_json (JWT)", "≥ 0.5× ref",
        lambda o, r: o >= 0.5 * r),
    Row("GET /api/site req/s (wrk -c50)", "site_rps", "site_rps", "ref_json", "≥ 0.5× ref",
        lambda o, r: o >= 0.5 * r),
    Row("GET /api/parameters req/s (wrk -c50)", "parameters_rps", "parameters_rps", "ref_json", "≥ 0.5× ref",
        lambda o, r: o >= 0.5 * r),
    Row("rows written per passport issued (end_users + sessions)", "passport_rows", None, "", "0",
        lambda o, r: o == 0),
    Row("GET /api/conversations p99, ms (seeded user)", "conv_p99", None, "", "< 20 ms", lambda o, r: o < 20),
    Row("GET /api/messages p99, ms (seeded table)", "msg_p99", None, "", "< 20 ms", lambda o, r: o < 20),
    Row("connections idle in transaction (max during concurrent streams)", "idle_tx", None, "", "0",
        lambda o, r: o == 0),
    Row("workflow POST -> workflow_started p50, ms (1 worker)", "wf_start", "wf_start_simple",
        "bare RQ enqueue -> start, SimpleWorker", "≤ ref + 10 ms", lambda o, r: o <= r + 10),
    Row("workflow POST -> workflow_started p50, ms (1 worker)", "wf_start", "wf_start_forking",
        "bare RQ enqueue -> start, forking Worker", "report"),
    Row("workflow runs/s, 8 clients, 1 worker", "wf_rate_1", "wf_rate_1_forking", "bare RQ jobs/s, forking",
        "report"),
    Row("workflow runs/s, 8 clients, 1 worker", "wf_rate_1", "wf_rate_1_simple", "bare RQ jobs/s, SimpleWorker",
        "report"),
    Row("workflow runs/s, 8 clients, 2 workers", "wf_rate_2", "wf_rate_2_forking", "bare RQ jobs/s, forking",
        "report"),
    Row("workflow runs/s, 8 clients, 2 workers", "wf_rate_2", "wf_rate_2_simple", "bare RQ jobs/s, SimpleWorker",
        "report"),
    Row("load generator CPU per event, µs (flood; must stay well under the servers')", "client_cpu_event",
        "client_cpu_event", "same, on ref_proxy", "report", ref_side="ref"),
    Row("client + ref_upstream ceiling, events/s (flood read directly)", "ceiling", "events_s",
        "ref_proxy events/s", "≥ 2× ref", lambda o, r: o >= 2 * r, ref_side="ref"),
]


def _fmt(value: float) -> str:
    if math.isnan(value):
        return "n/a"
    return f"{value:,.0f}" if abs(value) >= 100 else f"{value:.2f}" if abs(value) < 10 else f"{value:.1f}"


def _span(values: list[float]) -> tuple[str, float]:
    values = [v for v in values if not math.isnan(v)]
    if not values:
        return "—", float("nan")
    median = statistics.median(values)
    return f"{_fmt(min(values))} / **{_fmt(median)}** / {_fmt(max(values))}", median


def _row(row: Row, results: Results) -> str | None:
    ours_values = results.values.get(row.ours, {}).get("ours", [])
    if not ours_values:
        return None
    ours, o = _span(ours_values)
    ref, r = _span(results.values.get(row.ref, {}).get(row.ref_side, []) if row.ref else [])
    ratio = _fmt(o / r) + "×" if row.ref and r else "—"
    met = "—" if row.met is None or math.isnan(o) else ("yes" if row.met(o, r) else "**no**")
    return f"| {row.label} | {ours} | {row.ref_label} | {ref} | {ratio} | {row.target} | {met} |"


def table(results: Results) -> str:
    lines = ["| measure | ours min / **median** / max | reference | ref min / **median** / max | ours/ref | target "
             "| met |", "|---|---:|---|---:|---:|---|---|"]
    return "\n".join(lines + [line for row in ROWS if (line := _row(row, results))])
