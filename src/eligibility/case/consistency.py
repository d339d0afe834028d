"""The case consistency rules: what the law of a rulebook cannot contain, each declared once.

A case can be well-formed (the contract, ``models.py``) and still impossible
under the law in force on its ``as_of``: tidsbegränsad sjukersättning after
2012, aktivitetsersättning at 35, more sjukpenning days than the law has, a
decision that has already ended. Each ``ConsistencyRule`` states one such
impossibility with its two forms side by side: ``breaks`` on one case's
flat facts (``validate.check_against_rulebook``) and ``frame``, the same rule
as a boolean mask over a caseload's columns (``validate_frame.rulebook_rules``).
``plain`` runs the per-case form row by row, the oracle of the pairwise test
(``tests/test_consistency_rules.py``).

Both forms read facts by the same names: the case's fields as dotted names,
``as_of``, ``age`` (full years on ``as_of``) and the derived dates ``__ae_limit`` (the first day
without aktivitetsersättning for the person's age) and ``__tbs_point8_last_day`` (the last day of the
18 months counted from it), computed by their declarations in ``facts/derived.py``. A rule names the field and the
code of the problem it reports, and what was expected; it never shows a
personal value. The law's limits come from the rulebook's parameters.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from ..errors import number_shown
from ..models import BenefitType
from .fields import contract_fields

if TYPE_CHECKING:
    import polars as pl
else:  # the frame forms import polars on first use (lazy.py says why)
    from ..lazy import pl

Facts = Mapping[str, Any]

SP, TBS, AE = (BenefitType.SJUKPENNING.value, BenefitType.TIDSBEGRANSAD_SJUKERSATTNING.value,
               BenefitType.AKTIVITETSERSATTNING.value)
IN_FORCE = "__benefit_in_force"
"""Frame column: the row's benefit type exists in the rulebook (every rule but the first reads it)."""

BENEFIT_FIELDS: dict[str, set[BenefitType]] = {
    "sjukpenning_days_used": {BenefitType.SJUKPENNING},
    "allvarlig_sjukdom": {BenefitType.SJUKPENNING},
    "decision_end": {BenefitType.TIDSBEGRANSAD_SJUKERSATTNING, BenefitType.AKTIVITETSERSATTNING},
    "tbs_extension_months_used": {BenefitType.TIDSBEGRANSAD_SJUKERSATTNING},
    # Only someone without benefit can have lost sjukpenning; nobody is refused the benefit they have.
    "sjukpenning_ended": {BenefitType.INGEN},
    "sjukersattning_refused": set(BenefitType) - {BenefitType.SJUKERSATTNING},
    "aktivitetsersattning_refused": set(BenefitType) - {BenefitType.AKTIVITETSERSATTNING},
    "tbs_after_aktivitetsersattning_at_30": {BenefitType.TIDSBEGRANSAD_SJUKERSATTNING},
    "sickness_period_start": {BenefitType.SJUKPENNING},
}
"""Which benefit types a benefit field may be given for (a yes/no field: be true for)."""
YES_NO_BENEFIT_FIELDS = frozenset(name for name in BENEFIT_FIELDS if contract_fields()[f"benefit.{name}"].type is bool)
"""The yes/no fields of ``BENEFIT_FIELDS``: ``false`` is consistent with every benefit type."""


@dataclass(frozen=True)
class LawInForce:
    """What the rules read of a rulebook on a day: its benefits, its parameter values, its name and period."""

    benefits: tuple[str, ...]
    params: Mapping[str, Any]
    rulebook: str
    period: str
    ended: Mapping[str, str] = field(default_factory=dict)
    """Benefit type -> why this rulebook no longer has it (``benefits_ended`` in rulebook.yaml)."""

    def __getitem__(self, name: str) -> Any:
        """A parameter's value; ``None`` when the rulebook does not have it (the law has no such limit)."""
        return self.params.get(name)


