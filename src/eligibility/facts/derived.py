"""The case-level derived facts and key dates, each declared once with its per-case and frame form.

A ``DerivedFact`` reads facts by name (the case's fields as dotted names,
``as_of``, the birth date ``__birth`` and earlier derived facts) and the
rulebook's parameters. Its per-case form computes one value from a mapping
of those facts (``None``: unknown); its frame form is the same rule as a
polars expression over columns with the same names, written for speed (no
checked casts, no guard a null already gives, see docs/performance.md).
``plain`` runs the per-case form row by row over a frame: the oracle that
``tests/test_derived_facts.py`` holds each frame form to.

``facts/derive.py`` (one case) and ``backends/frame.py`` (a caseload) both
compile this list; neither defines a derived fact of its own. A kind's own
facts (``threshold.<condition>``) stay with the kind in ``conditions/``.

Names starting with ``__`` are steps that exist to share work (the age key,
the age-limit day) or to keep parts that differ between rulebooks apart, so
that the frame plan merges the rest across rulebooks; they are not facts a
condition may read. ``key_dates.*`` become the decision's ``KeyDates``.

Why rows are trusted: the frame blanks every invalid row afterwards, so for
the rows that count a benefit field is only present with its own benefit
type (``case/consistency.py``): ``decision_end`` only for TBS and AE, the
sjukpenning fields only for sjukpenning.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import TYPE_CHECKING, Any

from ..case.fields import BIRTH
from ..models import BenefitType
from . import dates

if TYPE_CHECKING:
    import polars as pl

    from . import calendar
else:  # the frame forms import polars on first use (lazy.py says why)
    from ..lazy import calendar, pl

Facts = Mapping[str, Any]
Params = Mapping[str, Any]

BIRTH_KEY, AE_LIMIT = "__birth_key", "__ae_limit"
END_CAUSE = "__end_unknown_because"
"""The case field whose absence leaves the benefit's end unknown: what a question asks for."""

# Parameters the derivations read by name (their values live in rules/).
SP_MAX_DAYS = "sjukpenning_max_dagar"
AE_MAX_AGE = "ae_hogsta_alder"
HPS_MONTHS = "hps_minsta_kvarvarande_manader"
BEREDNING_MONTHS = "beredningsgrupp_manader_fore_slut"
TBS_MAX_MONTHS = "tbs_max_forlangning_manader"
REHAB_DAYS = ("rehabkedjan_dag_annat_arbete_hos_arbetsgivaren", "rehabkedjan_dag_hela_arbetsmarknaden",
              "rehabkedjan_dag_efter_ett_ar")
"""Rehabiliteringskedjan's fixed points, as day numbers of the sickness period (day 1 = its first day)."""
_FIXED_POINT_KEYS = ("sickness_day_any_work_at_employer", "sickness_day_whole_labour_market",
                     "sickness_day_after_one_year")

SP, TBS, AE = (BenefitType.SJUKPENNING.value, BenefitType.TIDSBEGRANSAD_SJUKERSATTNING.value,
               BenefitType.AKTIVITETSERSATTNING.value)
NO_END = (BenefitType.SJUKERSATTNING.value, BenefitType.INGEN.value)
_CAUSES = ("benefit.allvarlig_sjukdom", "benefit.sjukpenning_days_used", "benefit.decision_end")
POINT8, START = "benefit.tbs_after_aktivitetsersattning_at_30", "benefit.sickness_period_start"
POINT8_LAST = "__tbs_point8_last_day"


