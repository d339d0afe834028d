"""The fixed vocabulary of condition kinds (``check:`` in conditions.yaml).

Leaf kinds are evaluated by a backend (durable-rules engine or the reference
evaluator); composite kinds combine leaf outcomes with Kleene logic.
"""

from __future__ import annotations

from .age import AlderInom
from .base import Kind
from .boolean import ArFalskt, ArSant
from .comparison import Jamforelse
from .composite import STATUS_OF, Alla, Nagon, kleene_and, kleene_or
from .membership import EnAv
from .remaining_time import KvarvarandeTidMinst, KvarvarandeTidUnder

LEAF_KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (ArSant(), ArFalskt(), Jamforelse(), EnAv(), KvarvarandeTidMinst(), KvarvarandeTidUnder(), AlderInom())
}
COMPOSITE_KINDS: dict[str, Alla | Nagon] = {kind.name: kind for kind in (Alla(), Nagon())}
ALL_KINDS = set(LEAF_KINDS) | set(COMPOSITE_KINDS)

__all__ = ["LEAF_KINDS", "COMPOSITE_KINDS", "ALL_KINDS", "STATUS_OF", "Kind", "kleene_and", "kleene_or"]
