"""The lint of citations: every ``lagrum`` cites law in force on every day it applies (``rules/statutes.yaml``).

A citation applies on the days of its rule inside the rulebook's period (a condition, programme or
target group from its ``valid_from``; a parameter value until the next value; ``rulebook.yaml`` the whole
period), narrowed by the entry's own ``valid_from`` / ``valid_to``. Those days must lie inside the
statute's period of force, or the provision's where the table has one (27 kap. 24 a § SFB ends
2016-01-31 inside the balk's life). Days outside the rulebook are history (a 2008 rulebook lists the
values of 2011 and their sources) and are never decided by it, so they are not held to anything.
A ``lydelse`` (the wording cited) must be a day the statute was in force, and not after the first day
the citation applies; an open-ended rulebook names the wording of every citation, since the statute
can change after its last review. A source's seed ``document`` must be named in the table's
``documents:``.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from datetime import date, timedelta

from ..models import SourceRef
from .rulebook import Rulebook
from .statutes import StatuteTable, out_of_force

Report = Callable[[str, tuple[object, ...], str], None]
Period = tuple[date, date | None]  # first and last day (inclusive); last None: open-ended


def _sources(book: Rulebook) -> Iterator[tuple[str, tuple[object, ...], str, SourceRef, Period | None]]:
    """Every source of ``book``: file, path to it, what it belongs to, the source, and its days in the rulebook."""
    whole: Period = (book.valid_from, book.valid_to)
    for name, definition in book.parameters.items():
        starts = sorted(definition.values)
        for start, following in zip(starts, [*starts[1:], None]):
            own = (start, following - timedelta(days=1) if following else None)
            yield ("parameters.yaml", (name, "values", start, "source"), f"parameter '{name}', value from {start}",
                   definition.values[start].source, _within(own, whole))
    for file, rules, kind in (("conditions.yaml", book.conditions, "condition"),
                              ("target_groups.yaml", book.target_groups, "target group"),
                              ("programmes.yaml", book.programmes, "programme")):
        for rule_id, rule in rules.items():
            yield file, (rule_id, "source"), f"{kind} '{rule_id}'", rule.source, _within((rule.valid_from, None), whole)
    for section in ("benefits", "not_in_force", "benefits_ended"):
        for key, item in getattr(book.meta, section).items():
            yield "rulebook.yaml", (section, key, "source"), f"{section} '{key}'", item.source, whole


def _within(days: Period, bounds: Period) -> Period | None:
    """The days of ``days`` inside ``bounds``; ``None`` when there are none."""
    first = max(days[0], bounds[0])
    ends = [end for end in (days[1], bounds[1]) if end is not None]
    last = min(ends) if ends else None
    return None if last is not None and last < first else (first, last)


def _uncited(source: SourceRef, days: Period) -> date | None:
    """The first day of ``days`` on which no ``lagrum`` entry of ``source`` applies; ``None`` when every day has one."""
    day: date | None = days[0]
    spans = sorted((ref.valid_from or date.min, ref.valid_to) for ref in source.lagrum or [])
    for first, last in spans:
        if day is None or first > day:
            break
        if last is None:
            day = None
        elif last >= day:
            day = last + timedelta(days=1)
    if day is None or (days[1] is not None and day > days[1]):
        return None
    return day


def _shown(days: Period) -> str:
    return f"{days[0]}–{days[1] or ''}"


def lint_citations(book: Rulebook, report: Report) -> None:
    """Report every citation of ``book`` that is not law in force on the days it applies (see the module)."""
    table = book.statutes
    if table is None:
        return
    open_ended = book.valid_to is None
    for file, path, what, source, days in _sources(book):
        if source.document is not None and source.document not in table.documents:
            report(file, (*path, "document"), f"{what}: source document '{source.document}' is not named in "
                                              f"{table.shown} documents:")
        if source.lagrum and not source.external:
            report(file, (*path, "lagrum"), f"{what}: a source that cites a lagrum says external: true (the "
                                            f"statutes are external facts, not the seeds')")
        uncited = None if source.document or days is None else _uncited(source, days)
        if uncited is not None:
            report(file, (*path, "lagrum") if source.lagrum else path,
                   f"{what}: source names neither a document nor a lagrum that applies on {uncited}")
        for index, ref in enumerate(source.lagrum or []):
            where = (*path, "lagrum", index)
            said = f"{what}: lagrum {index + 1}"
            if ref.statute not in table.statutes:  # the loader refuses these already; a Rulebook built by hand
                report(file, where, f"{said}: unknown statute {ref.statute!r} (known: {', '.join(sorted(table.statutes))})")
                continue
            if ref.valid_from and ref.valid_to and ref.valid_to < ref.valid_from:
                report(file, where, f"{said}: valid_to {ref.valid_to} is before valid_from {ref.valid_from}")
                continue
            applies = _within((ref.valid_from or date.min, ref.valid_to), days) if days else None
            _check(table, ref, file, where, said, applies, open_ended, report)


def _check(table: StatuteTable, ref, file: str, where: tuple[object, ...], said: str, applies: Period | None,
           open_ended: bool, report: Report) -> None:
    cited, in_force = table.period_of(ref)
    if applies is not None:
        reason = out_of_force(in_force, *applies)
        if reason:
            report(file, where, f"{said}: cites {cited} for {_shown(applies)}, but {reason}")
    if ref.lydelse is None:
        if open_ended:
            report(file, where, f"{said}: cites {cited} without lydelse: an open-ended rulebook names the "
                                f"wording it cites (lydelse: YYYY-MM-DD), since the statute may change later")
        return
    reason = out_of_force(in_force, ref.lydelse, ref.lydelse)
    if reason:
        report(file, where, f"{said}: cites the wording of {ref.lydelse} (lydelse) of {cited}, but {reason}")
    elif applies is not None and ref.lydelse > applies[0]:
        report(file, where, f"{said}: cites the wording of {ref.lydelse} (lydelse) of {cited} from {applies[0]}, "
                            f"before that wording was in force")