@dataclass(frozen=True)
class DerivedFact:
    """One derived fact: what it reads, its per-case form, its frame form, and why it may be unknown.

    ``unknown_because`` gives, for a case where the value is unknown, the case
    fields that would make it known (``None``: the fact is not asked about).
    ``dtype`` names the polars type of the frame form.
    """

    name: str
    reads: tuple[str, ...]
    per_case: Callable[[Facts, Params], Any]
    frame: Callable[[Params], pl.Expr]
    dtype: str = "Date"
    parameters: tuple[str, ...] = ()
    unknown_because: Callable[[Facts], list[str] | None] = lambda facts: None
    daily: bool = False
    """The value grows by one each calendar day while the case stays as it is (the timeline moves it)."""
    cause_reads: tuple[str, ...] = ()
    """The facts ``unknown_because`` reads (a frame hands the questions these columns too)."""

    def plain(self, params: Params) -> pl.Expr:
        """The per-case form over every row: the frame form's oracle in the tests."""
        reads = list(self.reads)
        dtype = pl.Enum(list(_CAUSES)) if self.dtype == "Cause" else getattr(pl, self.dtype)
        return pl.struct([pl.col(r) for r in reads]).map_elements(
            lambda row: self.per_case(row, params), return_dtype=dtype, skip_nulls=False).alias(self.name)


def _col(name: str) -> pl.Expr:
    return pl.col(name)


def _type() -> pl.Expr:
    return pl.col("benefit.type")


# --- the birth date, ages and the age limit ---------------------------------------------------------------------
def _ae_limit(facts: Facts, params: Params) -> date:
    """First day without aktivitetsersättning: the 1st of the month of the birthday after the top age."""
    return dates.first_of_month_after(facts[BIRTH], (params[AE_MAX_AGE] + 1) * 12)


def _age(facts: Facts, params: Params) -> int:
    return dates.age_on(facts[BIRTH], facts["as_of"])


_AGES = [
    DerivedFact(BIRTH_KEY, (BIRTH,), lambda f, p: dates.birth_key(f[BIRTH]),
                lambda p: dates.birth_key.frame(_col(BIRTH)), "Int32"),
    DerivedFact("age", ("as_of", BIRTH, BIRTH_KEY), _age,
                lambda p: dates.age_on.frame(_col(BIRTH), _col("as_of"), key=_col(BIRTH_KEY)), "Int32"),
    # Required dates (as_of, birth): a row without one is invalid and blanked, so no null mask is needed.
    DerivedFact(AE_LIMIT, (BIRTH,), _ae_limit,
                lambda p: dates.first_of_month_after.frame(_col(BIRTH), (p[AE_MAX_AGE] + 1) * 12, nulls=False),
                parameters=(AE_MAX_AGE,)),
]


# --- the benefit's end ----------------------------------------------------------------------------------------
def _sp_has_end(facts: Facts, params: Params) -> bool | None:
    if params[SP_MAX_DAYS] is None:  # the limit itself is abolished
        return False
    serious = facts["benefit.allvarlig_sjukdom"]
    return None if serious is None else not serious


def _sp_end(facts: Facts, params: Params) -> date | None:
    days = facts["benefit.sjukpenning_days_used"]
    if params[SP_MAX_DAYS] is None or facts["benefit.allvarlig_sjukdom"] is not False or days is None:
        return None
    return dates.add_days(facts["as_of"], params[SP_MAX_DAYS] - days)


def _sp_end_frame(params: Params) -> pl.Expr:
    if params[SP_MAX_DAYS] is None:
        return pl.lit(None, pl.Date)
    left = pl.lit(params[SP_MAX_DAYS], pl.Int32) - calendar.day_count(_col("benefit.sjukpenning_days_used"))
    return pl.when(_col("benefit.allvarlig_sjukdom").not_()).then(dates.add_days.frame(_col("as_of"), left))


def _has_end(facts: Facts, params: Params) -> bool | None:
    kind = facts["benefit.type"]
    return False if kind in NO_END else facts["__sp_has_end"] if kind == SP else True


def _end_cause(facts: Facts, params: Params) -> str | None:
    kind = facts["benefit.type"]
    if kind == SP and params[SP_MAX_DAYS] is not None:
        serious = facts["benefit.allvarlig_sjukdom"]
        if serious is None:
            return "benefit.allvarlig_sjukdom"
        if serious is False and facts["benefit.sjukpenning_days_used"] is None:
            return "benefit.sjukpenning_days_used"
    if kind in (TBS, AE) and facts["benefit.decision_end"] is None:
        return "benefit.decision_end"
    return None


