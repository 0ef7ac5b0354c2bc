"""One run's results as latest.json (every number), latest.md (the tables) and latest.png (the chart)."""

from __future__ import annotations

import json
import textwrap
from pathlib import Path

from targets import TARGET_CONNECTIONS, Target

README_START = "<!-- benchmark results: written by benchmarks/run.py --update-readme -->"
README_END = "<!-- end of benchmark results -->"
LABELS = {"mock": "mock", "ceiling": "ceiling", "equal-io": "equal-I/O", "prism": "Prism", "wiremock": "WireMock"}


def _n(value: float | None, digits: int = 0) -> str:
    return "-" if value is None else f"{value:,.{digits}f}"


def _machine(results: dict) -> str:
    m, s = results["machine"], results["settings"]
    p = m["packages"]
    return (
        f"Run {m['date']} on {m['cpu']}, {m['cores']} cores, {m['memory_gib']} GiB, Linux {m['kernel']}; "
        f"Python {m['python']}, uvicorn {p['uvicorn']}, starlette {p['starlette']}, httptools {p['httptools']}, "
        f"uvloop {p['uvloop']}, orjson {p['orjson']}; node {m['node']}, {m['java']}; commit {m['commit']}.\n"
        f"Servers pinned to core {s['server_core']}, {m['wrk']} to core {s['load_core']} (one thread), loopback. "
        f"{s['seconds']} s per measurement, median of {s['rounds']} round(s) with the contenders' order reversed "
        f"every other round, after {s['warmup']} s of warm-up per request. Load average before the run "
        f"{m['load_average']}, after {results.get('load_average_after', '?')}."
    )


def _cell(row: dict | None) -> str:
    if row is None:
        return "-"
    text = f"{row['rps']:,.0f} ({row['p50_ms']:.1f} / {row['p99_ms']:.1f})"
    return text if row["valid"] else f"~~{text}~~ mostly non-2xx"


def _ratio(mock: dict | None, other: dict | None) -> str:
    if not (mock and other and mock["valid"] and other["valid"] and other["rps"]):
        return "-"
    return f"{mock['rps'] / other['rps']:.2f}"


def throughput_table(results: dict) -> list[str]:
    rows = results.get("throughput", [])
    if not rows:
        return []
    names = [n for n in LABELS if n in {r["contender"] for r in rows}]
    index = {(r["contender"], r["scenario"], r["connections"]): r for r in rows}
    peers = [n for n in names if n != "mock"]
    lines = [
        "### Throughput: req/s (p50 / p99 latency, ms)",
        "",
        "| request | conns | " + " | ".join(LABELS[n] for n in names) + " | " + " | ".join(f"mock/{LABELS[p]}" for p in peers) + " |",
        "|---|--:|" + "--:|" * (len(names) + len(peers)),
    ]
    for key, title in dict.fromkeys((r["scenario"], r["title"]) for r in rows):
        for conns in sorted({r["connections"] for r in rows if r["scenario"] == key}):
            cells = [_cell(index.get((n, key, conns))) for n in names]
            ratios = [_ratio(index.get(("mock", key, conns)), index.get((p, key, conns))) for p in peers]
            bold = "**" if conns == TARGET_CONNECTIONS else ""
            lines.append(f"| {title} | {bold}{conns}{bold} | " + " | ".join(cells + ratios) + " |")
    errors = ", ".join(
        f"{LABELS[n]} {sum(r['non_2xx'] for r in rows if r['contender'] == n):,} non-2xx and "
        f"{sum(r['socket_errors'] for r in rows if r['contender'] == n):,} socket errors in "
        f"{sum(r['requests'] for r in rows if r['contender'] == n):,} requests"
        for n in names
    )
    probes = "; ".join(
        f"{LABELS[n]} " + " ".join(str(s) for s in statuses.values()) for n, statuses in results.get("probes", {}).items()
    )
    lines += ["", f"Answers during the load: {errors}.", f"Status of one of each request before the load (in table order): {probes}."]
    return lines


