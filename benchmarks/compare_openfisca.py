"""Side by side with OpenFisca: the same three programmes, the same parameters, the same 1 M cases.

    .venv/bin/pip install -e '.[bench]'        # openfisca-core
    .venv/bin/python benchmarks/compare_openfisca.py [--n 1000000]
    .venv/bin/python benchmarks/compare_openfisca.py --per-case [--cases 2000] [--runs 5] [--seed 2024]

Builds a minimal OpenFisca tax-benefit system (one entity, person) with
handlingsplansamverkan, arbetslivsintroduktion and prövning av varaktig
sjukersättning written as OpenFisca formulas over numpy arrays, with the
parameter values of rulebook 2010-01-01 (read from rules/, not restated).
OpenFisca has no "unknown": missing inputs get defaults. Statuses are compared
where the models overlap: rows under rulebook 2010-01-01 whose columnar status
is decided (eligible / not_eligible). By Kleene logic a decided status does
not depend on the unknown facts, so any default must give the same answer.
Both run in this process on the same cases; the ratio is columnar persons/s
divided by OpenFisca persons/s (evaluation only, inputs already in memory).

``--per-case`` (issue 17 item 6) decides ONE case at a time instead, as a
caller deciding one case would: on our side the full explained decision
``Evaluator(books, "engine", exact=True).evaluate(case)`` from the case dict
(parse, validation, facts, the engine, the exact layer, records, questions,
remedies and the Swedish texts, under whichever rulebook is in force); on
OpenFisca's, ``SimulationBuilder().build_from_entities`` on that one person's
input in OpenFisca's own JSON shape (``{"persons": {"p": {var: {period:
value}}}}``, unknown facts left out: defaults) and ``calculate`` of the three
programmes, with the tax-benefit system built once beforehand (as our
evaluator is). The cases are ``tests/random_cases.py`` cases (unknowns
included) under rulebook 2010-01-01, the OpenFisca model's parameters. The
timings alternate in one process (ours over all cases, OpenFisca over all
cases, ours, ...), ``--runs`` times; each run gives p50/p99 per case (wall and
thread CPU time) and the medians of the runs are compared. Our Kleene
decision (``exact=False``) is timed alongside, for context. Statuses are
compared where ours is decided (an exact decided status holds for every
*allowed* answer; OpenFisca's defaults need not be allowed, e.g. a
``decision_end`` of 1970, so a few differences are possible there and are
only counted).
"""

from __future__ import annotations

import argparse
import os
import sys
import time
from datetime import date
from pathlib import Path

import numpy as np
import polars as pl

sys.path.insert(0, str(Path(__file__).parent))
from bench_population import caseload  # noqa: E402

from eligibility import Evaluator, load_rulebooks  # noqa: E402
from eligibility.backends.frame import evaluate_caseload  # noqa: E402
from eligibility.case.read_frame import normalise  # noqa: E402

try:
    from openfisca_core.entities import build_entity
    from openfisca_core.parameters import ParameterNode
    from openfisca_core.periods import DateUnit
    from openfisca_core.simulations import SimulationBuilder
    from openfisca_core.taxbenefitsystems import TaxBenefitSystem
    from openfisca_core.variables import Variable
except ImportError as exc:  # pragma: no cover - depends on the optional group
    sys.exit(f"openfisca-core is not installed ({exc}); install the optional group: pip install -e '.[bench]'")

BOOK = "2010-01-01"
PERIOD = "2011-03"
TYPES = ["sjukpenning", "tidsbegransad_sjukersattning", "sjukersattning", "aktivitetsersattning", "ingen"]
SP, TBS, SE, AE, INGEN = range(5)
PROGRAMMES = ["handlingsplansamverkan", "arbetslivsintroduktion", "provning_varaktig_sjukersattning"]

# -- numpy date helpers (relativedelta month clipping, full years of age) -------------------------


def _add_months(day: np.ndarray, months: int) -> np.ndarray:
    month = day.astype("M8[M]")
    dom = (day - month.astype("M8[D]")).astype(int)
    target = month + months
    length = ((target + 1).astype("M8[D]") - target.astype("M8[D]")).astype(int)
    return target.astype("M8[D]") + np.minimum(dom, length - 1)