def _end_cause_frame(params: Params) -> pl.Expr:
    causes = pl.Enum(list(_CAUSES))
    sp, serious = _type() == SP, _col("benefit.allvarlig_sjukdom")
    decision = pl.when(_type().is_in([TBS, AE]) & _col("benefit.decision_end").is_null()) \
        .then(pl.lit("benefit.decision_end", causes))
    if params[SP_MAX_DAYS] is None:
        return pl.coalesce(pl.lit(None, causes), decision)
    sickness = pl.when(sp & serious.is_null()).then(pl.lit("benefit.allvarlig_sjukdom", causes)) \
        .when(sp & serious.not_() & _col("benefit.sjukpenning_days_used").is_null()) \
        .then(pl.lit("benefit.sjukpenning_days_used", causes))
    return pl.coalesce(sickness, decision)


def _end(facts: Facts, params: Params) -> date | None:
    kind = facts["benefit.type"]
    if kind == SP:
        return facts["__sp_end"]
    decision_end = facts["__decision_end_exclusive"]
    if kind == AE and decision_end is not None:
        return min(decision_end, facts[AE_LIMIT])
    return decision_end if kind in (TBS, AE) else None


_END_CAUSE_READS = (END_CAUSE,)


def _end_causes(facts: Facts) -> list[str]:
    cause = facts.get(END_CAUSE)
    return [cause] if cause else []


_SP_READS = ("benefit.allvarlig_sjukdom", "benefit.sjukpenning_days_used")
_END = [
    DerivedFact("__decision_end_exclusive", ("benefit.decision_end",),
                lambda f, p: None if f["benefit.decision_end"] is None else dates.add_days(f["benefit.decision_end"], 1),
                lambda p: dates.add_days.frame(_col("benefit.decision_end"), 1)),
    # The only parts that differ with the sjukpenning limit: apart, so that the rest merges across rulebooks.
    DerivedFact("__sp_has_end", ("benefit.allvarlig_sjukdom",), _sp_has_end,
                lambda p: pl.lit(False) if p[SP_MAX_DAYS] is None else _col("benefit.allvarlig_sjukdom").not_(),
                "Boolean", (SP_MAX_DAYS,)),
    DerivedFact("__sp_end", ("as_of", *_SP_READS), _sp_end, _sp_end_frame, parameters=(SP_MAX_DAYS,)),
    DerivedFact("benefit_has_end", ("benefit.type", "__sp_has_end"), _has_end,
                lambda p: pl.when(_type().is_in(list(NO_END))).then(False).when(_type() == SP)
                .then(_col("__sp_has_end")).otherwise(True), "Boolean", unknown_because=_end_causes,
                cause_reads=_END_CAUSE_READS),
    DerivedFact(END_CAUSE, ("benefit.type", "benefit.decision_end", *_SP_READS), _end_cause, _end_cause_frame,
                "Cause", (SP_MAX_DAYS,)),
    # TBS: the decision's end; AE: that or the age limit, whichever is earlier; other types: none.
    DerivedFact("benefit_end_exclusive", ("benefit.type", "__sp_end", "__decision_end_exclusive", AE_LIMIT), _end,
                lambda p: pl.when(_type() == SP).then(_col("__sp_end"))
                .otherwise(calendar.capped(_col("__decision_end_exclusive"), _col(AE_LIMIT), where=_type() == AE)),
                unknown_because=_end_causes, cause_reads=_END_CAUSE_READS),
]


# --- what follows from the end -----------------------------------------------------------------------------------
def _when_end(compute: Callable[[date, Facts, Params], Any]) -> Callable[[Facts, Params], Any]:
    """A per-case form that is unknown while the benefit's end is."""
    def per_case(facts: Facts, params: Params) -> Any:
        end = facts["benefit_end_exclusive"]
        return None if end is None else compute(end, facts, params)
    return per_case


