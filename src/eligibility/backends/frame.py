"""The columnar backend: a whole caseload at once, as polars expressions.

The same rulebooks, compiled per kind (``Kind.columnar`` in conditions/) into
expressions over columns instead of one case at a time. Outcomes are nullable
booleans: true = uppfyllt, false = ej uppfyllt, null = ej utrett; composites
and programme status are Kleene AND/OR on them (polars' ``&``/``|`` are
Kleene). Cases are grouped by the rulebook in force on their ``as_of`` and,
inside a rulebook, by the periods in which every parameter is constant, so
parameters are plain constants in the expressions and dated values inside a
period still apply from their own date.

Rows that fail validation are not evaluated: ``error`` names the fields and
reasons (``benefit.decision_end: decision_ended``) and all their outcomes,
statuses and dates are null (docs/decisions.md, "Columnar backend").
The derived facts and the consistency rules are the frame forms of their
declarations (``facts/derived.py``, ``case/consistency.py``), the conditions
the frame forms of their kinds; ``tests/test_columnar.py`` holds whole
decisions of this backend to the reference and the durable-rules engine.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

import polars as pl

from ..case import validate_frame as checks
from ..case.consistency import DERIVED_READ
from ..case.read_frame import ID, normalise, to_frame
from ..conditions import ALL_OF, COMPOSITE_KINDS, LEAF_KINDS
from ..facts.derived import CAUSE_READS, DERIVED, DERIVED_BY_NAME
from ..models import Status, Utfall
from ..rulebooks.rulebook import Rulebook

STATUS = pl.Enum([s.value for s in Status])
ERROR, RULEBOOK, ROW = "error", "rulebook", "__row"
BEYOND_REVIEWED_LAW = "beyond_reviewed_law"
GROUP, INVALID = "__group", "__invalid"
_GROUP = pl.col(GROUP)
# The derived facts the consistency rules read, and what they read, computed for the error texts of invalid rows.
_RULE_FACTS = ("__birth_key", *DERIVED_READ)


@dataclass
class _Group:
    """One rulebook with one set of parameter values, and the as_of days it applies to."""

    book: Rulebook
    params: dict[str, Any]
    first: date
    last: date | None

    def holds(self, as_of: Any) -> Any:
        """Whether ``as_of`` (a date column or Series) lies in this group's days."""
        return as_of.is_between(self.first, date.max if self.last is None else self.last)


_GROUPS: dict[tuple[str, str, bool], list[_Group]] = {}


def _groups(book: Rulebook, any_date: bool) -> list[_Group]:
    """The parameter periods of ``book``: inside each, every parameter has one value (cached by content).

    ``any_date`` (a named rulebook): every ``as_of`` has a group, the first one reaching back to
    ``date.min`` and the last one open, so a row dated outside the period gets the values of the
    period's nearest day, as ``Rulebook.parameters_for`` gives the per-case path.
    """
    key = (book.id, book.content_hash, any_date)
    if key not in _GROUPS:
        _GROUPS[key] = _periods(book, any_date)
    return _GROUPS[key]


def _periods(book: Rulebook, any_date: bool) -> list[_Group]:
    starts = book.change_days()
    begin = book.valid_from
    cuts = [begin] + [s for s in starts if s > begin and (book.valid_to is None or s <= book.valid_to)]
    groups: list[_Group] = []
    for i, start in enumerate(cuts):
        params = {name: p.value for name, p in book.parameters_for(start).items()}
        last = cuts[i + 1] - timedelta(days=1) if i + 1 < len(cuts) else (None if any_date else book.valid_to)
        if groups and groups[-1].params == params:
            groups[-1].last = last
        else:
            groups.append(_Group(book, params, start, last))
    if any_date:  # the days before the period read the values of its first day (Rulebook.parameter_day)
        groups[0].first = date.min
    return groups


def _derived(params: dict[str, Any]) -> list[pl.Expr]:
    """The frame forms of the case-level derived facts (``facts/derived.py``) for one parameter set.

    Their order does not matter here: the plan orders every expression after the columns it reads.
    """
    return [item.frame(params).alias(item.name) for item in DERIVED]


def _fact(name: str) -> pl.Expr:
    return pl.col(name)


_COMPILED: dict[tuple[str, str, tuple[tuple[str, Any], ...]], tuple[list[list[pl.Expr]], list[str]]] = {}