def memory_table(results: dict) -> list[str]:
    c = {n: v for n, v in results.get("contenders", {}).items() if "idle_rss_mb" in v}
    if not c:
        return []
    names = [n for n in LABELS if n in c]
    return [
        "### Memory (RSS of the server process and its children, MB)",
        "",
        "| | " + " | ".join(LABELS[n] for n in names) + " |",
        "|---|" + "--:|" * len(names),
        "| idle, after start | " + " | ".join(_n(c[n]["idle_rss_mb"]) for n in names) + " |",
        "| after the load run | " + " | ".join(_n(c[n].get("after_rss_mb")) for n in names) + " |",
    ]


def batch_table(results: dict) -> list[str]:
    batch = results.get("batch_scaling")
    if not batch:
        return []
    lines = [
        f"### Batch scaling (mock, events upsert, {batch['connections']} connection)",
        "",
        "| items per batch | req/s | per item (µs) | p50 (ms) | p99 (ms) |",
        "|--:|--:|--:|--:|--:|",
    ]
    for r in batch["rows"]:
        lines.append(f"| {r['items']:,} | {_n(r['rps'], 1)} | {_n(r['per_item_us'], 2)} | {r['p50_ms']:.2f} | {r['p99_ms']:.2f} |")
    return lines + ["", batch["note"] + "."]


def state_table(results: dict) -> list[str]:
    state = results.get("state_scaling")
    if not state:
        return []
    rss, records = state["rss"], f"{state['records']:,}"
    lines = [
        f"### State scaling (mock, {records} subscriber records: {state['contacts']:,} contacts, {state['events']} events)",
        "",
        f"| | empty | {records} records | loaded / empty |",
        "|---|--:|--:|--:|",
        f"| RSS idle (MB) | {_n(rss['empty']['idle_mb'])} | {_n(rss['loaded']['idle_mb'])} | |",
        f"| RSS after the load (MB) | {_n(rss['empty'].get('after_mb'))} | {_n(rss['loaded'].get('after_mb'))} | |",
    ]
    for r in state["rows"]:
        e, l = r["empty"], r["loaded"]
        cost = "-" if r["cost_ratio"] is None else f"cost {r['cost_ratio']:.2f} x"
        lines.append(
            f"| {r['title']}, {state['connections']} conns: req/s (p99 ms) | {e['rps']:,.0f} ({e['p99_ms']:.1f}) "
            f"| {l['rps']:,.0f} ({l['p99_ms']:.1f}) | {cost} |"
        )
    return lines + [
        "",
        (
            f"The state file ({state['file_mib']:.0f} MiB) was built in {state['build_s']:.0f} s; "
            f"`hubspot-mock --state` restored it and answered in {state['restore_s']:.1f} s."
        ),
    ]


def startup_table(results: dict) -> list[str]:
    startup = results.get("startup")
    if not startup:
        return []
    cli, fixture = startup["cli"], startup["fixture"]
    return [
        "### Start-up",
        "",
        "| | median | runs |",
        "|---|--:|---|",
        f"| `hubspot-mock`: process spawn to first 200 | {cli['median_s']:.2f} s | {', '.join(f'{t:.2f}' for t in cli['runs_s'])} |",
        (
            f"| `hubspot_mock` fixture, first test: session server start + reset | {fixture['first_setup_median_ms']:.0f} ms "
            f"| {', '.join(f'{t:.0f}' for t in fixture['first_setup_ms'])} |"
        ),
        f"| `hubspot_mock` fixture, every later test: reset | {fixture['reset_median_ms']:.2f} ms | {fixture['tests_per_run'] - 1} tests per run |",
    ]


def in_process_table(results: dict) -> list[str]:
    rows = results.get("in_process")
    if not rows:
        return []
    lines = ["### In process (the mock's own Python, no sockets: benchmarks/in_process.py)", "", "| request | µs per call | rounds (µs) |", "|---|--:|---|"]
    for key, r in rows.items():
        lines.append(f"| {key} | {r['median_us']:.1f} | {', '.join(f'{x:.1f}' for x in r['rounds_us'])} ({r['calls']:,} calls each) |")
    return lines