def _age_at_end(facts: Facts, params: Params) -> int | None:
    """No end: the age now; an end: the age at the end of its month (unknown while the end is)."""
    if facts["benefit_has_end"] is False:
        return facts["age"]
    end = facts["benefit_end_exclusive"]
    return None if end is None else dates.age_at_month_end(facts[BIRTH], end)


def _only_for(kind: str, compute: Callable[[date, Facts, Params], Any]) -> Callable[[Facts, Params], Any]:
    inner = _when_end(compute)
    return lambda facts, params: inner(facts, params) if facts["benefit.type"] == kind else None


_END_COL = "benefit_end_exclusive"
_FOLLOWING = [
    DerivedFact("age_at_benefit_end", ("benefit_has_end", "age", BIRTH, BIRTH_KEY, _END_COL), _age_at_end,
                lambda p: pl.when(_col("benefit_has_end").not_()).then(_col("age"))
                .otherwise(dates.age_at_month_end.frame(_col(BIRTH), _col(_END_COL), key=_col(BIRTH_KEY))),
                "Int32", unknown_because=_end_causes, cause_reads=_END_CAUSE_READS),
    DerivedFact("benefit.ends_at_age_limit", ("benefit.type", _END_COL, AE_LIMIT),
                _only_for(AE, lambda end, f, p: end == f[AE_LIMIT]),
                lambda p: pl.when(_type() == AE).then(_col(_END_COL) == _col(AE_LIMIT)), "Boolean",
                unknown_because=lambda f: _end_causes(f) if f.get("benefit.type") == AE else None,
                cause_reads=(*_END_CAUSE_READS, "benefit.type")),
    DerivedFact("key_dates.benefit_end_exclusive", (_END_COL,), _when_end(lambda end, f, p: end),
                lambda p: _col(_END_COL)),
    DerivedFact("key_dates.benefit_last_day", (_END_COL,), _when_end(lambda end, f, p: dates.add_days(end, -1)),
                lambda p: dates.add_days.frame(_col(_END_COL), -1)),
    DerivedFact("key_dates.beredningsgrupp_deadline", (_END_COL,),
                _when_end(lambda end, f, p: dates.last_day_with_months_left(end, p[BEREDNING_MONTHS])),
                lambda p: dates.last_day_with_months_left.frame(_col(_END_COL), p[BEREDNING_MONTHS]),
                parameters=(BEREDNING_MONTHS,)),
    DerivedFact("key_dates.last_day_with_hps_months_left", (_END_COL,),
                _when_end(lambda end, f, p: dates.last_day_with_months_left(end, p[HPS_MONTHS])),
                lambda p: dates.last_day_with_months_left.frame(_col(_END_COL), p[HPS_MONTHS]),
                parameters=(HPS_MONTHS,)),
    DerivedFact("key_dates.birthday_30", (BIRTH,), lambda f, p: dates.birthday(f[BIRTH], p[AE_MAX_AGE] + 1),
                lambda p: dates.birthday.frame(_col(BIRTH), p[AE_MAX_AGE] + 1, nulls=False),
                parameters=(AE_MAX_AGE,)),
    DerivedFact("key_dates.aktivitetsersattning_end", ("benefit.type", _END_COL),
                _only_for(AE, lambda end, f, p: dates.add_days(end, -1)),
                lambda p: pl.when(_type() == AE).then(dates.add_days.frame(_col(_END_COL), -1))),
    DerivedFact("key_dates.sjukpenning_days_left", ("benefit.type", "as_of", _END_COL),
                _only_for(SP, lambda end, f, p: max(0, (end - f["as_of"]).days)),
                lambda p: _days_left_frame(), "Int32"),
]