def _compile(book: Rulebook, frozen: tuple[tuple[str, Any], ...]) -> tuple[list[list[pl.Expr]], list[str]]:
    """Expression stages for one rulebook and parameter set (cached by content hash), and the output names."""
    cache_key = (book.id, book.content_hash, frozen)
    if cache_key not in _COMPILED:
        _COMPILED[cache_key] = _build(book, dict(frozen))
    return _COMPILED[cache_key]


def _build(book: Rulebook, params: dict[str, Any]) -> tuple[list[list[pl.Expr]], list[str]]:
    stages = [_derived(params)]
    key_dates = [e.meta.output_name() for stage in stages for e in stage
                 if e.meta.output_name().startswith("key_dates.")]
    leaves, thresholds = [], []
    for cond_id, cond in book.conditions.items():
        kind = LEAF_KINDS.get(cond.check)
        if kind is None:
            continue
        thresholds += [e.alias(n) for n, e in kind.columnar_derived(cond_id, cond, _fact, params).items()]
        leaves.append(kind.columnar(cond_id, cond, _fact, params).alias(f"condition.{cond_id}"))
    stages[-1] += thresholds
    stages.append(leaves)
    conditions = book.all_conditions()
    level: dict[str, int] = {cid: 0 for cid, c in conditions.items() if c.check in LEAF_KINDS}

    def level_of(cid: str) -> int:
        if cid not in level:
            kind = COMPOSITE_KINDS[conditions[cid].check]
            level[cid] = 1 + max(level_of(p) for p in kind.parts(conditions[cid]))
        return level[cid]

    for cid in conditions:
        level_of(cid)
    for depth in range(1, max(level.values()) + 1):
        stage = []
        for cid in (c for c, lv in level.items() if lv == depth):
            kind = COMPOSITE_KINDS[conditions[cid].check]
            stage.append(kind.columnar([pl.col(f"condition.{p}") for p in kind.parts(conditions[cid])])
                         .alias(f"condition.{cid}"))
        stages.append(stage)
    statuses = []
    # Status: true -> eligible, false -> not_eligible, null (neither branch) -> undetermined.
    eligible, not_eligible, undetermined = (pl.lit(s.value, STATUS) for s in
                                            (Status.ELIGIBLE, Status.NOT_ELIGIBLE, Status.UNDETERMINED))
    for pid, programme in book.programmes.items():
        holds = ALL_OF.columnar([pl.col(f"condition.{c}") for c in programme.conditions])
        # ``holds.not_()`` would be rewritten by De Morgan into a second, longer chain: test for null instead.
        statuses.append(pl.when(holds.is_null()).then(undetermined).when(holds).then(eligible)
                        .otherwise(not_eligible).alias(f"status.{pid}"))
    stages.append(statuses)
    outputs = [f"status.{pid}" for pid in book.programmes]
    outputs += [f"condition.{cid}" for cid in conditions if cid not in book.target_groups]
    outputs += [f"condition.{gid}" for gid in book.target_groups]
    outputs += key_dates
    return stages, outputs


@dataclass
class _Plan:
    """Every present group's expressions merged into one pass over the whole caseload.

    An expression that is the same in every group (most are: parameters are
    mostly equal, and later stages read earlier ones by name) is evaluated
    once; one that differs becomes ``when(group == i)`` variants. So the rows
    are never split, concatenated and re-sorted (that cost more than the rules).
    """

    stages: list[list[pl.Expr]]
    outputs: list[pl.Expr]


class _Membership:
    """Columns ``__in.<i>.<j>``: the row's group is one of i, j. Each set is tested once, however many use it."""

    def __init__(self) -> None:
        self.columns: dict[str, pl.Expr] = {}

    def __call__(self, indices: list[int]) -> pl.Expr:
        name = "__in." + ".".join(str(i) for i in sorted(indices))
        self.columns.setdefault(name, _GROUP.is_in(sorted(indices)).alias(name))
        return pl.col(name)