def targets_table(targets: list[Target]) -> list[str]:
    lines = ["### Targets", "", "| target | measured | |", "|---|--:|---|"]
    return lines + [f"| {t.goal} | {t.measured} | {t.verdict} |" for t in targets]


def _footnotes(results: dict) -> list[str]:
    lines = []
    if results.get("contenders"):
        versions = "; ".join(f"{LABELS[n]}: {c['version']}" for n, c in results["contenders"].items())
        lines.append(f"Contenders: {versions}.")
    for phase, error in results.get("failed_phases", {}).items():
        lines.append(f"Phase `{phase}` failed: {error.splitlines()[0]}")
    return lines


def markdown(results: dict, targets: list[Target]) -> str:
    sections = [
        ["## Benchmark results", "", _machine(results)],
        throughput_table(results),
        memory_table(results),
        batch_table(results),
        state_table(results),
        startup_table(results),
        in_process_table(results),
        targets_table(targets),
        _footnotes(results),
    ]
    return "\n\n".join("\n".join(s) for s in sections if s) + "\n"


def chart(results: dict, path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    fig, (bars, batch) = plt.subplots(1, 2, figsize=(15, 5), gridspec_kw={"width_ratios": [2, 1]})
    rows = [r for r in results.get("throughput", []) if r["connections"] == TARGET_CONNECTIONS]
    scenarios = list(dict.fromkeys((r["scenario"], r["title"]) for r in rows))
    names = [n for n in LABELS if n in {r["contender"] for r in rows}]
    width = 0.8 / max(len(names), 1)
    for i, name in enumerate(names):
        values = [
            next((r["rps"] if r["valid"] else 0 for r in rows if (r["contender"], r["scenario"]) == (name, key)), 0)
            for key, _ in scenarios
        ]
        bars.bar([x + i * width for x in range(len(scenarios))], values, width, label=LABELS[name])
    bars.set_xticks([x + width * (len(names) - 1) / 2 for x in range(len(scenarios))])
    bars.set_xticklabels([textwrap.fill(title, 20) for _, title in scenarios], fontsize=8)
    bars.set_ylabel("req/s")
    bars.set_title(f"Throughput at {TARGET_CONNECTIONS} connections (higher is better)")
    bars.legend()
    batch_rows = [r for r in results.get("batch_scaling", {}).get("rows", []) if r["per_item_us"]]
    if batch_rows:
        batch.plot([r["items"] for r in batch_rows], [r["per_item_us"] for r in batch_rows], marker="o")
        batch.set_xscale("log")
        batch.set_yscale("log")
    batch.set_xlabel("items per batch")
    batch.set_ylabel("µs per item")
    batch.set_title("Mock: events upsert cost per item (1 connection)")
    batch.grid(True, which="both", alpha=0.3)
    fig.suptitle(f"HubSpot Marketing Events mock benchmark, {results['machine']['date']}, {results['machine']['cpu']}")
    fig.tight_layout()
    fig.savefig(path, dpi=100)
    plt.close(fig)


def write(results: dict, targets: list[Target], out: Path) -> str:
    out.mkdir(parents=True, exist_ok=True)
    (out / "latest.json").write_text(json.dumps(results, indent=1) + "\n")
    text = markdown(results, targets)
    (out / "latest.md").write_text(text)
    chart(results, out / "latest.png")
    return text


def update_readme(readme: Path, text: str) -> None:
    """Put the results between the README's two markers, headings one level down (they sit under
    `## Benchmarks` there)."""
    content = readme.read_text()
    if README_START not in content or README_END not in content:
        raise ValueError(f"{readme}: no benchmark results markers to write between")
    body = "\n".join("#" + line if line.startswith("##") else line for line in text.splitlines()[2:])
    head, rest = content.split(README_START, 1)
    tail = rest.split(README_END, 1)[1]
    readme.write_text(f"{head}{README_START}\n{body.strip()}\n{README_END}{tail}")