def _age(birth: np.ndarray, day: np.ndarray) -> np.ndarray:
    months = (day.astype("M8[M]") - birth.astype("M8[M]")).astype(int)
    month = day.astype("M8[M]")
    length = ((month + 1).astype("M8[D]") - month.astype("M8[D]")).astype(int)
    birth_dom = np.minimum((birth - birth.astype("M8[M]").astype("M8[D]")).astype(int), length - 1)
    before = (day - month.astype("M8[D]")).astype(int) < birth_dom
    return (months - before) // 12


def _first_of_month(day: np.ndarray) -> np.ndarray:
    return day.astype("M8[M]").astype("M8[D]")


def _last_of_month(day: np.ndarray) -> np.ndarray:
    return (day.astype("M8[M]") + 1).astype("M8[D]") - 1


# -- the OpenFisca model -----------------------------------------------------------------------------


def build_system(params: dict) -> TaxBenefitSystem:
    person = build_entity(key="person", plural="persons", label="Person", is_person=True)
    system = TaxBenefitSystem([person])
    system.parameters = ParameterNode("", data={
        name: {"values": {"2008-07-01": {"value": value.isoformat() if isinstance(value, date) else value}}}
        for name, value in params.items() if value is not None})

    def var(name: str, kind: type, formula=None):  # noqa: ANN001
        attrs = {"value_type": kind, "entity": person, "definition_period": DateUnit.MONTH, "label": name}
        if kind is date:
            attrs["default_value"] = date(1970, 1, 1)
        if formula is not None:
            attrs["formula"] = formula
        system.add_variable(type(name, (Variable,), attrs))

    for name in ("as_of", "birth_date", "decision_end"):
        var(name, date)
    for name in ("benefit_type", "sjukpenning_days_used", "tbs_extension_months_used", "employment"):
        var(name, int)
    for name in ("allvarlig_sjukdom", "can_return_to_employer", "fardigutredd", "capacity_can_improve",
                 "sassam_done", "stadigvarande_nedsatt_arbetsformaga", "needs_vocational_rehabilitation"):
        var(name, bool)
    for name in ("hours_per_week", "months_in_handlingsplansamverkan"):
        var(name, float)

    def has_end(p, period, parameters):  # noqa: ANN001
        kind = p("benefit_type", period)
        return ((kind == SP) & ~p("allvarlig_sjukdom", period)) | (kind == TBS) | (kind == AE)

    def end(p, period, parameters):  # noqa: ANN001
        kind, as_of = p("benefit_type", period), p("as_of", period)
        prm = parameters(period)
        sp_end = as_of + (prm.sjukpenning_max_dagar - p("sjukpenning_days_used", period)).astype("m8[D]")
        decision = p("decision_end", period) + 1
        ae_limit = _first_of_month(_add_months(p("birth_date", period), 12 * (int(prm.ae_hogsta_alder) + 1)))
        return np.select([kind == SP, kind == TBS, kind == AE], [sp_end, decision, np.minimum(decision, ae_limit)],
                         as_of)

    def months_left_ok(p, period, parameters):  # noqa: ANN001
        threshold = _add_months(p("as_of", period), int(parameters(period).hps_minsta_kvarvarande_manader))
        return ~p("has_end", period) | (p("benefit_end", period) >= threshold)

    def runs_out(p, period, parameters):  # noqa: ANN001
        threshold = _add_months(p("as_of", period), int(parameters(period).risk_for_utforsakring_manader))
        return p("has_end", period) & (p("benefit_end", period) < threshold)

    def tbs_not_extendable(p, period, parameters):  # noqa: ANN001
        prm = parameters(period)
        last = np.datetime64(prm.tbs_senaste_slutdag)
        used = p("tbs_extension_months_used", period) >= prm.tbs_max_forlangning_manader
        return (p("benefit_type", period) == TBS) & (used | (p("decision_end", period) >= last))

    def target_group(p, period, parameters):  # noqa: ANN001
        prm = parameters(period)
        kind, employment = p("benefit_type", period), p("employment", period)
        age = _age(p("birth_date", period), p("as_of", period))
        unemployed, employed = employment == 1, employment == 2
        return ((unemployed & (kind == SP)) | (unemployed & ((kind == SE) | (kind == TBS)))
                | (unemployed & (kind == AE) & (age >= prm.ae_lagsta_alder) & (age <= prm.ae_hogsta_alder))
                | (employed & (kind != INGEN) & ~p("can_return_to_employer", period))
                | ((kind == INGEN) & p("needs_vocational_rehabilitation", period)))

    def hps(p, period, parameters):  # noqa: ANN001
        prm = parameters(period)
        return (p("target_group", period) & p("months_left_ok", period) & p("fardigutredd", period)
                & p("capacity_can_improve", period) & p("sassam_done", period)
                & (p("hours_per_week", period) >= prm.hps_minsta_timmar_per_vecka)
                & (p("months_in_handlingsplansamverkan", period) < prm.hps_langsta_tid_manader))

    def ali(p, period, parameters):  # noqa: ANN001
        return ((p("benefit_type", period) == SP) & p("runs_out", period)) | p("tbs_not_extendable", period)

    def provning(p, period, parameters):  # noqa: ANN001
        prm = parameters(period)
        kind, birth = p("benefit_type", period), p("birth_date", period)
        ae_limit = _first_of_month(_add_months(birth, 12 * (int(prm.ae_hogsta_alder) + 1)))
        ae_at_age = (kind == AE) & (p("benefit_end", period) == ae_limit) & p("runs_out", period)
        trigger = ((kind == SP) & p("runs_out", period)) | p("tbs_not_extendable", period) | ae_at_age
        age_at_end = np.where(p("has_end", period), _age(birth, _last_of_month(p("benefit_end", period))),
                              _age(birth, p("as_of", period)))
        return (trigger & (age_at_end >= prm.se_lagsta_alder) & (age_at_end <= prm.se_hogsta_alder)
                & p("stadigvarande_nedsatt_arbetsformaga", period))

    var("has_end", bool, has_end)
    var("benefit_end", date, end)
    var("months_left_ok", bool, months_left_ok)
    var("runs_out", bool, runs_out)
    var("tbs_not_extendable", bool, tbs_not_extendable)
    var("target_group", bool, target_group)
    var(PROGRAMMES[0], bool, hps)
    var(PROGRAMMES[1], bool, ali)
    var(PROGRAMMES[2], bool, provning)
    return system