def _merge(name: str, variants: dict[int, pl.Expr], everywhere: bool, member: _Membership) -> pl.Expr:
    """One expression for ``name`` from its per-group variants (group index -> expression).

    When every group has a variant, the last one needs no test: rows without a
    group have no rulebook and are invalid, so they are blanked anyway.
    """
    distinct: list[tuple[pl.Expr, list[int]]] = []
    for index, expr in variants.items():
        for seen, indices in distinct:
            if seen.meta.eq(expr):
                indices.append(index)
                break
        else:
            distinct.append((expr, [index]))
    if everywhere:
        *tested, (otherwise, _) = distinct
    else:
        tested, otherwise = distinct, None
    if not tested:
        return otherwise.alias(name)
    chain: Any = pl
    for expr, indices in tested:
        chain = chain.when(member(indices)).then(expr)
    return (chain if otherwise is None else chain.otherwise(otherwise)).alias(name)


def _any(*rules: pl.Expr) -> pl.Expr:
    """Kleene OR of row-error rules (false when there are none)."""
    return pl.any_horizontal(*rules) if rules else pl.lit(False)


def _share_equal(merged: dict[str, pl.Expr]) -> None:
    """An expression equal to an earlier one under another name reads that one's column instead.

    Two conditions with the same threshold (``as_of`` + 6 months) then cost one lookup.
    """
    first: list[tuple[str, pl.Expr]] = []
    for name, expr in merged.items():
        body = expr.meta.undo_aliases()
        same = next((seen for seen, other in first if other.meta.eq(body)), None)
        if same is None:
            first.append((name, body))
        else:
            merged[name] = pl.col(same).alias(name)


def _levels(merged: dict[str, pl.Expr]) -> list[list[pl.Expr]]:
    """Stages in dependency order: an expression comes after every produced name it reads."""
    level: dict[str, int] = {}

    def level_of(name: str) -> int:
        if name not in level:
            reads = [r for r in merged[name].meta.root_names() if r in merged and r != name]
            level[name] = 1 + max((level_of(r) for r in reads), default=-1)
        return level[name]

    for name in merged:
        level_of(name)
    return [[merged[n] for n in merged if level[n] == depth] for depth in range(max(level.values(), default=-1) + 1)]


_PLANS: dict[tuple[Any, ...], _Plan] = {}


def _plan(groups: dict[int, _Group], general_rules: list[pl.Expr], absent: frozenset[str]) -> _Plan:
    """The merged plan for the groups present in a caseload (cached by their content and the rules)."""
    key = tuple((i, g.book.id, g.book.content_hash, g.first, g.last, tuple(sorted(g.params.items())))
                for i, g in groups.items())
    key += tuple(str(r) for r in general_rules) + tuple(sorted(absent))
    if key in _PLANS:
        return _PLANS[key]
    named: dict[str, dict[int, pl.Expr]] = {}
    output_names: dict[str, set[int]] = {}
    rule_variants: dict[str, dict[int, pl.Expr]] = {}
    for index, group in groups.items():
        stages, outputs = _compile(group.book, tuple(sorted(group.params.items())))
        for expr in (e for stage in stages for e in stage):
            named.setdefault(expr.meta.output_name(), {})[index] = expr
        for name in outputs:
            output_names.setdefault(name, set()).add(index)
        for column in checks.rule_inputs(group.book):  # read by the checks; computed in the same query
            named.setdefault(column.meta.output_name(), {})[index] = column
        seen: dict[str, int] = {}
        for rule in checks.rulebook_rules(group.book, group.params, absent):
            name = rule.meta.output_name()
            seen[name] = seen.get(name, 0) + 1  # a name twice in one group stays two rules
            rule_variants.setdefault(f"{name}#{seen[name]}", {})[index] = rule
    every, member = set(groups), _Membership()
    merged = {name: _merge(name, variants, set(variants) == every, member) for name, variants in named.items()}
    specific = [_merge(name, variants, set(variants) == every, member) for name, variants in rule_variants.items()]
    # The checks are part of the same query: they run beside the conditions, not in a pass of their own.
    # The case's own checks read only its columns and run in the first stage; the rulebooks' checks wait for
    # the group and the age. Each kind is split in two, so that both threads share the work of its stage.
    # One OR joins them.
    parts = {f"{INVALID}.case.1": general_rules[0::2], f"{INVALID}.case.2": general_rules[1::2],
             f"{INVALID}.no_rulebook": [checks.no_rulebook() & _GROUP.is_null()],
             f"{INVALID}.rulebook.1": specific[0::2], f"{INVALID}.rulebook.2": specific[1::2]}
    merged.update({name: _any(*rules).alias(name) for name, rules in parts.items()})
    merged[INVALID] = pl.any_horizontal(*(pl.col(name) for name in parts)).fill_null(False).alias(INVALID)
    # An output of only some groups is already null in the others (its merge has no otherwise).
    outputs = [pl.col(name).alias(_output_name(groups[min(present)].book, name))
               for name, present in output_names.items()]
    merged.update(member.columns)
    merged[GROUP] = _membership_column(groups)
    _share_equal(merged)
    plan = _Plan(_levels(merged), outputs)
    _PLANS[key] = plan
    return plan


