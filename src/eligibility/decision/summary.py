"""The summary of a decision, as data: what the person can take part in and from which day, what is not
possible and why (one main reason each), what is left to find out, and the next date that matters.

The CLI, the API and the page all render this one structure (``Decision.summary``); its ``text_sv`` is
the first part of the motivering. The main reason is the first decisive condition that no actionable
change can fix, else the first decisive condition in the programme's order (``Grounds.main_reason``).
"""

from __future__ import annotations

from datetime import date

from ..facts.derived import HPS_MONTHS
from ..models import Decision, NextDate, Status, Summary, SummaryProgramme, SummaryQuestion
from . import phrases_sv as ph
from .grounds import Grounds


def build_summary(grounds: Grounds, decision: Decision) -> Summary:
    """The summary of ``decision`` (its programme results and records already assembled)."""
    book, as_of = grounds.book, decision.as_of
    summary = Summary()
    for pid, result in decision.programmes.items():
        item = SummaryProgramme(programme=pid, name_sv=result.name_sv, status=result.status)
        if result.status is Status.ELIGIBLE:
            item.from_date = start_day(book.programmes[pid].starts, as_of, decision.key_dates.benefit_end_exclusive)
            summary.eligible.append(item)
        elif result.status is Status.NOT_ELIGIBLE:
            main = grounds.main_reason(result)
            item.reason_condition = main
            if main is not None:
                leaf = grounds.leaves(main)[0]
                ground = grounds.ground(main, leaf)
                if ground.requirement is None:  # decided whatever the answer: its sentence says it all
                    item.reason_sv = " ".join(ground.facts)
                elif grounds.comparison(leaf) == "is":  # yes/no: the answer is the reason ("Ingen … är gjord.")
                    item.reason_sv = ph.sentence(ground.conclusion)
                elif not ground.conclusion:  # an OR of alternatives: its requirement is the reason
                    item.reason_sv = ph.sentence(f"villkoret att {ground.requirement} är inte uppfyllt")
                else:
                    item.reason_sv = ph.sentence(f"{ground.conclusion}, men det krävs att {ground.requirement}")
            summary.not_eligible.append(item)
        else:
            item.open_facts = grounds.open_facts(result)
            item.reason_sv = _depends_on(item.open_facts)
            summary.undetermined.append(item)
    summary.questions = [SummaryQuestion(q.fact, q.text_sv) for q in decision.questions]
    summary.next_date = next_date(decision, grounds.facts.parameters[HPS_MONTHS].value, grounds.benefit)
    return summary


def next_date(decision: Decision, hps_months: int, benefit_code: str | None) -> NextDate | None:
    """The first key date on or after ``as_of`` and what happens then (None when no date lies ahead)."""
    dates, as_of = decision.key_dates, decision.as_of
    hps = decision.programmes.get("handlingsplansamverkan")
    benefit = ph.benefit_definite_sv(benefit_code)
    indefinite = ph.BENEFIT_INDEFINITE_SV.get(benefit_code or "", "ersättning")
    candidates: list[tuple[date | None, str, str]] = [
        (dates.beredningsgrupp_deadline, "beredningsgrupp_deadline",
         "ärendet behöver tas upp i den gemensamma beredningsgruppen senast {day}"),
        (dates.last_day_with_hps_months_left if hps is not None and hps.status is not Status.NOT_ELIGIBLE else None,
         "last_day_with_hps_months_left",
         f"{{day}} är den sista dagen med minst {ph.number_sv(hps_months)} månader kvar av {benefit}. Därefter "
         "är handlingsplansamverkan inte längre möjlig"),
        (dates.sickness_day_any_work_at_employer, "sickness_day_any_work_at_employer",
         "från och med {day} prövas arbetsförmågan mot alla arbeten hos arbetsgivaren"),
        (dates.sickness_day_whole_labour_market, "sickness_day_whole_labour_market",
         "från och med {day} prövas arbetsförmågan mot hela arbetsmarknaden"),
        (dates.benefit_last_day, "benefit_last_day", f"{{day}} är den sista dagen med {indefinite}"),
        (dates.aktivitetsersattning_end, "aktivitetsersattning_end", "{day} upphör aktivitetsersättningen"),
    ]
    ahead = [(day, kind, text) for day, kind, text in candidates if day is not None and day >= as_of]
    if not ahead:
        return None
    day, kind, text = min(ahead, key=lambda item: item[0])
    when = ph.deadline_sv(day, as_of)
    if "," in when and not text.endswith("{day}"):  # "I dag, den 1 april 2011, är …": the aside closed
        when += ","
    return NextDate(day=day, kind=kind, text_sv=ph.sentence(text.replace("{day}", when)))



def _depends_on(fields: list[str]) -> str:
    """``Det beror på om … och om …``: up to two open facts named, more counted (the questions list them)."""
    if not fields:
        return ""
    if len(fields) <= 2:
        return ph.sentence("det beror på " + ph.joined_sv([ph.whether_sv(f) for f in fields]))
    return ph.sentence(f"det beror på {ph.number_sv(len(fields), neuter=True)} uppgifter som inte är utredda")


def start_day(programme_start: str, as_of: date, benefit_end_exclusive: date | None) -> date:
    """The first day an eligible programme can start: ``as_of``, or for a programme that starts when the
    benefit ends (``programmes.yaml`` ``starts: after_benefit``), the day after the benefit's last day."""
    if programme_start == "after_benefit" and benefit_end_exclusive is not None and benefit_end_exclusive > as_of:
        return benefit_end_exclusive
    return as_of
