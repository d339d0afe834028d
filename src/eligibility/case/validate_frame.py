"""Case validation for whole caseloads: ``validate.py``'s rules as row-error expressions.

Each rule is ``when(mask).then("field: code")``; a row's ``error`` joins the
rules that fired (``benefit.decision_end: decision_ended; ...``), with the
same field paths and codes as ``CaseError``'s problems. No personal value is
ever put in an error. ``tests/test_columnar.py`` checks that a row gets an
error exactly when the per-case validation raises ``CaseError``.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from ..facts import dates_frame as dc
from ..models import BenefitType
from ..rulebooks.rulebook import Rulebook
from .validate import _BENEFIT_FIELDS, personnummer_birth_date

BIRTH, ERROR = "__birth", "error"
_T = pl.col("benefit.type")


def _rule(mask: pl.Expr, field: str, code: str) -> pl.Expr:
    """A row-error rule: a boolean mask named ``field: code`` (null counts as not fired)."""
    return mask.alias(f"{field}: {code}")


def with_errors(frame: pl.DataFrame, rules: list[pl.Expr]) -> pl.DataFrame:
    """Add ``error``: the names of the rules that fired, joined by ``; ``; null when none fired.

    The masks are cheap booleans; the text is only built for the (few) rows
    that have an error.
    """
    if not rules:
        return frame.with_columns(pl.lit(None, pl.String).alias(ERROR))
    invalid = frame.select(pl.any_horizontal(rules).fill_null(False)).to_series()
    errors = pl.repeat(None, frame.height, dtype=pl.String, eager=True).alias(ERROR)
    if invalid.any():
        bad = frame.filter(invalid)
        texts = bad.select(pl.concat_str([pl.when(r).then(pl.lit(r.meta.output_name())) for r in rules],
                                         separator="; ", ignore_nulls=True)).to_series()
        errors = errors.scatter(invalid.arg_true(), texts)
    return frame.with_columns(errors)


def no_rulebook() -> pl.Expr:
    """The row's ``as_of`` lies outside every rulebook's period."""
    return _rule(pl.col("as_of").is_not_null(), "as_of", "no_rulebook_in_force")


def _birth_from_personnummer(number: str) -> date | None:
    return personnummer_birth_date(number)  # the per-case rule, so both accept the same numbers


def with_birth(frame: pl.DataFrame) -> tuple[pl.DataFrame, list[pl.Expr]]:
    """Add the birth date (``birth_date`` or a valid personnummer) and the rules about it.

    A personnummer's check digit is verified per row in Python (the
    ``personnummer`` package); only rows that carry one pay for it. Rules that
    no row can break (no personnummer at all, a birth date on every row) are
    left out.
    """
    number, given = pl.col("person.personnummer"), pl.col("person.birth_date")
    rules = []
    if frame["person.personnummer"].null_count() < frame.height:
        from_pnr = pl.col("__pnr_birth")
        frame = frame.with_columns(number.map_elements(_birth_from_personnummer, return_dtype=pl.Date,
                                                       skip_nulls=True).alias("__pnr_birth"))
        frame = frame.with_columns(pl.coalesce(from_pnr, given).alias(BIRTH))
        rules += [
            _rule(number.is_not_null() & from_pnr.is_null(), "person.personnummer", "personnummer"),
            _rule(from_pnr.is_not_null() & given.is_not_null() & (from_pnr != given), "person.birth_date",
                  "mismatch"),
        ]
    else:
        frame = frame.with_columns(given.alias(BIRTH))
    if frame["person.birth_date"].null_count():
        # Dates outside the calendar tables are blanked, but still a birth date was given.
        given_any = given.is_not_null() | pl.col("__outside.person.birth_date").fill_null(False) \
            if "__outside.person.birth_date" in frame.columns else given.is_not_null()
        rules.append(_rule(number.is_null() & given_any.not_(), "person", "missing"))
    rules.append(_rule(pl.col(BIRTH) > pl.col("as_of"), "person.birth_date", "after_as_of"))
    return frame, rules


IN_FORCE, AGE, BIRTH_KEY = "__benefit_in_force", "age", "__birth_key"


def benefit_in_force(book: Rulebook) -> pl.Expr:
    """Column ``IN_FORCE``: the row's benefit type exists in ``book`` (the rules below read it)."""
    return _T.is_in(list(book.meta.benefits)).alias(IN_FORCE)