def _facts_read(groups: Any) -> list[str]:
    """Every fact a leaf condition of these groups' rulebooks reads (its kind's own derived facts aside),
    in first-seen order."""
    names: dict[str, None] = {}
    for group in groups:
        for cond_id, cond in group.book.all_conditions().items():
            kind = LEAF_KINDS.get(cond.check)
            if kind is None:
                continue
            own = set(kind.derived_names(cond_id, cond))
            for name in kind.facts_read(cond_id, cond):
                if name not in own:
                    names.setdefault(name, None)
    return list(names)


def _checked(source: pl.DataFrame, text: bool, quick: bool) -> tuple[pl.DataFrame, list[pl.Expr]]:
    """The typed frame with its birth date, and the case's own row-error rules (``normalise``'s form)."""
    frame, rules = normalise(source, text, quick=quick)
    frame, birth_rules = checks.with_birth(frame)
    return frame, rules + birth_rules


def _error_texts(source: pl.DataFrame, text: bool, invalid: pl.Series, group: pl.Series, groups: list[_Group],
                 absent: frozenset[str]) -> pl.Series:
    """``error`` for every row: null, or the rules that fired, for the (few) invalid rows only.

    The texts come from the exact checks (``normalise`` without ``quick``) run
    again on those rows of the input: each broken bound is named with its own
    code, and a blanked value does not set off a second rule.
    """
    errors = pl.repeat(None, source.height, dtype=pl.String, eager=True).alias(ERROR)
    if not invalid.any():
        return errors
    rows = invalid.arg_true()
    frame, rules = _checked(source[rows], text, quick=False)
    bad = frame.with_columns(group.gather(rows).alias(GROUP), pl.Series(ROW, rows))
    for index in bad[GROUP].unique().to_list():
        part = bad.filter(pl.col(GROUP).is_null() if index is None else pl.col(GROUP) == index)
        if index is None:
            extra = [checks.no_rulebook()]
        else:
            extra = checks.rulebook_rules(groups[index].book, groups[index].params, absent)
            for column in checks.rule_inputs(groups[index].book):
                part = part.with_columns(column)
            for name in _RULE_FACTS:
                part = part.with_columns(DERIVED_BY_NAME[name].frame(groups[index].params).alias(name))
        texts = checks.with_errors(part, rules + extra)
        errors = errors.scatter(texts[ROW], texts[ERROR])
    return errors


def _present(as_of: pl.Series, groups: list[_Group]) -> dict[int, _Group]:
    """The groups (by index) that some row's ``as_of`` falls in.

    From the dates' extremes: a group holding the first or last date is
    present; one in between is looked for. About 1 ms for a million rows,
    and the rows' group column is then computed inside the main query.
    """
    low, high = as_of.min(), as_of.max()
    found: dict[int, _Group] = {}
    if low is None:
        return found
    for index, group in enumerate(groups):
        last = date.max if group.last is None else group.last
        if group.first > high or last < low:
            continue
        if group.first <= low <= last or group.first <= high <= last or group.holds(as_of).any():
            found[index] = group
    return found


def _membership_column(groups: dict[int, _Group]) -> pl.Expr:
    """Column ``GROUP``: the index of the group a row's ``as_of`` falls in (null: none of these)."""
    which: Any = pl
    for index, group in groups.items():
        which = which.when(group.holds(pl.col("as_of"))).then(pl.lit(index, pl.UInt16))
    return (which.otherwise(None) if groups else pl.lit(None, pl.UInt16)).alias(GROUP)


OUTCOME_OF_CELL = {True: Utfall.UPPFYLLT, False: Utfall.EJ_UPPFYLLT, None: Utfall.EJ_UTRETT}
"""The outcome a cell of a ``condition.*`` / ``target_group.*`` column (a nullable boolean) stands for."""
CELL_OF_OUTCOME = {outcome: cell for cell, outcome in OUTCOME_OF_CELL.items()}


