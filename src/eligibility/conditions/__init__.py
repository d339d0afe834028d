"""The fixed vocabulary of condition kinds (``check:`` in conditions.yaml).

Leaf kinds are evaluated by a backend (durable-rules engine, reference
evaluator or polars); composite kinds combine leaf outcomes with Kleene
logic. Each kind implements the whole contract of ``base.py`` in its own
module; adding one is that module plus a line in the registry below
(docs/rules.md, "Adding a check kind"). Nothing outside this package names a
kind: it asks the kind.
"""

from __future__ import annotations

from .age import AlderInom
from .base import ChangePoint, CompositeKind, Kind, Reason
from .boolean import ArFalskt, ArSant
from .comparison import Jamforelse
from .composite import ALL_OF, STATUS_OF, Nagon, kleene_and, kleene_or
from .membership import EnAv
from .remaining_time import KvarvarandeTidMinst, KvarvarandeTidUnder

LEAF_KINDS: dict[str, Kind] = {
    kind.name: kind
    for kind in (ArSant(), ArFalskt(), Jamforelse(), EnAv(), KvarvarandeTidMinst(), KvarvarandeTidUnder(), AlderInom())
}
COMPOSITE_KINDS: dict[str, CompositeKind] = {kind.name: kind for kind in (ALL_OF, Nagon())}
ALL_KINDS = set(LEAF_KINDS) | set(COMPOSITE_KINDS)

__all__ = ["LEAF_KINDS", "COMPOSITE_KINDS", "ALL_KINDS", "ALL_OF", "STATUS_OF", "ChangePoint", "CompositeKind",
           "Kind", "Reason", "kleene_and", "kleene_or"]
