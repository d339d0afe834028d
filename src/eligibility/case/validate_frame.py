"""Case validation for whole caseloads: the birth date and the consistency rules as row-error expressions.

The consistency rules are ``consistency.RULES``' frame forms. Each rule is ``when(mask).then("field: code")``; a row's ``error`` joins the
rules that fired (``benefit.decision_end: decision_ended; ...``), with the
same field paths and codes as ``CaseError``'s problems. No personal value is
ever put in an error. ``tests/test_columnar.py`` checks that a row gets an
error exactly when the per-case validation raises ``CaseError``; ``tests/test_consistency_rules.py``
holds each rule's frame form to its per-case form.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl

from ..rulebooks.rulebook import Rulebook
from .fields import BIRTH
from .consistency import IN_FORCE, RULES
from .validate import PERSONNUMMER_EXPECTED, contract_place, law_of, personnummer_birth_date, personnummer_problem

ERROR = "error"
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
    # In the contract's field order, as the per-case CaseError lists them (stable within a field).
    rules = sorted(rules, key=lambda rule: contract_place(rule.meta.output_name().split(": ", 1)[0]))
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
        # Why a number is no personnummer (its form, its check digit, its date): only for the (few) rows refused.
        refused = frame.select((number.is_not_null() & from_pnr.is_null()).fill_null(False)).to_series()
        why = pl.repeat(None, frame.height, dtype=pl.String, eager=True).alias("__pnr_problem")
        if refused.any():
            why = why.scatter(refused.arg_true(), [personnummer_problem(n) for n in
                                                   frame["person.personnummer"].filter(refused).to_list()])
        frame = frame.with_columns(why)
        rules += [
            *(_rule(pl.col("__pnr_problem") == code, "person.personnummer", code) for code in PERSONNUMMER_EXPECTED),
            _rule(from_pnr.is_not_null() & given.is_not_null() & (from_pnr != given), "person.birth_date",
                  "mismatch"),
        ]
    else:
        frame = frame.with_columns(given.alias(BIRTH))
    if frame["person.birth_date"].null_count():
        # Dates outside the calendar tables are blanked, but still a birth date was given.
        given_any = given.is_not_null() | pl.col("__outside.person.birth_date").fill_null(False) \
            if "__outside.person.birth_date" in frame.columns else given.is_not_null()
        rules.append(_rule(number.is_null() & given_any.not_(), "person.birth_date", "missing_identity"))
    rules.append(_rule(pl.col(BIRTH) > pl.col("as_of"), "person.birth_date", "after_as_of"))
    return frame, rules


def benefit_in_force(book: Rulebook) -> pl.Expr:
    """Column ``IN_FORCE``: the row's benefit type exists in ``book`` (the rules below read it)."""
    return _T.is_in(list(book.meta.benefits)).alias(IN_FORCE)


def rule_inputs(book: Rulebook) -> list[pl.Expr]:
    """The columns ``rulebook_rules(book, ...)`` read besides the case's own and ``age`` (a derived fact)."""
    return [benefit_in_force(book)]


def rulebook_rules(book: Rulebook, params: dict[str, Any], absent: frozenset[str] = frozenset()) -> list[pl.Expr]:
    """The frame forms of ``consistency.RULES`` for one rulebook and its parameter values.

    The rules read the columns ``benefit_in_force(book)`` and ``age``, so that
    across rulebooks they differ only where the parameters do. A rule that
    cannot fire (a field in ``absent``, null on every row; a limit the law
    does not have) is left out. Every rule but the first holds only where the
    benefit exists in the rulebook, as the per-case check stops there.
    """
    law = law_of(book, params)
    in_force = pl.col(IN_FORCE)
    rules = []
    for rule in RULES:
        mask = rule.frame(law, absent)
        if mask is not None:
            rules.append(_rule(mask if rule.stops else in_force & mask, rule.field, rule.code))
    return rules


def absent_columns(frame: pl.DataFrame) -> frozenset[str]:
    """The columns that are null on every row (a null count is kept with the column: no pass over it)."""
    return frozenset(name for name in frame.columns if frame[name].null_count() == frame.height)