def outcome_column(book: Any, cond_id: str) -> str:
    """The column of a condition's outcome: target groups have their own prefix."""
    return ("target_group." if cond_id in book.target_groups else "condition.") + cond_id


def _output_name(book: Rulebook, name: str) -> str:
    if name.startswith("condition."):
        return outcome_column(book, name.split(".", 1)[1])
    return name


def evaluate_caseload(data: Any, books: list[Rulebook], rulebook_id: str | None = None, *,
                      text: bool = False, facts: bool = False) -> pl.DataFrame:
    """Statuses, condition outcomes and key dates for every case of a caseload.

    ``data`` is a polars frame, a pyarrow table or a list of case dicts, nested
    (``person: {...}``) or with dotted / caseload-CSV column names; ``text``
    says the cells are text to parse (CSV). One row out per row in, in input
    order, with ``rulebook``, ``error`` (null when valid), ``status.<programme>``
    (``eligible`` / ``not_eligible`` / ``undetermined``; null when the programme
    is not in the row's rulebook), ``condition.<id>`` and ``target_group.<id>``
    (nullable booleans, null = ej utrett), ``key_dates.<name>`` and
    ``beyond_reviewed_law`` (``as_of`` is after the rulebook's ``reviewed_until``;
    null when the row is invalid). ``facts``
    adds ``fact.<name>`` for every fact a condition reads (null = unknown)
    and ``fact.<name>`` for what the declared causes of unknown derived facts
    read (``facts/derived.py`` ``CAUSE_READS``, e.g. ``__end_unknown_because``,
    the case field whose absence left the benefit's end unknown): what the
    missing-fact questions are built from.
    """
    source = to_frame(data)
    frame, rules = _checked(source, text, quick=True)
    chosen = [b for b in books if b.id == rulebook_id] if rulebook_id else books
    if rulebook_id and not chosen:
        from ..rulebooks.loader import select_rulebook
        select_rulebook(books, date.today(), rulebook_id)  # raises RulebookNotFoundError with the known ids
    groups = [group for book in chosen for group in _groups(book, any_date=rulebook_id is not None)]
    present = _present(frame["as_of"], groups)
    absent = checks.absent_columns(frame)
    plan = _plan(present, rules, absent)  # the rows' group is computed inside the plan
    # An Enum of the ids: a gather of small integers, not of a million strings.
    ids = [g.book.id for g in groups]
    books_by_group = pl.Series(ids, dtype=pl.Enum(list(dict.fromkeys(ids))))
    lazy = frame.lazy()
    for stage in plan.stages:
        lazy = lazy.with_columns(stage)
    keep = [c for c in (ID,) if c in frame.columns]
    # A chunk with no row in any rulebook's period has no derived columns: its facts are null (all rows invalid).
    produced = set(frame.columns) | {e.meta.output_name() for stage in plan.stages for e in stage}
    extra = [(pl.col(name) if name in produced else pl.lit(None)).alias(f"fact.{name}")
             for name in (list(dict.fromkeys(_facts_read(present.values()) + list(CAUSE_READS))) if facts else [])]
    # as_of after the reviewed_until of the row's rulebook (decision.beyond_reviewed_law), null when invalid.
    reviewed = pl.Series([g.book.meta.reviewed_until for g in groups], dtype=pl.Date)
    beyond = (pl.col("as_of") > pl.lit(reviewed).gather(_GROUP)).alias(BEYOND_REVIEWED_LAW)
    outputs = [*plan.outputs, beyond, *extra]
    result = lazy.select(*keep, "as_of", pl.lit(books_by_group).gather(_GROUP).alias(RULEBOOK), INVALID, GROUP,
                         *outputs).collect()
    invalid, group = result.drop_in_place(INVALID), result.drop_in_place(GROUP)
    if invalid.any():  # invalid rows were evaluated too (table reads are masked, so safely): blank them now
        valid = pl.lit(invalid.not_())
        result = result.with_columns(pl.when(valid).then(pl.col(e.meta.output_name())).alias(e.meta.output_name())
                                     for e in outputs)
    errors = _error_texts(source, text, invalid, group, groups, absent)
    return result.insert_column(len(keep) + 2, errors)
