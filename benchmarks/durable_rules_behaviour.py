"""Check the durable-rules 2.0.28 behaviours that ``src/eligibility/backends/engine.py`` relies on.

Run::

    .venv/bin/python benchmarks/durable_rules_behaviour.py [--sessions 20000] [--fired 20000]
                                                           [--probe-session-cap]

Each check uses a toy ruleset and only the public API (``durable.lang`` to
define rules, ``durable.engine.Host`` to run them) except (d), which also
drives the C extension ``durable_rules_engine`` the way ``backends/engine.py`` does.
Checks that could run away (an endless action loop, many live sessions) run
in a child process with a timeout, so this script always ends.

(a) ``post`` of an event matching two rules fires one of them; ``assert_fact``
    fires both.
(b) Memory against the number of sessions, with and without ``delete_state``.
(c) A rule without a discriminator such as ``{"t": "case"}`` that tests
    ``$nex`` (attribute missing) also matches the session state object.
(d) Cost per fired rule: the stock Python action loop (``Host.assert_fact``)
    against driving ``durable_rules_engine`` directly.
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from typing import Any

TIMEOUT_S = 5.0


def rss_mb() -> float:
    with open("/proc/self/status", encoding="ascii") as status:
        for line in status:
            if line.startswith("VmRSS:"):
                return int(line.split()[1]) / 1024
    raise RuntimeError("no VmRSS")


def durable_version() -> str:
    from importlib.metadata import version
    return version("durable_rules")


def child(part: str, *args: str, timeout: float = 60.0) -> tuple[list[str], bool]:
    """Run ``part`` of this script in a fresh interpreter; (stdout lines, timed out?)."""
    cmd = [sys.executable, __file__, "--child", part, *args]
    try:
        done = subprocess.run(cmd, capture_output=True, text=True, timeout=timeout)
        if done.returncode != 0:
            raise RuntimeError(f"child {part} failed:\n{done.stderr}")
        return done.stdout.splitlines(), False
    except subprocess.TimeoutExpired as exc:  # the child is killed by subprocess.run
        out = exc.stdout.decode() if isinstance(exc.stdout, bytes) else (exc.stdout or "")
        return out.splitlines(), True


# ---------------------------------------------------------------- (a) post vs assert_fact

def check_post_vs_fact() -> bool:
    from durable.engine import Host
    from durable.lang import m, ruleset, when_all

    fired: list[tuple[str, str]] = []
    toy = ruleset("toy_a")
    with toy:
        @when_all(m.kind == "x")
        def first(c: Any) -> None:
            fired.append(("first", c.m.sid))

        @when_all((m.kind == "x") & (m.n > 0))
        def second(c: Any) -> None:
            fired.append(("second", c.m.sid))

    name, definition = toy.define()  # the JSON ruleset durable.lang builds, run by our own Host
    host = Host({name: definition})
    host.post(name, {"sid": "event", "kind": "x", "n": 1})
    by_post = [rule for rule, sid in fired if sid == "event"]
    host.assert_fact(name, {"sid": "fact", "kind": "x", "n": 1})
    by_fact = [rule for rule, sid in fired if sid == "fact"]
    print("(a) one message matching two rules")
    print(f"    post(event)        fired {len(by_post)} rule(s): {by_post}")
    print(f"    assert_fact(fact)  fired {len(by_fact)} rule(s): {by_fact}")
    ok = len(by_post) == 1 and len(by_fact) == 2
    print("    finding: " + ("CONFIRMED - an event is consumed by the first rule that takes it; a fact is seen by every "
                            "rule, so engine.py must (and does) use assert_fact"
                            if ok else "NOT CONFIRMED - behaviour differs from what engine.py assumes"))
    return ok


# ---------------------------------------------------------------- (b) sessions and memory

def _toy_host(name: str) -> Any:
    from durable.engine import Host
    rule = {"all": [{"m": {"$and": [{"t": "case"}, {"$gte": {"v": 0}}]}}], "run": lambda c: None}
    return Host({name: {"r": rule}})


def child_sessions(mode: str, sessions: int) -> None:
    """Open ``sessions`` sessions (one fact each), deleting each state or not; print RSS samples as JSON."""
    host = _toy_host("toy_b")
    delete = mode == "delete"
    for i in range(50):  # warm up allocator and code paths
        host.assert_fact("toy_b", {"sid": f"w{i}", "t": "case", "v": i})
        host.delete_state("toy_b", f"w{i}")
    before = rss_mb()
    samples = []
    step = max(1, sessions // 5)
    error = None
    opened = 0
    for i in range(sessions):
        try:
            host.assert_fact("toy_b", {"sid": str(i), "t": "case", "v": i})
        except MemoryError:
            error = "MemoryError"
            break
        opened += 1
        if delete:
            host.delete_state("toy_b", str(i))
        if (i + 1) % step == 0:
            samples.append((i + 1, round(rss_mb() - before, 2)))
    print(json.dumps({"mode": mode, "opened": opened, "before": before, "growth": rss_mb() - before,
                      "samples": samples, "error": error}))


def check_sessions(sessions: int, kept: int, probe_cap: bool) -> bool:
    print(f"\n(b) memory against sessions (one fact per session id; fresh interpreter each)")
    results = {}
    for mode, count in (("delete", sessions), ("keep", kept)):
        lines, timed_out = child("sessions", mode, str(count))
        if timed_out:
            print(f"    {mode}: timed out")
            return False
        results[mode] = json.loads(lines[-1])
    with_del, without = results["delete"], results["keep"]
    per_session_kb = 1024 * without["growth"] / max(1, without["opened"])
    print(f"    with delete_state:    {with_del['opened']:>6} sessions, VmRSS growth {with_del['growth']:+6.1f} MB"
          f"   (samples: {with_del['samples']})")
    print(f"    without delete_state: {without['opened']:>6} sessions, VmRSS growth {without['growth']:+6.1f} MB"
          f"   = {per_session_kb:.0f} KB per live session (samples: {without['samples']})")
    if without["error"]:
        print(f"    without delete_state: {without['error']} after {without['opened']} sessions")
    ok = with_del["growth"] < 5 and without["growth"] > 10 * max(1.0, with_del["growth"])
    print("    finding: " + ("CONFIRMED - every live session keeps its state (and facts) in the C engine; RSS grows "
                            "linearly without delete_state and stays flat with it" if ok else
                            "NOT CONFIRMED - see the numbers above"))
    if probe_cap:
        lines, timed_out = child("sessions", "keep", "2000", timeout=30)
        probe = json.loads(lines[-1]) if lines and not timed_out else None
        if probe and probe["error"]:
            print(f"    cap probe: {probe['error']} when opening live session {probe['opened'] + 1} "
                  f"(VmRSS growth by then {probe['growth']:.0f} MB): the C engine limits live sessions per "
                  f"ruleset, so the MemoryError comes from that limit, long before RAM runs out")
        elif probe:
            print(f"    cap probe: 2000 live sessions opened without error (growth {probe['growth']:.0f} MB)")
    else:
        print(f"    (without delete_state only {kept} sessions are opened: more than about a thousand live sessions "
              f"per ruleset end in MemoryError; --probe-session-cap shows where, in a child process)")
    return ok


# ---------------------------------------------------------------- (c) $nex matches the state object

def child_nex(discriminated: str) -> None:
    """Assert one fact into a ruleset with one "x is missing" rule; print one line per firing."""
    from durable.engine import Host
    from durable.lang import m, ruleset, when_all
    count = [0]
    toy = ruleset("toy_c")
    with toy:
        if discriminated == "yes":
            @when_all((m.t == "case") & -m.x)
            def missing(c: Any) -> None:
                count[0] += 1
                print(json.dumps({"n": count[0], "is_state": "$s" in c.m._d, "matched": c.m._d}), flush=True)
        else:
            @when_all(-m.x)
            def missing(c: Any) -> None:  # noqa: F811
                count[0] += 1
                print(json.dumps({"n": count[0], "is_state": "$s" in c.m._d, "matched": c.m._d}), flush=True)

    name, definition = toy.define()
    shown = {rule: {k: v for k, v in body.items() if k != "run"} for rule, body in definition.items()}
    print(json.dumps({"rule": shown}), flush=True)
    host = Host({name: definition})
    host.assert_fact(name, {"sid": "1", "t": "case", "y": 1})
    print(json.dumps({"done": count[0]}), flush=True)


def check_nex() -> bool:
    print(f"\n(c) a rule testing $nex (attribute x missing) on a fact {{t: case, y: 1}}; child killed after {TIMEOUT_S:.0f} s")
    ok = True
    for discriminated in ("no", "yes"):
        start = time.perf_counter()
        lines, timed_out = child("nex", discriminated, timeout=TIMEOUT_S)
        seconds = time.perf_counter() - start
        records = [json.loads(line) for line in lines if line.startswith("{")]
        rule = next((r["rule"] for r in records if "rule" in r), None)
        firings = [r for r in records if "n" in r]
        on_state = sum(1 for r in firings if r["is_state"])
        label = "with {t: case}" if discriminated == "yes" else "without discriminator"
        print(f"    {label:<22} rule {json.dumps(next(iter(rule.values()))['all']) if rule else '?'}")
        print(f"    {'':<22} fired {len(firings)} time(s) in {seconds:.1f} s, {on_state} of them on the state object"
              f" ({'did not finish: killed' if timed_out else 'finished'})")
        if firings:
            print(f"    {'':<22} first match: {json.dumps(firings[0]['matched'])}")
        if discriminated == "no":
            ok &= timed_out and on_state > 0
        else:
            ok &= not timed_out and len(firings) == 1 and on_state == 0
    print("    finding: " + ("CONFIRMED - the session state ({sid, id, $s: 1}) is matched like any fact; it has no x, "
                            "so the rule fires on it, the action's state update re-asserts it and the rule fires again, "
                            "for ever. A discriminator every rule requires ({t: case}) stops this"
                            if ok else "NOT CONFIRMED - see the output above"))
    return ok


# ---------------------------------------------------------------- (d) cost per fired rule

def _many_rules(count: int) -> dict[str, Any]:
    """``count`` rules that all match one fact {t: case, v: ...}."""
    return {f"r{i}|u": {"all": [{"m": {"$and": [{"t": "case"}, {"$gte": {"v": i}}]}}]} for i in range(count)}


def check_fire_cost(rules: int, target_fired: int) -> bool:
    import durable_rules_engine as dre
    from durable.engine import Host

    print(f"\n(d) cost per fired rule: one fact that fires all {rules} rules of a toy ruleset, state deleted after each")
    facts = max(1, target_fired // rules)

    # Stock Python action loop.
    fired = [0]

    def action(c: Any) -> None:
        fired[0] += 1

    definition = {name: dict(rule, run=action) for name, rule in _many_rules(rules).items()}
    host = Host({"toy_d_host": definition})
    start = time.perf_counter()
    for i in range(facts):
        host.assert_fact("toy_d_host", {"sid": str(i), "t": "case", "v": rules})
        host.delete_state("toy_d_host", str(i))
    host_s = time.perf_counter() - start
    host_rate = fired[0] / host_s

    # Direct, as src/eligibility/backends/engine.py does it.
    handle = dre.create_ruleset("toy_d_direct", json.dumps(_many_rules(rules)))
    direct_fired = 0
    start = time.perf_counter()
    for i in range(facts):
        sid = str(i)
        result = dre.assert_fact(handle, json.dumps({"sid": sid, "t": "case", "v": rules}))
        state = result[1]
        action_ = dre.start_action_for_state(handle, state)
        while action_:
            message = action_[1]
            _ = message[2:message.index('"', 2)]  # the fired rule's name
            direct_fired += 1
            following = dre.complete_and_start_action(handle, state)
            action_ = (None, following) if following else None
        dre.delete_state(handle, sid)
    direct_s = time.perf_counter() - start
    direct_rate = direct_fired / direct_s

    print(f"    Host.assert_fact + Python actions: {fired[0]:>7} fired in {host_s:6.2f} s = {host_rate:>9.0f} rules/s"
          f" ({1e6 / host_rate:6.1f} µs per rule)")
    print(f"    durable_rules_engine directly:     {direct_fired:>7} fired in {direct_s:6.2f} s = {direct_rate:>9.0f} rules/s"
          f" ({1e6 / direct_rate:6.1f} µs per rule)")
    ok = fired[0] == direct_fired == facts * rules
    print(f"    finding: the direct loop is {direct_rate / host_rate:.1f}x faster per fired rule"
          + ("" if ok else f" (WARNING: fired counts differ: {fired[0]} vs {direct_fired}, expected {facts * rules})"))
    return ok


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--sessions", type=int, default=20000, help="sessions with delete_state in (b) (default 20000)")
    parser.add_argument("--kept-sessions", type=int, default=1000,
                        help="sessions without delete_state in (b) (default 1000; stays below the engine's limit)")
    parser.add_argument("--probe-session-cap", action="store_true",
                        help="in (b), also open up to 2000 live sessions in a child process to find the limit")
    parser.add_argument("--rules", type=int, default=40, help="rules in the toy ruleset of (d) (default 40)")
    parser.add_argument("--fired", type=int, default=40000, help="fired rules per method in (d) (default 40000)")
    parser.add_argument("--child", nargs="+", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    if args.child:
        part, *rest = args.child
        if part == "sessions":
            child_sessions(rest[0], int(rest[1]))
        elif part == "nex":
            child_nex(rest[0])
        return 0

    print(f"durable_rules {durable_version()}, python {sys.version.split()[0]}")
    results = {
        "a": check_post_vs_fact(),
        "b": check_sessions(args.sessions, args.kept_sessions, args.probe_session_cap),
        "c": check_nex(),
        "d": check_fire_cost(args.rules, args.fired),
    }
    print("\nsummary: " + ", ".join(f"({k}) {'confirmed' if v else 'NOT confirmed'}" for k, v in results.items()))
    return 0 if all(results.values()) else 1


if __name__ == "__main__":
    raise SystemExit(main())