def age_column() -> pl.Expr:
    """Column ``age`` (full years on ``as_of``): the age check below and the conditions both read it.

    It reads column ``BIRTH_KEY`` (``dates_columnar.birth_key``), which the other ages share.
    """
    return dc.age_on(pl.col(BIRTH), pl.col("as_of"), key=pl.col(BIRTH_KEY)).alias(AGE)


def rule_inputs(book: Rulebook) -> list[pl.Expr]:
    """The columns ``rulebook_rules(book, ...)`` read, in order: each may read the ones before it."""
    return [benefit_in_force(book), dc.birth_key(pl.col(BIRTH)).alias(BIRTH_KEY), age_column()]


def rulebook_rules(book: Rulebook, params: dict[str, Any], absent: frozenset[str] = frozenset()) -> list[pl.Expr]:
    """``validate.check_against_rulebook`` for one rulebook and its parameter values.

    The rules read the columns ``benefit_in_force(book)`` and ``age_column()``,
    so that across rulebooks they differ only where the parameters do. A rule
    about a field in ``absent`` (null on every row) cannot fire and is left out.
    """
    as_of, benefit = pl.col("as_of"), "benefit."
    in_force = pl.col(IN_FORCE)
    rules = [_rule(_T.is_not_null() & in_force.not_(), "benefit.type", "benefit_not_in_force")]
    for field, types in _BENEFIT_FIELDS.items():
        if benefit + field in absent:
            continue
        wrong = pl.col(benefit + field).is_not_null() & _T.is_in([t.value for t in types]).not_()
        rules.append(_rule(in_force & wrong, benefit + field, "field_not_for_benefit"))
    decision_end, given = pl.col("benefit.decision_end"), "benefit.decision_end" not in absent
    if given:
        rules.append(_rule(in_force & (decision_end < as_of), "benefit.decision_end", "decision_ended"))
    tbs = in_force & (_T == BenefitType.TIDSBEGRANSAD_SJUKERSATTNING.value)
    last = params.get("tbs_senaste_slutdag")
    rules.append(_rule(tbs & (pl.lit(last is None) | (as_of > pl.lit(last, pl.Date))), "as_of", "tbs_after_last_day"))
    if last is not None and given:
        rules.append(_rule(tbs & (decision_end > pl.lit(last, pl.Date)), "benefit.decision_end", "tbs_after_last_day"))
    most = params.get("tbs_max_forlangning_manader")
    if most is not None and "benefit.tbs_extension_months_used" not in absent:
        rules.append(_rule(tbs & (pl.col("benefit.tbs_extension_months_used") > most),
                           "benefit.tbs_extension_months_used", "too_many_months"))
    ae = in_force & (_T == BenefitType.AKTIVITETSERSATTNING.value)
    low, high = params.get("ae_lagsta_alder"), params.get("ae_hogsta_alder")
    if low is not None and high is not None:
        age = pl.col(AGE)
        rules.append(_rule(ae & age.is_between(low, high).not_(), "benefit.type", "age_outside_benefit"))
    sp_max = params.get("sjukpenning_max_dagar")
    if sp_max is not None and "benefit.sjukpenning_days_used" not in absent:
        sp = in_force & (_T == BenefitType.SJUKPENNING.value)
        serious = pl.col("benefit.allvarlig_sjukdom").fill_null(False)
        rules.append(_rule(sp & serious.not_() & (pl.col("benefit.sjukpenning_days_used") > sp_max),
                           "benefit.sjukpenning_days_used", "too_many_days"))
    return rules


def absent_columns(frame: pl.DataFrame) -> frozenset[str]:
    """The columns that are null on every row (a null count is kept with the column: no pass over it)."""
    return frozenset(name for name in frame.columns if frame[name].null_count() == frame.height)