@dataclass(frozen=True)
class ConsistencyRule:
    """One impossibility: the field and code it reports, its per-case and frame forms, what was expected.

    ``frame(law, absent)`` is a mask (true: the row breaks the rule) or
    ``None`` when no row can break it (the law has no such limit, or a field
    it needs is null on every row: ``absent``). ``stops``: when broken, the
    other rules are not checked (they assume the benefit exists).
    """

    field: str
    code: str
    reads: tuple[str, ...]
    breaks: Callable[[Facts, LawInForce], bool]
    frame: Callable[[LawInForce, frozenset[str]], pl.Expr | None]
    expected: Callable[[LawInForce, Facts], str]
    found: Callable[[Facts], str | None] = lambda facts: None
    stops: bool = False

    def plain(self, law: LawInForce) -> pl.Expr:
        """The per-case form over every row: the frame form's oracle in the tests."""
        return pl.struct([pl.col(name) for name in self.reads]).map_elements(
            lambda row: bool(self.breaks(row, law)), return_dtype=pl.Boolean).alias(f"{self.field}: {self.code}")


def _t() -> pl.Expr:
    return pl.col("benefit.type")


def _unless_absent(*fields: str) -> Callable[[Callable[[LawInForce], pl.Expr | None]],
                                              Callable[[LawInForce, frozenset[str]], pl.Expr | None]]:
    """A frame form that cannot fire when one of ``fields`` is null on every row."""
    def wrap(build: Callable[[LawInForce], pl.Expr | None]) -> Callable[[LawInForce, frozenset[str]], pl.Expr | None]:
        return lambda law, absent: None if any(f in absent for f in fields) else build(law)
    return wrap


def _field_rule(field: str, types: set[BenefitType]) -> ConsistencyRule:
    """A benefit field given for a benefit type it does not concern.

    A yes/no field may still be given as ``false`` for the other types: it is
    false for them (nobody is refused the benefit they have), and that is the
    one answer the exact semantics can complete it with (decision 75); ``true``
    is refused.
    """
    path, codes = f"benefit.{field}", sorted(t.value for t in types)
    if field in YES_NO_BENEFIT_FIELDS:
        return ConsistencyRule(
            path, "field_not_for_benefit", ("benefit.type", path),
            lambda f, law: f[path] is True and f["benefit.type"] not in codes,
            _unless_absent(path)(lambda law: pl.col(path).fill_null(False) & _t().is_in(codes).not_()),
            lambda law, f: f"only true for {' or '.join(codes)} (false or no value for other benefits)",
            lambda f: f"true for {f['benefit.type']!r}")
    return ConsistencyRule(
        path, "field_not_for_benefit", ("benefit.type", path),
        lambda f, law: f[path] is not None and f["benefit.type"] not in codes,
        _unless_absent(path)(lambda law: pl.col(path).is_not_null() & _t().is_in(codes).not_()),
        lambda law, f: f"only given for {' or '.join(codes)}",
        lambda f: f"given for {f['benefit.type']!r}")


def _tbs_last(law: LawInForce) -> Any:
    return law["tbs_senaste_slutdag"]


def _outside_ae_ages(f: Facts, law: LawInForce) -> bool:
    low, high = law["ae_lagsta_alder"], law["ae_hogsta_alder"]
    return f["benefit.type"] == AE and low is not None and high is not None and not low <= f["age"] <= high


def _too_many_days(f: Facts, law: LawInForce) -> bool:
    most, days = law["sjukpenning_max_dagar"], f["benefit.sjukpenning_days_used"]
    return (f["benefit.type"] == SP and most is not None and days is not None
            and f["benefit.allvarlig_sjukdom"] is not True and days > most)


def _too_many_days_frame(law: LawInForce) -> pl.Expr | None:
    most = law["sjukpenning_max_dagar"]
    if most is None:
        return None
    serious = pl.col("benefit.allvarlig_sjukdom").fill_null(False)
    return (_t() == SP) & serious.not_() & (pl.col("benefit.sjukpenning_days_used") > most)


