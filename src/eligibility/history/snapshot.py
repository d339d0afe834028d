"""Regression gate: a frozen corpus of synthetic cases and the recorded decision of each.

``tests/regression/corpus.jsonl`` holds the cases (``{"id", "case"}``, one
per line, synthetic, no real person data); ``records.jsonl`` holds, per case,
the rulebook that decided it, every programme status (``not_in_force`` for a
programme the rulebook lists as not in force), every condition outcome and
the Swedish motivering, or the validation problems when the case is
rejected. The rulebook's content hash is masked in the motivering (``<hash>``):
the gate is about what the law decides, so a comment edit in a rule file does
not change a record. A law change is a new rulebook plus the reviewed diff of
the records, in one commit (docs/law-changes.md).
"""

from __future__ import annotations

import difflib
import json
import random
from collections import Counter
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Iterable

from pydantic import BaseModel, Field

from ..case.space import CaseSpace, case_space, draw_later_facts
from ..decision.evaluator import Evaluator
from ..errors import CaseError
from ..facts import dates
from ..models import Decision

HASH_MASK = "<hash>"
ABSENT = "absent"
LAST_DAY = date(2020, 12, 31)
"""The corpus's last ``as_of`` (the generator's own choice); the first is the first day a rulebook covers."""
KINDS = ["sjukpenning", "sjukpenning", "sjukersattning", "aktivitetsersattning", "ingen",
         "tidsbegransad_sjukersattning"]
"""The corpus mix (sjukpenning twice as often), each kind only on the days the case space has it."""


def default_dir() -> Path:
    """``tests/regression`` of the source checkout."""
    return Path(__file__).resolve().parents[3] / "tests" / "regression"


# --- Corpus --------------------------------------------------------------------
def _maybe(rng: random.Random, value: Any, unknown: float = 0.2) -> Any:
    return None if rng.random() < unknown else value


def _synthetic_case(rng: random.Random, as_of: date, space: CaseSpace) -> dict[str, Any]:
    kind = rng.choice([kind for kind in KINDS if space.has(kind, as_of)])
    if kind == "aktivitetsersattning":
        ages = space.ae_ages(as_of)
        age = rng.randint(ages.low + 1, ages.high)  # from a year above the lowest age
    else:
        age = rng.randint(20, 66)
    birth = dates.add_days(dates.add_months(as_of, -12 * age), -rng.randint(0, 364))
    fields = space.fields(kind)
    benefit: dict[str, Any] = {"type": kind}
    if "sjukpenning_days_used" in fields:
        low = space.number("benefit.sjukpenning_days_used").low
        limit = space.sjukpenning_day_limit  # the lowest limit: valid on every as_of, also where none applies
        benefit["allvarlig_sjukdom"] = _maybe(rng, rng.random() < 0.1, 0.1)
        benefit["sjukpenning_days_used"] = _maybe(rng, rng.choice([rng.randint(low, limit), rng.randint(min(700, limit), limit)]), 0.1)
    if "decision_end" in fields:
        ends = space.decision_end(kind, as_of)
        top = ends.last or as_of + timedelta(days=900)
        end = as_of + timedelta(days=rng.randint(0, (top - as_of).days))
        benefit["decision_end"] = _maybe(rng, end.isoformat(), 0.1)
    if "tbs_extension_months_used" in fields:
        months = space.tbs_extension_months(as_of)
        benefit["tbs_extension_months_used"] = _maybe(rng, rng.randint(months.low, months.high), 0.1)
    if "sjukpenning_ended" in fields:
        benefit["sjukpenning_ended"] = _maybe(rng, rng.random() < 0.6)
    if "sjukersattning_refused" in fields:
        benefit["sjukersattning_refused"] = _maybe(rng, rng.random() < 0.3, 0.4)
    if "aktivitetsersattning_refused" in fields:
        benefit["aktivitetsersattning_refused"] = _maybe(rng, rng.random() < 0.2, 0.5)
    return {
        "as_of": as_of.isoformat(),
        "person": {"birth_date": birth.isoformat(), "employment": _maybe(rng, rng.choice(["arbetslos", "anstalld"])),
                   "can_return_to_employer": _maybe(rng, rng.random() < 0.5)},
        "benefit": benefit,
        "assessment": {
            "fardigutredd": _maybe(rng, rng.random() < 0.7), "capacity_can_improve": _maybe(rng, rng.random() < 0.7),
            "sassam_done": _maybe(rng, rng.random() < 0.7), "hours_per_week": _maybe(rng, rng.choice([5, 9.5, 10, 20, 40])),
            "stadigvarande_nedsatt_arbetsformaga": _maybe(rng, rng.random() < 0.5),
            "months_in_handlingsplansamverkan": _maybe(rng, rng.choice([0, 3, 11.5, 12, 14])),
            "needs_vocational_rehabilitation": _maybe(rng, rng.random() < 0.6),
        },
    }


