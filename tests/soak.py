"""Soak and fault test of the HTTP API: a real uvicorn server on 127.0.0.1 under mixed traffic.

The server runs as a subprocess (``python -m eligibility serve``, as
operators run it) on a free loopback port, with ``--rules`` pointing at a
temporary copy of rules/ so that faults can be injected into the rule files. Its stdout and stderr (uvicorn log + audit log) go to a file.

Traffic is open loop at ``--rate`` requests/s (latency counted from the
scheduled send time) in a fixed mix: single decisions, batches of 50,
compare, GET /v1/rulebooks, and bad inputs that must get their 4xx
(malformed JSON 400, invalid case 422, personnummer in the case 422, unknown
rulebook 404, wrong media type 415). Every decision must name a complete
rulebook set: its (id, content_hash) is one the server served, and all
decisions of one batch and every GET /v1/rulebooks come from one set.

``--faults``: during the run, a rule file is corrupted and reloaded (must be
rejected: 422 with file:line in ``rule_errors`` and in /readyz), then a
valid changed rulebook (a ``text_sv`` edited, so its content hash changes)
is reloaded (200), then the original is restored and reloaded with SIGHUP
(the operators' way, docs/api.md).

Printed: requests, errors by status, p50/p99 and server RSS per window
(``--window``, default 60 s). Pass criteria (exit code 1 if any fails):

* no 5xx and no unexpected status;
* no decision under a mixed or unknown rulebook set;
* RSS growth after the first window < 30 MB;
* p99 of the last window <= 1.5 x the first (+ 5 ms slack for timer noise);
* the server log holds no personnummer pattern and no birth date sent;
* with --faults: every fault behaved as above.

    .venv/bin/python tests/soak.py                       # 600 s
    .venv/bin/python tests/soak.py --seconds 120 --faults
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import signal
import random
import re
import shutil
import subprocess
import sys
import tempfile
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx

sys.path.insert(0, str(Path(__file__).parent))
from load_helpers import free_port as _free_port, percentile as _pct, rss_mb as _rss_mb  # noqa: E402
from random_cases import generate_cases  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
PERSONNUMMER = re.compile(rb"\b(19|20)?\d{6}[-+]?\d{4}\b")
MAX_IN_FLIGHT = 32
FAULT_BOOK = "2010-01-01"
BROKEN_CONDITION = "\nbroken_condition:\n  text_sv: Trasig.\n  check: finns_inte_alls\n  unknown_key: 1\n"
FAKE_PNR = "19750602-1234"  # sent inside a case that must be rejected; must never reach the log


# --------------------------------------------------------------------------- server


@dataclass
class Server:
    """A uvicorn subprocess on a temp copy of rules/, its log captured to a file."""

    process: subprocess.Popen
    base: str
    rules_dir: Path
    log_path: Path

    @property
    def pid(self) -> int:
        return self.process.pid

    def stop(self) -> None:
        if self.process.poll() is None:
            self.process.terminate()
            try:
                self.process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait(timeout=10)


def start_server(workdir: Path, timeout: float = 60) -> Server:
    """Copy rules/ into ``workdir`` and start the server on it; wait for /healthz (bounded)."""
    rules_dir = workdir / "rules"
    shutil.copytree(ROOT / "rules", rules_dir)
    log_path = workdir / "server.log"
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith("ELIGIBILITY_")}
    env["ELIGIBILITY_RULES_DIR"] = str(rules_dir)
    env["PYTHONPATH"] = os.pathsep.join([str(ROOT), env.get("PYTHONPATH", "")]).rstrip(os.pathsep)
    log = log_path.open("wb")
    # As operators run it (`eligibility serve`): SIGHUP reloads the rules.
    process = subprocess.Popen([sys.executable, "-m", "eligibility", "serve", "--rules", str(rules_dir),
                                "--host", "127.0.0.1", "--port", str(port)],
                               stdout=log, stderr=subprocess.STDOUT, env=env, cwd=str(workdir))
    log.close()
    server = Server(process, f"http://127.0.0.1:{port}", rules_dir, log_path)
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"server exited with {process.returncode}: {log_path.read_text()[-2000:]}")
        try:
            if httpx.get(f"{server.base}/healthz", timeout=0.5).status_code == 200:
                return server
        except httpx.TransportError:
            pass
        time.sleep(0.05)
    server.stop()
    raise RuntimeError("server did not become healthy")


# --------------------------------------------------------------------------- traffic


@dataclass
class Stats:
    """Everything observed, per window and in all."""

    window: float
    started: float = field(default_factory=time.perf_counter)
    statuses: Counter = field(default_factory=Counter)
    unexpected: Counter = field(default_factory=Counter)  # (kind, status) that was not the expected one
    transport_errors: Counter = field(default_factory=Counter)
    dropped: int = 0  # not sent on time because MAX_IN_FLIGHT were unanswered (client/server overload)
    latencies: dict[int, list[float]] = field(default_factory=dict)
    single_latencies: dict[int, list[float]] = field(default_factory=dict)  # single decisions only
    rss: dict[int, float] = field(default_factory=dict)
    decision_sets: Counter = field(default_factory=Counter)  # frozenset of (id, hash) per decision / batch
    listing_sets: Counter = field(default_factory=Counter)  # frozenset of (id, hash) per GET /v1/rulebooks
    requests: int = 0

    def slot(self) -> int:
        return int((time.perf_counter() - self.started) // self.window)


class Traffic:
    """The request mix; checks each answer against what it must be."""

    MIX = ["single"] * 12 + ["batch", "compare", "compare", "rulebooks", "rulebooks",
                             "bad_json", "bad_case", "bad_pnr", "bad_rulebook", "bad_media"]

    def __init__(self, client: httpx.AsyncClient, stats: Stats, allowed: list[frozenset], seed: int = 5) -> None:
        self.client, self.stats, self.allowed = client, stats, allowed
        self.cases = generate_cases(1000, seed=seed)
        self.bodies = [json.dumps(c).encode() for c in self.cases]
        self.birth_dates = {c["person"]["birth_date"] for c in self.cases if c["person"].get("birth_date")}
        self.rng = random.Random(seed)
        self.n = 0


    async def one(self, kind: str, body: bytes) -> None:
        json_ct = {"content-type": "application/json"}
        post = self.client.post
        if kind == "single":
            expected, call = 200, post("/v1/decisions", content=body, headers=json_ct)
        elif kind == "batch":
            start = self.rng.randrange(len(self.cases) - 50)
            payload = json.dumps({"cases": self.cases[start:start + 50], "explain": True}).encode()
            expected, call = 200, post("/v1/decisions/batch", content=payload, headers=json_ct)
        elif kind == "compare":
            expected, call = 200, post("/v1/decisions/compare?a=2010-01-01&b=2012-01-01", content=body,
                                       headers=json_ct)
        elif kind == "rulebooks":
            expected, call = 200, self.client.get("/v1/rulebooks")
        elif kind == "bad_json":
            expected, call = 400, post("/v1/decisions", content=body[:-7], headers=json_ct)
        elif kind == "bad_case":
            broken = json.loads(body)
            broken["benefit"] = {"type": "sjukbidrag"}
            expected, call = 422, post("/v1/decisions", json=broken)
        elif kind == "bad_pnr":
            broken = json.loads(body)
            broken["person"]["personnummer"] = FAKE_PNR
            expected, call = 422, post("/v1/decisions", json=broken)
        elif kind == "bad_rulebook":
            expected, call = 404, post("/v1/decisions?rulebook=1999-01-01", content=body, headers=json_ct)
        else:
            expected, call = 415, post("/v1/decisions", content=body, headers={"content-type": "text/plain"})
        try:
            response = await call
        except httpx.HTTPError as exc:
            self.stats.transport_errors[type(exc).__name__] += 1
            return
        self.stats.statuses[response.status_code] += 1
        if response.status_code != expected:
            self.stats.unexpected[(kind, response.status_code)] += 1
            return
        if expected != 200:
            return
        data = response.json()
        if kind == "single":
            self.stats.decision_sets[frozenset({(data["rulebook"]["id"], data["rulebook"]["content_hash"])})] += 1
        elif kind == "batch":
            if data["failed"]:
                self.stats.unexpected[("batch_item_failed", 200)] += data["failed"]
            pairs = {(r["decision"]["rulebook"]["id"], r["decision"]["rulebook"]["content_hash"])
                     for r in data["results"] if r["decision"]}
            self.stats.decision_sets[frozenset(pairs)] += 1
        elif kind == "rulebooks":
            self.stats.listing_sets[frozenset((b["id"], b["content_hash"]) for b in data)] += 1

    async def run(self, seconds: float, rate: float, pid: int) -> None:
        """Open loop at ``rate`` for ``seconds``; RSS sampled at the end of each window."""
        stats = self.stats
        in_flight = 0
        t0 = time.perf_counter()
        total = int(rate * seconds)
        tasks: set[asyncio.Task] = set()

        async def fire(scheduled: float, slot: int, kind: str, body: bytes) -> None:
            nonlocal in_flight
            in_flight += 1
            single = kind == "single"
            try:
                await self.one(kind, body)
            finally:
                in_flight -= 1
            elapsed = (time.perf_counter() - scheduled) * 1000
            stats.latencies.setdefault(slot, []).append(elapsed)
            if single:
                stats.single_latencies.setdefault(slot, []).append(elapsed)

        last_slot = 0
        for i in range(total):
            scheduled = t0 + i / rate
            delay = scheduled - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            slot = stats.slot()
            if slot != last_slot:
                stats.rss[last_slot] = _rss_mb(pid)
                last_slot = slot
            stats.requests += 1
            if in_flight >= MAX_IN_FLIGHT:
                stats.dropped += 1
                continue
            kind, body = self.MIX[self.n % len(self.MIX)], self.bodies[self.n % len(self.bodies)]
            self.n += 1
            task = asyncio.create_task(fire(scheduled, slot, kind, body))
            tasks.add(task)
            task.add_done_callback(tasks.discard)
        if tasks:
            await asyncio.wait(tasks, timeout=60)
        stats.rss[last_slot] = _rss_mb(pid)


# --------------------------------------------------------------------------- faults


def _set_of(books: list[dict[str, Any]]) -> frozenset:
    return frozenset((b["id"], b["content_hash"]) for b in books)


async def inject_faults(client: httpx.AsyncClient, server: Server, allowed: list[frozenset], seconds: float,
                        log: list[str]) -> list[str]:
    """Corrupt, reload, change validly, reload, restore, reload; spread over ``seconds``. Returns failures."""
    failures: list[str] = []
    target = server.rules_dir / FAULT_BOOK / "conditions.yaml"
    original = target.read_text(encoding="utf-8")
    pause = seconds / 4

    await asyncio.sleep(pause)
    target.write_text(original + BROKEN_CONDITION, encoding="utf-8")
    response = await client.post("/v1/admin/reload", timeout=60)
    body = response.json()
    errors = body.get("rule_errors") or []
    located = [e for e in errors if str(e.get("file", "")).endswith("conditions.yaml") and e.get("line")]
    ready = (await client.get("/readyz")).json()
    ready_err = ready.get("last_reload_error") or []
    log.append(f"corrupted {FAULT_BOOK}/conditions.yaml -> reload {response.status_code}, "
               f"rule_errors {[(Path(e['file']).name, e['line']) for e in located]}, "
               f"/readyz last_reload_error {ready_err[:1]}")
    if response.status_code != 422 or not located:
        failures.append(f"corrupted reload: expected 422 with file:line, got {response.status_code} {body}")
    if not any("conditions.yaml:" in e for e in ready_err):
        failures.append(f"/readyz does not report the failed reload: {ready_err}")
    if _set_of(ready["rulebooks"]) != allowed[0]:
        failures.append("after a failed reload the served rulebooks changed")

    await asyncio.sleep(pause)
    changed = original.replace("text_sv: Personen har sjukpenning.",
                               "text_sv: Personen har sjukpenning (soak-ändring).", 1)
    if changed == original:
        failures.append("could not find the text_sv to change")
    target.write_text(changed, encoding="utf-8")
    response = await client.post("/v1/admin/reload", timeout=60)
    if response.status_code == 200:
        new_set = _set_of(response.json()["rulebooks"])
        allowed.append(new_set)
        moved = sorted(i for i, h in new_set - allowed[0])
        log.append(f"valid change ({FAULT_BOOK} text_sv) -> reload 200, new content hash for {moved}")
        if moved != [FAULT_BOOK]:
            failures.append(f"valid change: expected only {FAULT_BOOK} to get a new hash, got {moved}")
    else:
        failures.append(f"valid reload: expected 200, got {response.status_code} {response.text[:300]}")
    ready = (await client.get("/readyz")).json()
    if ready.get("last_reload_error"):
        failures.append("/readyz still reports an error after a good reload")

    await asyncio.sleep(pause)
    # The operators' way: restore the file and send SIGHUP (no admin key needed on the host).
    target.write_text(original, encoding="utf-8")
    os.kill(server.pid, signal.SIGHUP)
    restored, waited = False, 0.0
    while not restored and waited < 30:
        await asyncio.sleep(0.2)
        waited += 0.2
        restored = _set_of((await client.get("/v1/rulebooks")).json()) == allowed[0]
    log.append(f"original restored -> SIGHUP, back to the first set after {waited:.1f} s: {restored}")
    if not restored:
        failures.append("SIGHUP after restoring the original did not bring back the original content hashes")
    return failures


# --------------------------------------------------------------------------- log scan


def scan_log(path: Path, birth_dates: set[str], limit: int = 20) -> list[str]:
    """Personnummer-like numbers and sent birth dates found in the server log (bounded: line by line)."""
    dates = [d.encode() for d in birth_dates] + [FAKE_PNR.encode()]
    found: list[str] = []
    with path.open("rb") as handle:
        for number, line in enumerate(handle, 1):
            match = PERSONNUMMER.search(line)
            if match:
                found.append(f"line {number}: personnummer pattern {match.group(0)!r}")
            elif b"-" in line:
                hit = next((d for d in dates if d in line), None)
                if hit:
                    found.append(f"line {number}: birth date {hit.decode()}")
            if len(found) >= limit:
                break
    return found


# --------------------------------------------------------------------------- run + verdict


def run_soak(seconds: float, rate: float, window: float, faults: bool, workdir: Path,
             on_start: Any = None) -> dict[str, Any]:
    """Start the server, run the traffic (and faults), stop it, scan its log; the verdict."""
    server = start_server(workdir)
    if on_start:
        on_start(server)
    try:
        stats, fault_failures, fault_log, birth_dates, allowed = asyncio.run(
            soak(server, seconds, rate, window, faults))
    finally:
        server.stop()  # first: the log is complete (flushed) only once the server has exited
    leaks = scan_log(server.log_path, birth_dates)
    return verdict(stats, fault_failures, fault_log, leaks, seconds, allowed)


async def soak(server: Server, seconds: float, rate: float, window: float, faults: bool) -> tuple:
    """Run the traffic (and the faults) against a running server."""
    limits = httpx.Limits(max_connections=MAX_IN_FLIGHT, max_keepalive_connections=MAX_IN_FLIGHT)
    async with httpx.AsyncClient(base_url=server.base, limits=limits, timeout=30) as client:
        initial = _set_of((await client.get("/v1/rulebooks")).json())
        allowed = [initial]
        stats = Stats(window=window)
        traffic = Traffic(client, stats, allowed)
        fault_log: list[str] = []
        jobs = [traffic.run(seconds, rate, server.pid)]
        if faults:
            jobs.append(inject_faults(client, server, allowed, seconds, fault_log))
        results = await asyncio.gather(*jobs)
        fault_failures = results[1] if faults else []
    return stats, fault_failures, fault_log, traffic.birth_dates, allowed


def verdict(stats: Stats, fault_failures: list[str], fault_log: list[str], leaks: list[str],
            seconds: float, allowed: list[frozenset]) -> dict[str, Any]:
    """Pass/fail against the criteria of the module docstring; ``allowed``: the rulebook sets served."""
    windows = sorted(stats.latencies)
    per_window = [{"window": w, "n": len(stats.latencies[w]), "p50_ms": round(_pct(stats.latencies[w], 50), 1),
                   "p99_ms": round(_pct(stats.latencies[w], 99), 1),
                   "single_p50_ms": round(_pct(stats.single_latencies.get(w, []), 50), 1),
                   "single_p99_ms": round(_pct(stats.single_latencies.get(w, []), 99), 1), "rss_mb": round(stats.rss.get(w, float("nan")), 1)}
                  for w in windows]
    failures: list[str] = []
    five = {s: n for s, n in stats.statuses.items() if s >= 500}
    if five:
        failures.append(f"5xx responses: {five}")
    if stats.unexpected:
        failures.append(f"unexpected statuses (kind, status): {dict(stats.unexpected)}")
    if stats.transport_errors:
        failures.append(f"transport errors: {dict(stats.transport_errors)}")
    mixed = [sorted(s) for s in stats.decision_sets if not any(s <= a for a in allowed)]
    mixed += [sorted(s) for s in stats.listing_sets if s not in allowed]
    if mixed:
        failures.append(f"decisions or listings not under one served rulebook set: {mixed[:3]}")
    # A last window cut short by the end of the run (a handful of requests) is not compared.
    full = [w for w in per_window if w["n"] >= 0.5 * max((x["n"] for x in per_window), default=0)]
    if len(full) >= 2:
        first, last = full[0], full[-1]
        growth = last["rss_mb"] - first["rss_mb"]
        if not growth < 30:
            failures.append(f"RSS grew {growth:.1f} MB after the first window (limit 30 MB)")
        if last["p99_ms"] > 1.5 * first["p99_ms"] + 5:
            failures.append(f"p99 last window {last['p99_ms']} ms > 1.5 x first {first['p99_ms']} ms + 5 ms")
    failures += [f"fault: {f}" for f in fault_failures]
    failures += [f"log leak: {leak}" for leak in leaks]
    return {"seconds": seconds, "requests": stats.requests, "dropped_overload": stats.dropped,
            "statuses": {str(k): v for k, v in sorted(stats.statuses.items())},
            "unexpected": {f"{k[0]}:{k[1]}": v for k, v in stats.unexpected.items()},
            "windows": per_window, "rulebook_sets_served": len(allowed),
            "decision_responses": sum(stats.decision_sets.values()),
            "decision_responses_under_changed_rulebook": sum(n for s, n in stats.decision_sets.items()
                                                              if not s <= allowed[0]), "faults": fault_log,
            "log_leaks": leaks, "failures": failures, "passed": not failures}


def print_report(result: dict[str, Any], window: float) -> None:
    print(f"requests scheduled {result['requests']} in {result['seconds']:.0f} s, "
          f"not sent (overload) {result['dropped_overload']}")
    print(f"responses by status: {result['statuses']}   unexpected: {result['unexpected'] or 'none'}")
    print(f"{'window':>6} {'from s':>7} {'n':>7} {'p50 ms':>8} {'p99 ms':>8} {'single p50':>11} "
          f"{'single p99':>11} {'RSS MB':>8}   (all requests; single decisions only)")
    for w in result["windows"]:
        print(f"{w['window']:>6} {w['window'] * window:>7.0f} {w['n']:>7} {w['p50_ms']:>8.1f} {w['p99_ms']:>8.1f} "
              f"{w['single_p50_ms']:>11.1f} {w['single_p99_ms']:>11.1f} {w['rss_mb']:>8.1f}")
    print(f"rulebook sets served {result['rulebook_sets_served']}; decision responses "
          f"{result['decision_responses']}, of which under the changed rulebook "
          f"{result['decision_responses_under_changed_rulebook']}")
    for line in result["faults"]:
        print(f"fault: {line}")
    print(f"log scan: {len(result['log_leaks'])} personal-data hits")
    print("PASS" if result["passed"] else "FAIL")
    for failure in result["failures"]:
        print(f"  - {failure}")


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--seconds", type=float, default=600)
    parser.add_argument("--rate", type=float, default=40, help="requests/s, open loop (default 40)")
    parser.add_argument("--window", type=float, default=60, help="report window in s (default 60)")
    parser.add_argument("--faults", action="store_true", help="inject rule-file faults during the run")
    parser.add_argument("--json", type=Path, help="also write the result as JSON here")
    parser.add_argument("--keep", action="store_true", help="keep the temp dir (rules copy, server log)")
    args = parser.parse_args()
    workdir = Path(tempfile.mkdtemp(prefix="soak-"))
    try:
        def announce(server: Server) -> None:
            print(f"server pid {server.pid} on {server.base}, rules copy {server.rules_dir}, "
                  f"log {server.log_path}; {args.seconds:.0f} s at {args.rate:.0f} req/s"
                  f"{' with faults' if args.faults else ''}", flush=True)

        result = run_soak(args.seconds, args.rate, args.window, args.faults, workdir, announce)
        result["rate"] = args.rate
        print_report(result, args.window)
        if args.json:
            args.json.write_text(json.dumps(result, indent=2, ensure_ascii=False))
        return 0 if result["passed"] else 1
    finally:
        if not args.keep:
            shutil.rmtree(workdir, ignore_errors=True)


if __name__ == "__main__":
    sys.exit(main())