POINT8, START = "benefit.tbs_after_aktivitetsersattning_at_30", "benefit.sickness_period_start"
AE_LIMIT, POINT8_LAST = "__ae_limit", "__tbs_point8_last_day"
DERIVED_READ = ("age", AE_LIMIT, POINT8_LAST)
"""The derived facts the rules read (both validators compute them from their declarations first)."""


def _point8(f: Facts) -> bool:
    return f["benefit.type"] == TBS and f[POINT8] is True


def _point8_frame() -> pl.Expr:
    return (_t() == TBS) & pl.col(POINT8).fill_null(False)


def _point8_rules() -> tuple[ConsistencyRule, ...]:
    """SFS 2009:554 punkt 8, second sentence: TBS for someone whose AE ended at 30, for at most the
    extension months counted from the AE's end, from the day the sentence took effect."""
    since = "tbs_efter_ae_vid_30_fran"
    return (
        ConsistencyRule(POINT8, "point8_not_in_force", ("as_of", "benefit.type", POINT8),
                        lambda f, law: _point8(f) and law[since] is not None and f["as_of"] < law[since],
                        _unless_absent(POINT8)(lambda law: None if law[since] is None else
                                               _point8_frame() & (pl.col("as_of") < pl.lit(law[since], pl.Date))),
                        lambda law, f: f"true only from {law[since]}, when SFS 2009:554 punkt 8 took effect"),
        ConsistencyRule(POINT8, "aktivitetsersattning_not_ended", ("as_of", "benefit.type", POINT8, AE_LIMIT),
                        lambda f, law: _point8(f) and f["as_of"] < f[AE_LIMIT],
                        _unless_absent(POINT8)(lambda law: _point8_frame() & (pl.col("as_of") < pl.col(AE_LIMIT))),
                        lambda law, f: "true only once the aktivitetsersättning has ended at the age limit (from the "
                                       "first day of the month in which the person turns "
                                       f"{law['ae_hogsta_alder'] + 1})" if law["ae_hogsta_alder"] is not None else
                                       "true only once the aktivitetsersättning has ended at the age limit"),
        ConsistencyRule(POINT8, "point8_months_passed", ("as_of", "benefit.type", POINT8, POINT8_LAST),
                        lambda f, law: _point8(f) and f[POINT8_LAST] is not None and f["as_of"] > f[POINT8_LAST],
                        _unless_absent(POINT8)(lambda law: _point8_frame() & (pl.col("as_of") > pl.col(POINT8_LAST))),
                        lambda law, f: f"true only within {law['tbs_max_forlangning_manader']} months from the end "
                                       "of the aktivitetsersättning"),
        ConsistencyRule("benefit.decision_end", "after_point8_months",
                        ("benefit.type", POINT8, "benefit.decision_end", POINT8_LAST),
                        lambda f, law: (_point8(f) and f[POINT8_LAST] is not None
                                        and f["benefit.decision_end"] is not None
                                        and f["benefit.decision_end"] > f[POINT8_LAST]),
                        _unless_absent(POINT8, "benefit.decision_end")(
                            lambda law: _point8_frame() & (pl.col("benefit.decision_end") > pl.col(POINT8_LAST))),
                        lambda law, f: f"a date at most {law['tbs_max_forlangning_manader']} months after the end of "
                                       "the aktivitetsersättning (SFS 2009:554 punkt 8)"),
    )


def _period(law: LawInForce, f: Facts) -> str:
    text = f"a benefit that exists under rulebook {law.rulebook}, in force {law.period} ({', '.join(law.benefits)})"
    why = law.ended.get(f.get("benefit.type"))
    return f"{text}; {f['benefit.type']}: {why}" if why else text