# --- arbetslivsintroduktion's last start day ---------------------------------------------------------------------
ALI_LAST_START = "ali_senaste_startdag"


def _ends_by_ali_last_start(facts: Facts, params: Params) -> bool | None:
    """Whether the earliest start of arbetslivsintroduktion, the day after the benefit ends (its first day
    without benefit), is on or before the programme's last start day. A benefit without end gives no start
    day (false); an end not known yet, unknown. Only in rulebooks that have the programme's last start day."""
    last = params.get(ALI_LAST_START)
    if last is None or facts["benefit_has_end"] is None:
        return None
    if facts["benefit_has_end"] is False:
        return False
    end = facts["benefit_end_exclusive"]
    return None if end is None else end <= last


def _ends_by_ali_last_start_frame(params: Params) -> pl.Expr:
    last = params.get(ALI_LAST_START)
    if last is None:
        return pl.lit(None, pl.Boolean)
    return pl.when(_col("benefit_has_end").not_()).then(False) \
        .otherwise(_col("benefit_end_exclusive") <= pl.lit(last, pl.Date))


_ALI = [
    DerivedFact("benefit.ends_by_ali_last_start_day", ("benefit_has_end", "benefit_end_exclusive"),
                _ends_by_ali_last_start, _ends_by_ali_last_start_frame, "Boolean", unknown_because=_end_causes,
                cause_reads=_END_CAUSE_READS),
]


# --- tidsbegränsad sjukersättning after aktivitetsersättning ended at 30 (SFS 2009:554 punkt 8) ---------------
def _point8_last(facts: Facts, params: Params) -> date | None:
    """The last day of the 18 months counted from the first day without aktivitetsersättning."""
    months = params.get(TBS_MAX_MONTHS)
    return None if months is None else dates.add_days(dates.add_months(facts[AE_LIMIT], months), -1)


def _point8_last_frame(params: Params) -> pl.Expr:
    months = params.get(TBS_MAX_MONTHS)
    if months is None:
        return pl.lit(None, pl.Date)
    return dates.add_days.frame(dates.add_months.frame(_col(AE_LIMIT), months, nulls=False), -1)


def _point8_window(facts: Facts) -> bool:
    """Whether the point-8 fact may be true on ``as_of`` (case/consistency.py): after the AE's end, in the 18 months."""
    last = facts[POINT8_LAST]
    return last is not None and facts[AE_LIMIT] <= facts["as_of"] <= last


def _point8_reached(facts: Facts, params: Params) -> bool | None:
    """Whether a TBS granted under point 8 reaches its 18 months with this decision.

    False for every other TBS, and for an unknown point-8 fact when the case could not be a point-8 case
    (outside the window validation allows it in) or the decision ends before the 18 months would: both
    answers give false then. Unknown only when the answer decides it.
    """
    if facts["benefit.type"] != TBS:
        return None
    flag, end, last = facts[POINT8], facts["benefit.decision_end"], facts[POINT8_LAST]
    if flag is False or last is None or (flag is None and not _point8_window(facts)):
        return False
    if end is None:
        return None
    if end < last:
        return False
    return True if flag else None


def _point8_reached_frame(params: Params) -> pl.Expr:
    flag, end, last = _col(POINT8), _col("benefit.decision_end"), _col(POINT8_LAST)
    window = (_col(AE_LIMIT) <= _col("as_of")) & (_col("as_of") <= last)
    return (pl.when(_type() != TBS).then(None)
            .when(flag.not_() | last.is_null() | (flag.is_null() & window.not_())).then(False)
            .when(end.is_null()).then(None)
            .when(end < last).then(False)
            .when(flag).then(True))


def _point8_causes(facts: Facts) -> list[str] | None:
    if facts.get("benefit.type") != TBS:
        return None
    return [name for name in (POINT8, "benefit.decision_end") if facts.get(name) is None]