def _inputs(frame: pl.DataFrame) -> dict[str, np.ndarray]:
    def col(name: str, fill) -> np.ndarray:  # noqa: ANN001
        return frame[name].fill_null(fill).to_numpy()

    epoch = date(1970, 1, 1)
    return {
        "as_of": col("as_of", epoch).astype("M8[D]"), "birth_date": col("person.birth_date", epoch).astype("M8[D]"),
        "decision_end": col("benefit.decision_end", epoch).astype("M8[D]"),
        "benefit_type": frame["benefit.type"].replace_strict(TYPES, list(range(5)), default=-1).to_numpy(),
        "employment": frame["person.employment"].replace_strict(["arbetslos", "anstalld"], [1, 2], default=0).to_numpy(),
        "sjukpenning_days_used": col("benefit.sjukpenning_days_used", 0),
        "tbs_extension_months_used": col("benefit.tbs_extension_months_used", 0),
        **{name: col(f"{section}.{name}", False) for section, name in [
            ("benefit", "allvarlig_sjukdom"), ("person", "can_return_to_employer"), ("assessment", "fardigutredd"),
            ("assessment", "capacity_can_improve"), ("assessment", "sassam_done"),
            ("assessment", "stadigvarande_nedsatt_arbetsformaga"), ("assessment", "needs_vocational_rehabilitation")]},
        "hours_per_week": col("assessment.hours_per_week", 0.0),
        "months_in_handlingsplansamverkan": col("assessment.months_in_handlingsplansamverkan", 0.0),
    }


_BOOLS = [("benefit", "allvarlig_sjukdom"), ("person", "can_return_to_employer"), ("assessment", "fardigutredd"),
          ("assessment", "capacity_can_improve"), ("assessment", "sassam_done"),
          ("assessment", "stadigvarande_nedsatt_arbetsformaga"), ("assessment", "needs_vocational_rehabilitation")]