RULES: tuple[ConsistencyRule, ...] = (
    ConsistencyRule("benefit.type", "benefit_not_in_force", ("benefit.type",),
                    lambda f, law: f["benefit.type"] not in law.benefits,
                    lambda law, absent: _t().is_not_null() & pl.col(IN_FORCE).not_(),
                    _period, lambda f: repr(f["benefit.type"]), stops=True),
    *(_field_rule(field, types) for field, types in BENEFIT_FIELDS.items()),
    ConsistencyRule("benefit.decision_end", "decision_ended", ("as_of", "benefit.decision_end"),
                    lambda f, law: f["benefit.decision_end"] is not None and f["benefit.decision_end"] < f["as_of"],
                    _unless_absent("benefit.decision_end")(
                        lambda law: pl.col("benefit.decision_end") < pl.col("as_of")),
                    lambda law, f: "a date on or after as_of (the benefit must still be running)"),
    ConsistencyRule("as_of", "tbs_after_last_day", ("as_of", "benefit.type"),
                    lambda f, law: f["benefit.type"] == TBS and (_tbs_last(law) is None or f["as_of"] > _tbs_last(law)),
                    lambda law, absent: (_t() == TBS) & (pl.lit(True) if _tbs_last(law) is None
                                                         else pl.col("as_of") > pl.lit(_tbs_last(law), pl.Date)),
                    lambda law, f: f"a date on or before {_tbs_last(law)} for tidsbegränsad sjukersättning "
                                   "(it could not be paid after that day)"),
    ConsistencyRule("benefit.decision_end", "tbs_after_last_day", ("benefit.type", "benefit.decision_end"),
                    lambda f, law: (f["benefit.type"] == TBS and _tbs_last(law) is not None
                                    and f["benefit.decision_end"] is not None
                                    and f["benefit.decision_end"] > _tbs_last(law)),
                    _unless_absent("benefit.decision_end")(
                        lambda law: None if _tbs_last(law) is None else
                        (_t() == TBS) & (pl.col("benefit.decision_end") > pl.lit(_tbs_last(law), pl.Date))),
                    lambda law, f: f"a date on or before {_tbs_last(law)}"),
    ConsistencyRule("benefit.tbs_extension_months_used", "too_many_months",
                    ("benefit.type", "benefit.tbs_extension_months_used"),
                    lambda f, law: (f["benefit.type"] == TBS and law["tbs_max_forlangning_manader"] is not None
                                    and f["benefit.tbs_extension_months_used"] is not None
                                    and f["benefit.tbs_extension_months_used"] > law["tbs_max_forlangning_manader"]),
                    _unless_absent("benefit.tbs_extension_months_used")(
                        lambda law: None if law["tbs_max_forlangning_manader"] is None else
                        (_t() == TBS) & (pl.col("benefit.tbs_extension_months_used")
                                         > law["tbs_max_forlangning_manader"])),
                    lambda law, f: f"at most {law['tbs_max_forlangning_manader']}",
                    lambda f: number_shown(f["benefit.tbs_extension_months_used"])),
    ConsistencyRule("benefit.type", "age_outside_benefit", ("benefit.type", "age"), _outside_ae_ages,
                    lambda law, absent: None if law["ae_lagsta_alder"] is None or law["ae_hogsta_alder"] is None else
                    (_t() == AE) & pl.col("age").is_between(law["ae_lagsta_alder"], law["ae_hogsta_alder"]).not_(),
                    lambda law, f: f"aktivitetsersättning only for ages {law['ae_lagsta_alder']}-"
                                   f"{law['ae_hogsta_alder']} on as_of",
                    lambda f: "a person outside that age"),
    *_point8_rules(),
    ConsistencyRule(START, "start_after_as_of", ("as_of", START),
                    lambda f, law: f[START] is not None and f[START] > f["as_of"],
                    _unless_absent(START)(lambda law: pl.col(START) > pl.col("as_of")),
                    lambda law, f: "a date on or before as_of (the sickness period has begun)"),
    ConsistencyRule("benefit.sjukpenning_days_used", "too_many_days",
                    ("benefit.type", "benefit.allvarlig_sjukdom", "benefit.sjukpenning_days_used"), _too_many_days,
                    _unless_absent("benefit.sjukpenning_days_used")(_too_many_days_frame),
                    lambda law, f: f"at most {law['sjukpenning_max_dagar']} days unless allvarlig_sjukdom is true",
                    lambda f: number_shown(f["benefit.sjukpenning_days_used"])),
)
"""Every consistency rule, in the order their problems are reported."""