def synthetic_corpus(evaluator: Evaluator, count: int = 520, seed: int = 20080701, *,
                     later_facts: bool = True) -> list[dict[str, Any]]:
    """``count`` deterministic synthetic cases spread evenly from the first covered day to ``LAST_DAY``.

    Every tenth case falls on a boundary day of the valid case space (a
    rulebook starts or ends, a validity bound changes; ``case/space.py``) or
    on ``LAST_DAY``. Each case is drawn within the space of the evaluator's
    rulebooks, and only cases the evaluator accepts are kept, so the records
    start without errors. ``later_facts=False`` gives the corpus as it was frozen in
    ``tests/regression/corpus.jsonl`` (without the facts the contract gained later, ``case/space.py``
    ``LATER_FACTS``, which come from a second stream so that every other field is the same).
    """
    rng, later = random.Random(seed), random.Random(f"{seed}:later-facts")
    space = case_space(evaluator.books)
    first_day = space.covered.first
    boundaries = [*space.boundary_days, LAST_DAY]
    span = (LAST_DAY - first_day).days
    cases: list[dict[str, Any]] = []
    while len(cases) < count:
        i = len(cases)
        if i % 10 == 9:
            as_of = boundaries[(i // 10) % len(boundaries)]
        else:
            as_of = first_day + timedelta(days=(i * span) // count + rng.randint(0, span // count))
        case = _synthetic_case(rng, min(as_of, LAST_DAY), space)
        if later_facts:
            case["benefit"].update(draw_later_facts(later, space, case["benefit"]["type"], min(as_of, LAST_DAY)))
        try:
            evaluator.evaluate(case, explain=False)
        except CaseError:
            continue
        cases.append({"id": f"c{i + 1:04d}", "case": case})
    return cases


# --- Records -------------------------------------------------------------------
def record_of(case_id: str, decision: Decision) -> dict[str, Any]:
    """What the gate freezes of one decision."""
    statuses = {pid: p.status.value for pid, p in decision.programmes.items()}
    statuses.update({pid: "not_in_force" for pid in decision.not_in_force})
    return {"id": case_id, "as_of": decision.as_of.isoformat(), "rulebook": decision.rulebook.id,
            "statuses": statuses, "conditions": {r.condition: r.outcome.value for r in decision.conditions},
            "explanation_sv": decision.explanation_sv.replace(decision.rulebook.content_hash[:12], HASH_MASK)}


def record_corpus(evaluator: Evaluator, corpus: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """The record of every corpus case under the rulebooks of ``evaluator``."""
    records = []
    for item in corpus:
        try:
            records.append(record_of(item["id"], evaluator.evaluate(item["case"])))
        except CaseError as exc:
            records.append({"id": item["id"], "as_of": str(item["case"].get("as_of")),
                            "error": [[p.field, p.code] for p in exc.problems]})
    return records


def read_jsonl(path: Path) -> list[dict[str, Any]]:
    """One JSON object per line."""
    with path.open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


def write_jsonl(path: Path, rows: Iterable[dict[str, Any]]) -> None:
    """One compact JSON object per line, keys in a stable order (diff-friendly)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8") as handle:
        for row in rows:
            handle.write(json.dumps(row, ensure_ascii=False, sort_keys=True) + "\n")


# --- Comparing records ---------------------------------------------------------
class CaseChange(BaseModel):
    """How one case's recorded decision changed."""

    id: str
    as_of: str
    rulebook: tuple[str | None, str | None]
    statuses: dict[str, tuple[str, str]] = Field(default_factory=dict)
    conditions: dict[str, tuple[str, str]] = Field(default_factory=dict)
    error: tuple[Any, Any] | None = None
    explanation_diff: list[str] = Field(default_factory=list)


class SnapshotDiff(BaseModel):
    """Every difference between the recorded and the current decisions."""

    total: int
    changed: list[CaseChange]
    added: list[str] = Field(default_factory=list)
    removed: list[str] = Field(default_factory=list)

    @property
    def clean(self) -> bool:
        """True when nothing changed."""
        return not (self.changed or self.added or self.removed)

    def status_transitions(self) -> Counter[tuple[str, str, str]]:
        """(programme, before, after) -> number of cases."""
        return Counter((pid, a, b) for c in self.changed for pid, (a, b) in c.statuses.items())

    def condition_transitions(self) -> Counter[tuple[str, str, str]]:
        """(condition, before, after) -> number of cases."""
        return Counter((cid, a, b) for c in self.changed for cid, (a, b) in c.conditions.items())


def _pairs(old: dict[str, str], new: dict[str, str]) -> dict[str, tuple[str, str]]:
    return {k: (old.get(k, ABSENT), new.get(k, ABSENT)) for k in list(old) + [k for k in new if k not in old]
            if old.get(k, ABSENT) != new.get(k, ABSENT)}


def compare_records(old: list[dict[str, Any]], new: list[dict[str, Any]]) -> SnapshotDiff:
    """What changed from the recorded ``old`` to the current ``new`` records."""
    before = {r["id"]: r for r in old}
    after = {r["id"]: r for r in new}
    changed = []
    for case_id, now in after.items():
        was = before.get(case_id)
        if was is None or was == now:
            continue
        change = CaseChange(id=case_id, as_of=now["as_of"], rulebook=(was.get("rulebook"), now.get("rulebook")),
                            statuses=_pairs(was.get("statuses", {}), now.get("statuses", {})),
                            conditions=_pairs(was.get("conditions", {}), now.get("conditions", {})))
        if was.get("error") != now.get("error"):
            change.error = (was.get("error"), now.get("error"))
        if was.get("explanation_sv") != now.get("explanation_sv"):
            change.explanation_diff = [line for line in difflib.unified_diff(
                (was.get("explanation_sv") or "").splitlines(), (now.get("explanation_sv") or "").splitlines(),
                lineterm="", n=0) if not line.startswith(("---", "+++", "@@"))]
        changed.append(change)
    return SnapshotDiff(total=len(after), changed=changed, added=[i for i in after if i not in before],
                        removed=[i for i in before if i not in after])


def summary(diff: SnapshotDiff, examples: int = 3) -> str:
    """A readable review text: counts per programme and status transition, then a few examples."""
    if diff.clean:
        return f"No changes: {diff.total} recorded decisions are unchanged."
    lines = [f"{len(diff.changed)} of {diff.total} recorded decisions changed"
             f" ({len(diff.added)} cases added, {len(diff.removed)} removed)."]
    moved = Counter(c.rulebook for c in diff.changed if c.rulebook[0] != c.rulebook[1])
    for (a, b), n in sorted(moved.items(), key=lambda item: (str(item[0][0]), str(item[0][1]))):
        lines.append(f"  decided by rulebook {a} -> {b}: {n} cases")
    lines.append("Status transitions per programme:")
    transitions = diff.status_transitions()
    for (pid, a, b), n in sorted(transitions.items()):
        lines.append(f"  {pid}: {a} -> {b}: {n}")
    if not transitions:
        lines.append("  (none)")
    conditions = diff.condition_transitions()
    if conditions:
        lines.append("Condition outcome transitions (most frequent first):")
        for (cid, a, b), n in conditions.most_common(15):
            lines.append(f"  {cid}: {a} -> {b}: {n}")
    errors = sum(1 for c in diff.changed if c.error)
    text_only = sum(1 for c in diff.changed if c.explanation_diff and not c.statuses and not c.conditions and not c.error)
    lines.append(f"Validation outcome changed: {errors}; motivering text only: {text_only}.")
    shown = sorted(diff.changed, key=lambda c: (not c.statuses, c.id))[:examples]
    for change in shown:
        lines.append(f"Example {change.id} (as_of {change.as_of}, rulebook {change.rulebook[0]} -> {change.rulebook[1]}):")
        for pid, (a, b) in change.statuses.items():
            lines.append(f"  status {pid}: {a} -> {b}")
        for cid, (a, b) in list(change.conditions.items())[:8]:
            lines.append(f"  condition {cid}: {a} -> {b}")
        if change.error:
            lines.append(f"  validation: {change.error[0]} -> {change.error[1]}")
        lines += [f"  {line}" for line in change.explanation_diff[:12]]
    return "\n".join(lines)
