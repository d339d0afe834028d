"""Example request bodies for the OpenAPI document (shown in /docs)."""

from __future__ import annotations

from typing import Any

HPS_SJUKPENNING: dict[str, Any] = {
    "as_of": "2011-03-15",
    "person": {"birth_date": "1975-06-02", "employment": "arbetslos", "can_return_to_employer": None},
    "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 700, "allvarlig_sjukdom": False},
    "assessment": {"fardigutredd": True, "capacity_can_improve": True, "sassam_done": True, "hours_per_week": 12,
                   "stadigvarande_nedsatt_arbetsformaga": None, "months_in_handlingsplansamverkan": 0},
}
UNKNOWN_ASSESSMENT: dict[str, Any] = {
    "as_of": "2011-03-15",
    "person": {"birth_date": "1975-06-02", "employment": "arbetslos"},
    "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 700, "allvarlig_sjukdom": False},
}
TBS_RUNS_OUT: dict[str, Any] = {
    "as_of": "2011-06-01",
    "person": {"birth_date": "1960-04-10", "employment": "arbetslos"},
    "benefit": {"type": "tidsbegransad_sjukersattning", "decision_end": "2011-09-30",
                "tbs_extension_months_used": 18},
    "assessment": {"stadigvarande_nedsatt_arbetsformaga": True},
}
ALI_BOUNDARY: dict[str, Any] = {
    "as_of": "2009-12-31",
    "person": {"birth_date": "1970-01-01", "employment": "arbetslos"},
    "benefit": {"type": "sjukpenning", "sjukpenning_days_used": 900, "allvarlig_sjukdom": False},
}

CASES = {
    "hps_sjukpenning": {"summary": "Unemployed, on sjukpenning, 700 of 914 days used (eligible for HPS)",
                        "value": HPS_SJUKPENNING},
    "unknown_assessment": {"summary": "Assessment facts unknown: undetermined, with questions",
                           "value": UNKNOWN_ASSESSMENT},
    "tbs_runs_out": {"summary": "Tidsbegränsad sjukersättning that cannot be extended",
                     "value": TBS_RUNS_OUT},
}
COMPARE_CASES = {
    "ali_boundary": {"summary": "Sjukpenning running out on 2009-12-31: compare 2008-07-01 with 2010-01-01",
                     "value": ALI_BOUNDARY},
    **CASES,
}
BATCH = {
    "two_cases": {"summary": "Two cases, one of them invalid (it gets its own error)",
                  "value": {"cases": [HPS_SJUKPENNING, {**UNKNOWN_ASSESSMENT, "benefit": {"type": "okand"}}],
                            "explain": True}},
}


def case_body(examples: dict[str, Any]) -> dict[str, Any]:
    """An OpenAPI ``requestBody`` whose schema is the case contract."""
    return {"requestBody": {"required": True, "content": {"application/json": {
        "schema": {"$ref": "#/components/schemas/Case"}, "examples": examples}}}}