_POINT8 = [
    DerivedFact(POINT8_LAST, (AE_LIMIT,), _point8_last, _point8_last_frame),
    DerivedFact("benefit.tbs_point8_limit_reached",
                ("benefit.type", POINT8, "benefit.decision_end", "as_of", AE_LIMIT, POINT8_LAST),
                _point8_reached, _point8_reached_frame, "Boolean", unknown_because=_point8_causes,
                cause_reads=("benefit.type", POINT8, "benefit.decision_end")),
    DerivedFact("key_dates.tbs_point8_last_day", ("benefit.type", POINT8, POINT8_LAST),
                lambda f, p: f[POINT8_LAST] if f["benefit.type"] == TBS and f[POINT8] is True else None,
                lambda p: pl.when((_type() == TBS) & _col(POINT8).fill_null(False)).then(_col(POINT8_LAST))),
]


# --- rehabiliteringskedjan: the day of the sickness period ------------------------------------------------------
def _sickness_day(facts: Facts, params: Params) -> int | None:
    start = facts[START]
    return None if start is None or facts["benefit.type"] != SP else (facts["as_of"] - start).days + 1


def _fixed_point(parameter: str, key: str) -> DerivedFact:
    """The date of day N (``parameter``) of the sickness period: its first day + (N - 1) days."""
    return DerivedFact(
        f"key_dates.{key}", ("benefit.type", START),
        lambda f, p: None if f[START] is None or f["benefit.type"] != SP else dates.add_days(f[START], p[parameter] - 1),
        lambda p: pl.when(_type() == SP).then(dates.add_days.frame(_col(START), p[parameter] - 1)),
        parameters=(parameter,))


_REHAB = [
    DerivedFact("sickness_period_day", ("benefit.type", "as_of", START), _sickness_day,
                lambda p: pl.when(_type() == SP).then(dates.days_between.frame(_col(START), _col("as_of")) + 1),
                "Int32", unknown_because=lambda f: [START] if f.get("benefit.type") == SP else None, daily=True,
                cause_reads=("benefit.type",)),
]


def _days_left_frame() -> pl.Expr:
    sp, left = _type() == SP, dates.days_between.frame(_col("as_of"), _col(_END_COL))
    return pl.when(sp & (left < 0)).then(pl.lit(0, pl.Int32)).when(sp).then(left)


DERIVED: tuple[DerivedFact, ...] = (*_AGES, *_END, *_FOLLOWING, *_ALI, *_POINT8, *_REHAB,
                                  *(_fixed_point(name, key) for name, key in zip(REHAB_DAYS, _FIXED_POINT_KEYS)))
"""Every case-level derived fact, each after the facts it reads."""

DERIVED_BY_NAME = {item.name: item for item in DERIVED}
FACT_NAMES = tuple(item.name for item in DERIVED if not item.name.startswith(("__", "key_dates.")))
"""The derived facts a condition may read (besides ``as_of``)."""
KEY_DATES = tuple(item for item in DERIVED if item.name.startswith("key_dates."))
REQUIRED_PARAMETERS = tuple(dict.fromkeys(p for item in DERIVED for p in item.parameters))
CAUSE_READS = tuple(dict.fromkeys(name for item in DERIVED for name in item.cause_reads))
"""Every fact a declared cause of an unknown derived fact reads."""


def derive_all(known: Mapping[str, Any], params: Params) -> dict[str, Any]:
    """The facts with every derived fact's per-case value added (``None``: unknown), in declaration order.

    ``known`` holds the case's known facts, ``as_of`` and ``__birth``; an
    unknown case fact is absent from it and reads as ``None`` (it is in the
    result, as ``None``).
    """
    facts: dict[str, Any] = dict.fromkeys(_CASE_INPUTS)
    facts.update(known)
    for item in DERIVED:
        facts[item.name] = item.per_case(facts, params)
    return facts


_CASE_INPUTS = tuple(dict.fromkeys(name for item in DERIVED for name in item.reads if name not in DERIVED_BY_NAME))
