"""Load benchmark of the HTTP API: a real `eligibility serve` on 127.0.0.1, driven by an httpx async client.

Not a test (nothing here asserts); it prints, for each phase, p50/p95/p99
latency, throughput and error count:

1. single decisions, open loop at ``--rate`` requests/s for ``--duration`` s;
   latency is measured from the moment a request was *scheduled*, so a
   server (or client) that falls behind shows up as latency, not as a
   quietly lower rate;
2. the highest sustainable rate: open-loop steps of ``--step-duration`` s at
   rising rates; a step is sustained when it has no errors, reaches 95 % of
   the rate and keeps p99 under ``--p99-limit`` ms;
3. a batch of 1 000 cases (``/v1/decisions/batch``), ``--batch-repeats``
   times, with and without the Swedish texts;
4. server RSS before and after ``--total`` requests in all (a closed loop
   tops up the count), to show memory stays flat.

The load generator shares the machine with the server (2 cores here): the
numbers include the client's CPU. Cases are the deterministic valid cases of
tests/random_cases.py. Results go in docs/performance.md (section API).

    .venv/bin/python benchmarks/bench_api.py            # full run, a few minutes
    .venv/bin/python benchmarks/bench_api.py --quick    # a smoke run, ~30 s
    .venv/bin/python benchmarks/bench_api.py --fixed-only --rate 200 --duration 30 --runs 5 --exact

``--exact`` sends the single decisions as ``POST /v1/decisions?exact=true``
(decision/exact.py). ``--fixed-only`` runs only phase 1 (open loop at
``--rate`` for ``--duration`` s), ``--runs`` times on one server after one
warm-up, and prints each run's p50/p99, the server's CPU time per request
(from ``/proc/PID/stat``) and the medians; with ``--alternate`` the runs
alternate exact and Kleene decisions (exact, Kleene, exact, ...), so both
see the same load of this shared machine. The client (this process) and the
server are separate processes.

``--nodelay`` (a diagnostic) starts the server through
``benchmarks/serve_nodelay.py``, which sets TCP_NODELAY on each accepted
connection: ``api/server.py``'s listening socket has protocol 0, so asyncio
never sets it, and every response waits ~40 ms for the client's delayed ACK
(see that file).
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import statistics
import subprocess
import sys
import time
from pathlib import Path

import httpx

sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
from load_helpers import free_port as _free_port, percentile as _pct, rss_mb as _rss_mb  # noqa: E402
from random_cases import generate_cases  # noqa: E402

BIN = Path(sys.executable).parent / "eligibility"
MAX_IN_FLIGHT = 32  # open loop: more unanswered requests than this = overload (counted as errors)


def _report(name: str, latencies_ms: list[float], errors: int, elapsed: float) -> dict[str, float]:
    result = {"requests": len(latencies_ms) + errors, "errors": errors,
              "throughput_rps": round((len(latencies_ms) + errors) / elapsed, 1),
              "p50_ms": round(_pct(latencies_ms, 50), 2), "p95_ms": round(_pct(latencies_ms, 95), 2),
              "p99_ms": round(_pct(latencies_ms, 99), 2), "max_ms": round(max(latencies_ms, default=0), 2)}
    print(f"{name:<34} n={result['requests']:>6}  {result['throughput_rps']:>7.1f} req/s  "
          f"p50 {result['p50_ms']:>6.2f}  p95 {result['p95_ms']:>6.2f}  p99 {result['p99_ms']:>6.2f}  "
          f"max {result['max_ms']:>7.2f} ms  errors {errors}", flush=True)
    return result


class Load:
    """Sends single-decision requests and counts them."""

    def __init__(self, client: httpx.AsyncClient, bodies: list[bytes], exact: bool = False) -> None:
        self.client = client
        self.bodies = bodies
        self.sent = 0
        self.path = "/v1/decisions?exact=true" if exact else "/v1/decisions"

    async def one(self) -> tuple[bool, float]:
        body = self.bodies[self.sent % len(self.bodies)]
        self.sent += 1
        start = time.perf_counter()
        try:
            response = await self.client.post(self.path, content=body,
                                              headers={"content-type": "application/json"})
            ok = response.status_code == 200
        except httpx.HTTPError:
            ok = False
        return ok, start

    async def open_loop(self, rate: float, duration: float) -> tuple[list[float], int, float]:
        """Send at ``rate``; a request due while ``MAX_IN_FLIGHT`` are unanswered counts as an error.

        Without that cap an overloaded server makes the client queue grow
        without bound (and httpx's pool slows down with its queue), so the run
        would never end; with it, overload shows as errors and latency.
        """
        latencies: list[float] = []
        errors = 0
        in_flight = 0
        t0 = time.perf_counter()
        total = int(rate * duration)

        async def fire(scheduled: float) -> None:
            nonlocal errors, in_flight
            in_flight += 1
            try:
                ok, _ = await self.one()
            finally:
                in_flight -= 1
            if ok:
                latencies.append((time.perf_counter() - scheduled) * 1000)
            else:
                errors += 1

        tasks = []
        for i in range(total):
            scheduled = t0 + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            if in_flight >= MAX_IN_FLIGHT:
                errors += 1  # overload: the request could not even be sent on time
                continue
            tasks.append(asyncio.create_task(fire(scheduled)))
        await asyncio.gather(*tasks)
        return latencies, errors, time.perf_counter() - t0

    async def closed_loop(self, count: int, concurrency: int) -> tuple[list[float], int, float]:
        latencies: list[float] = []
        errors = 0
        remaining = count
        t0 = time.perf_counter()

        async def worker() -> None:
            nonlocal remaining, errors
            while remaining > 0:
                remaining -= 1
                ok, start = await self.one()
                if ok:
                    latencies.append((time.perf_counter() - start) * 1000)
                else:
                    errors += 1

        await asyncio.gather(*(worker() for _ in range(concurrency)))
        return latencies, errors, time.perf_counter() - t0


async def _batch(client: httpx.AsyncClient, cases: list[dict], explain: bool, repeats: int) -> dict[str, float]:
    body = json.dumps({"cases": cases, "explain": explain}).encode()
    times, errors = [], 0
    for _ in range(repeats):
        start = time.perf_counter()
        response = await client.post("/v1/decisions/batch", content=body, headers={"content-type": "application/json"},
                                     timeout=60)
        elapsed = (time.perf_counter() - start) * 1000
        if response.status_code != 200 or response.json()["failed"]:
            errors += 1
        times.append(elapsed)
    size_kib = len(body) / 1024
    print(f"batch of {len(cases)} (explain={str(explain).lower():<5}, body {size_kib:.0f} KiB)  "
          f"median {statistics.median(times):.0f} ms  min {min(times):.0f}  max {max(times):.0f} ms  "
          f"errors {errors}", flush=True)
    return {"median_ms": round(statistics.median(times)), "min_ms": round(min(times)), "max_ms": round(max(times)),
            "errors": errors}


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of process ``pid`` so far (Linux ``/proc/PID/stat``), in seconds."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


async def fixed_only(args: argparse.Namespace, base: str, pid: int) -> dict:
    """Phase 1 alone, ``--runs`` times (alternating exact and Kleene with ``--alternate``); medians."""
    bodies = [json.dumps(case).encode() for case in generate_cases(2000, seed=7)]
    limits = httpx.Limits(max_connections=MAX_IN_FLIGHT, max_keepalive_connections=MAX_IN_FLIGHT)
    modes = [True, False] if args.alternate else [args.exact]
    found: dict[bool, list[dict]] = {mode: [] for mode in modes}
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        loads = {mode: Load(client, bodies, exact=mode) for mode in modes}
        for load in loads.values():
            await load.closed_loop(500, 4)  # warm up: connections, caches, allocator, the exact twin
        print(f"\n-- single decisions, open loop {args.rate:.0f} req/s for {args.duration:.0f} s, {args.runs} runs"
              f" ({' / '.join('exact' if m else 'Kleene' for m in modes)}); load average {os.getloadavg()[0]:.2f}",
              flush=True)
        for run in range(args.runs):
            for mode, load in loads.items():
                load.sent = 0  # every run sends the same cases in the same order
                cpu, client_cpu = _cpu_seconds(pid), time.process_time()
                result = _report(f"run {run + 1} {'exact' if mode else 'Kleene'} {args.rate:.0f} req/s",
                                 *await load.open_loop(args.rate, args.duration))
                answered = max(1, result["requests"] - result["errors"])  # overload errors were never sent
                result["server_cpu_ms_per_request"] = round(1000 * (_cpu_seconds(pid) - cpu) / answered, 2)
                result["client_cpu_ms_per_request"] = round(1000 * (time.process_time() - client_cpu) / answered, 2)
                result["loadavg"] = round(os.getloadavg()[0], 2)
                print(f"{'':<34} CPU per answered request: server {result['server_cpu_ms_per_request']:.2f} ms, "
                      f"client {result['client_cpu_ms_per_request']:.2f} ms; load average {result['loadavg']:.2f}",
                      flush=True)
                found[mode].append(result)
    summary: dict = {"rate": args.rate, "duration": args.duration, "runs": args.runs}
    for mode, results in found.items():
        name = "exact" if mode else "kleene"
        medians = {key: statistics.median(r[key] for r in results)
                   for key in ("p50_ms", "p99_ms", "max_ms", "errors", "throughput_rps", "server_cpu_ms_per_request",
                               "client_cpu_ms_per_request")}
        summary[name] = {"runs": results, "median": medians}
        print(f"{name:<6} median of {args.runs} runs: p50 {medians['p50_ms']:.2f} ms, p99 {medians['p99_ms']:.2f} ms, "
              f"errors {medians['errors']:.0f}, {medians['throughput_rps']:.1f} req/s, server CPU "
              f"{medians['server_cpu_ms_per_request']:.2f} ms per request; p99 per run "
              f"{', '.join(str(r['p99_ms']) for r in results)}   target p99 < 20 ms: "
              f"{'MET' if medians['p99_ms'] < 20 and medians['errors'] == 0 else 'NOT MET'}", flush=True)
    return summary


async def run(args: argparse.Namespace, base: str, pid: int) -> dict:
    if args.fixed_only:
        return await fixed_only(args, base, pid)
    results: dict = {}
    bodies = [json.dumps(case).encode() for case in generate_cases(2000, seed=7)]
    # A small pool: httpx's pool slows down badly with hundreds of connections, and a
    # server answering in milliseconds needs only a few at these rates.
    limits = httpx.Limits(max_connections=MAX_IN_FLIGHT, max_keepalive_connections=MAX_IN_FLIGHT)
    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as client:
        load = Load(client, bodies, exact=args.exact)
        await load.closed_loop(500, 4)  # warm up: connections, caches, allocator
        results["rss_warm_mb"] = round(_rss_mb(pid), 1)
        sent_at_warm = load.sent

        print(f"\n-- single decisions, open loop {args.rate:.0f} req/s for {args.duration:.0f} s", flush=True)
        results["fixed_rate"] = _report(f"{args.rate:.0f} req/s", *await load.open_loop(args.rate, args.duration))

        print(f"\n-- highest sustainable rate ({args.step_duration:.0f} s steps, p99 limit {args.p99_limit} ms)")
        best = None
        for rate in args.steps:
            step = _report(f"{rate:.0f} req/s", *await load.open_loop(rate, args.step_duration))
            ok = step["errors"] == 0 and step["throughput_rps"] >= 0.95 * rate and step["p99_ms"] < args.p99_limit
            if not ok:
                break
            best = {"rate": rate, **step}
        results["sustainable"] = best
        print(f"highest sustained step: {best['rate'] if best else 'none'} req/s", flush=True)

        print("\n-- batch of 1 000 cases")
        cases = generate_cases(1000, seed=11)
        results["batch_explained"] = await _batch(client, cases, True, args.batch_repeats)
        results["batch_plain"] = await _batch(client, cases, False, args.batch_repeats)

        top_up = max(0, args.total - load.sent)
        print(f"\n-- memory: closed loop for the remaining {top_up} requests ({args.total} in all)")
        results["closed_loop"] = _report("closed loop, 8 in flight", *await load.closed_loop(top_up, 8))
        results["rss_end_mb"] = round(_rss_mb(pid), 1)
        results["requests_total"] = load.sent
        growth = results["rss_end_mb"] - results["rss_warm_mb"]
        print(f"RSS after warm-up {results['rss_warm_mb']} MB, after {load.sent - sent_at_warm} more requests "
              f"{results['rss_end_mb']} MB (growth {growth:.1f} MB)", flush=True)
    return results


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--rate", type=float, default=200)
    parser.add_argument("--duration", type=float, default=60)
    parser.add_argument("--steps", type=lambda s: [float(x) for x in s.split(",")],
                        default=[300, 400, 500, 600, 800, 1000])
    parser.add_argument("--step-duration", type=float, default=10)
    parser.add_argument("--p99-limit", type=float, default=50.0)
    parser.add_argument("--batch-repeats", type=int, default=5)
    parser.add_argument("--total", type=int, default=100_000)
    parser.add_argument("--json", type=Path, help="Also write the results as JSON here.")
    parser.add_argument("--quick", action="store_true", help="Short smoke run (seconds, not minutes).")
    parser.add_argument("--exact", action="store_true", help="Single decisions with ?exact=true.")
    parser.add_argument("--fixed-only", action="store_true",
                        help="Only phase 1 (open loop at --rate for --duration s), --runs times; medians.")
    parser.add_argument("--runs", type=int, default=5, help="--fixed-only: runs (default 5).")
    parser.add_argument("--nodelay", action="store_true",
                        help="Diagnostic: serve through benchmarks/serve_nodelay.py (TCP_NODELAY on accepted sockets).")
    parser.add_argument("--alternate", action="store_true",
                        help="--fixed-only: alternate exact and Kleene runs (exact first).")
    args = parser.parse_args()
    if args.quick:
        args.duration, args.steps, args.step_duration, args.batch_repeats, args.total = 5, [300], 3, 1, 3000

    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ELIGIBILITY_API") and k != "ELIGIBILITY_ADMIN_KEYS"}
    start = time.perf_counter()
    command = [str(BIN), "serve", "--port", str(port)]
    if args.nodelay:  # the same CLI, with TCP_NODELAY on the accepted sockets (diagnostic)
        root = Path(__file__).resolve().parents[1]
        env["PYTHONPATH"] = os.pathsep.join(filter(None, [str(root), str(root / "src"), env.get("PYTHONPATH")]))
        command = [sys.executable, str(Path(__file__).with_name("serve_nodelay.py")), "--port", str(port)]
    print(f"server: {' '.join(command[:2])} ...{' (TCP_NODELAY set by the wrapper)' if args.nodelay else ''}")
    server = subprocess.Popen(command, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        while True:
            try:
                if httpx.get(f"{base}/healthz", timeout=0.2).status_code == 200:
                    break
            except httpx.TransportError:
                time.sleep(0.02)
            if server.poll() is not None or time.perf_counter() - start > 30:
                raise SystemExit("server did not start")
        boot = time.perf_counter() - start
        print(f"server pid {server.pid} on {base}: healthy after {boot:.2f} s (process start to first /healthz)")
        results = asyncio.run(run(args, base, server.pid))
        results["boot_s"] = round(boot, 2)
        if args.json:
            args.json.write_text(json.dumps(results, indent=2))
    finally:
        server.terminate()
        server.wait(timeout=10)


if __name__ == "__main__":
    main()