def case_input(case: dict) -> dict:
    """One case in OpenFisca's own input shape (``build_from_entities``); unknown facts left out (defaults)."""
    person, benefit, assessment = case["person"], case["benefit"], case["assessment"]
    sections = {"person": person, "benefit": benefit, "assessment": assessment}
    values = {
        "as_of": case["as_of"], "birth_date": person.get("birth_date"), "decision_end": benefit.get("decision_end"),
        "benefit_type": TYPES.index(benefit["type"]),
        "employment": {"arbetslos": 1, "anstalld": 2}.get(person.get("employment")),
        "sjukpenning_days_used": benefit.get("sjukpenning_days_used"),
        "tbs_extension_months_used": benefit.get("tbs_extension_months_used"),
        **{name: sections[section].get(name) for section, name in _BOOLS},
        "hours_per_week": assessment.get("hours_per_week"),
        "months_in_handlingsplansamverkan": assessment.get("months_in_handlingsplansamverkan"),
    }
    return {"persons": {"p": {name: {PERIOD: value} for name, value in values.items() if value is not None}}}


def _timed(func, items: list) -> dict[str, float]:  # noqa: ANN001
    """p50/p99/mean per call of ``func`` over ``items``, wall and thread CPU (ms)."""
    wall, cpu = [], []
    clock, cpu_clock = time.perf_counter_ns, time.thread_time_ns
    for item in items:
        t0, c0 = clock(), cpu_clock()
        func(item)
        cpu.append((cpu_clock() - c0) / 1e6)
        wall.append((clock() - t0) / 1e6)
    wall.sort()
    cpu.sort()

    def pct(values: list[float], q: float) -> float:
        return values[max(1, -(-len(values) * q // 100)) - 1]
    return {"p50": pct(wall, 50), "p99": pct(wall, 99), "mean": sum(wall) / len(wall),
            "cpu_p50": pct(cpu, 50), "cpu_p99": pct(cpu, 99), "cpu_mean": sum(cpu) / len(cpu)}


def per_case(books: list, system: TaxBenefitSystem, n: int, runs: int, seed: int) -> None:
    """Issue 17 item 6, target 1: our full explained exact decision against an OpenFisca simulation per case."""
    import statistics

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "tests"))
    from random_cases import generate_cases

    exact = Evaluator(books, "engine", exact=True)
    kleene = Evaluator(books, "engine")
    cases: list[dict] = []
    drawn = 0
    while len(cases) < n:  # the cases under the OpenFisca model's rulebook (about one in four)
        for case in generate_cases(4 * n, seed + drawn):
            if exact.rulebook_for(date.fromisoformat(case["as_of"])).id == BOOK and len(cases) < n:
                cases.append(case)
        drawn += 1
    inputs = [case_input(case) for case in cases]

    def openfisca(entities: dict) -> dict:
        simulation = SimulationBuilder().build_from_entities(system, entities)
        return {pid: bool(simulation.calculate(pid, PERIOD)[0]) for pid in PROGRAMMES}

    ours_exact = exact.evaluate
    ours_kleene = kleene.evaluate
    # Same answers where both decide (and warm-up of all three).
    compared = {"exact": 0, "kleene": 0}
    differ = {"exact": 0, "kleene": 0}
    for case, entities in zip(cases, inputs):
        theirs = openfisca(entities)
        for label, evaluator in (("exact", exact), ("kleene", kleene)):
            decision = evaluator.evaluate(case)
            for pid in PROGRAMMES:
                status = decision.programmes[pid].status.value
                if status in ("eligible", "not_eligible"):
                    compared[label] += 1
                    differ[label] += (status == "eligible") != theirs[pid]
    print(f"{n} cases of tests/random_cases.py under rulebook {BOOK} (seeds from {seed}; unknowns included), "
          f"{runs} runs, alternating in one process; load average {os.getloadavg()[0]:.2f}")
    print(f"statuses where ours is decided: exact {compared['exact']} compared, {differ['exact']} differ from "
          f"OpenFisca's defaults; Kleene {compared['kleene']} compared, {differ['kleene']} differ")
    measured = {"ours exact": ours_exact, "OpenFisca": openfisca, "ours Kleene": ours_kleene}
    items = {"ours exact": cases, "OpenFisca": inputs, "ours Kleene": cases}
    found: dict[str, list[dict[str, float]]] = {label: [] for label in measured}
    for run in range(runs):
        for label, func in measured.items():
            found[label].append(_timed(func, items[label]))
            r = found[label][-1]
            print(f"  run {run + 1} {label:<12} p50 {r['p50']:6.3f} p99 {r['p99']:7.3f} mean {r['mean']:6.3f} ms wall;"
                  f"  cpu p50 {r['cpu_p50']:6.3f} p99 {r['cpu_p99']:7.3f} ms", flush=True)
    median = {label: {key: statistics.median(r[key] for r in results) for key in results[0]}
              for label, results in found.items()}
    for label, m in median.items():
        print(f"{label:<12} median of {runs} runs: p50 {m['p50']:.3f} ms, p99 {m['p99']:.3f} ms, mean {m['mean']:.3f} ms"
              f" wall; cpu p50 {m['cpu_p50']:.3f} ms, p99 {m['cpu_p99']:.3f} ms")
    ours, theirs = median["ours exact"], median["OpenFisca"]
    paired = statistics.median(b["p50"] / a["p50"] for a, b in zip(found["ours exact"], found["OpenFisca"]))
    speedup = theirs["p50"] / ours["p50"]
    print(f"OpenFisca p50 / ours (exact, explained) p50 = {speedup:.2f} (cpu {theirs['cpu_p50'] / ours['cpu_p50']:.2f};"
          f" median of paired ratios {paired:.2f}); p99: {theirs['p99'] / ours['p99']:.2f}"
          f"  target >= 2: {'MET' if speedup >= 2 else 'NOT MET'}; load average {os.getloadavg()[0]:.2f}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--n", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, help="case seed (default 1; --per-case: 2024)")
    parser.add_argument("--per-case", action="store_true",
                        help="one case at a time: our exact explained decision vs an OpenFisca simulation per case")
    parser.add_argument("--cases", type=int, default=2000, help="--per-case: cases (default 2000)")
    parser.add_argument("--runs", type=int, default=5, help="--per-case: alternating runs (default 5)")
    args = parser.parse_args()
    books = load_rulebooks()
    book = next(b for b in books if b.id == BOOK)
    params = {name: p.value for name, p in book.parameters_on(date.fromisoformat(PERIOD + "-01")).items()}
    if args.per_case:
        per_case(books, build_system(params), args.cases, args.runs, 2024 if args.seed is None else args.seed)
        return
    args.seed = 1 if args.seed is None else args.seed
    frame = pl.read_parquet(caseload(args.n, args.seed))

    best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        result = evaluate_caseload(frame, books)
        best = min(best, time.perf_counter() - started)
    columnar_rate = args.n / best

    typed, _ = normalise(frame)
    inputs = _inputs(typed)
    system = build_system(params)
    of_best = float("inf")
    for _ in range(3):
        started = time.perf_counter()
        simulation = SimulationBuilder().build_default_simulation(system, count=args.n)
        for name, values in inputs.items():
            simulation.set_input(name, PERIOD, values)
        statuses = {pid: simulation.calculate(pid, PERIOD) for pid in PROGRAMMES}
        of_best = min(of_best, time.perf_counter() - started)
    openfisca_rate = args.n / of_best

    overlap = (result["rulebook"] == BOOK).to_numpy()
    print(f"{args.n:,} cases; {overlap.sum():,} under rulebook {BOOK} (where the models overlap)")
    disagreements = 0
    for pid in PROGRAMMES:
        status = result[f"status.{pid}"].cast(pl.String).to_numpy()
        decided = overlap & ((status == "eligible") | (status == "not_eligible"))
        differ = decided & ((status == "eligible") != statuses[pid])
        disagreements += int(differ.sum())
        print(f"  {pid:34s} compared {decided.sum():>9,}  disagree {differ.sum():>6,}")
    print(f"columnar : {best:6.3f} s = {columnar_rate:12,.0f} persons/s")
    print(f"OpenFisca: {of_best:6.3f} s = {openfisca_rate:12,.0f} persons/s (openfisca-core, same process)")
    print(f"ratio columnar / OpenFisca = {columnar_rate / openfisca_rate:.2f}")
    if disagreements:
        sys.exit(1)


if __name__ == "__main__":
    main()
