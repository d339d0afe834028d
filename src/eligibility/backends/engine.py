"""The durable-rules backend: each leaf condition becomes three rules.

A rulebook is compiled once into a durable-rules ruleset. For every leaf
condition there is one rule per outcome (uppfyllt / ej uppfyllt / ej utrett);
the rules are written so that exactly one of them matches any case, and the
engine checks that. Composite conditions and programme status are Kleene
combinations of these outcomes (``decide.py``).

Measured behaviour of durable-rules 2.0.28 that shapes this module
(docs/decisions.md, benchmarks/bench_engine.py):

* Facts, not events: ``post`` hands an event to only one matching rule, so
  the case goes in with ``assert_fact`` and every rule sees it.
* The session state object is itself matched against the rules, so every
  rule also requires ``t == "case"``; without it a rule like "fact is
  missing" matches the state and loops forever.
* Each evaluation uses its own session id whose state is deleted afterwards;
  without ``delete_state`` each session keeps ~88 KB and the ruleset raises
  MemoryError at its limit of 1 024 live sessions
  (benchmarks/durable_rules_behaviour.py).
* The stock Python action loop (``Host.assert_fact``) costs ~60 µs per fired
  rule (JSON round trips of the state). We drive the same C engine through
  its documented entry points (``assert_fact``, ``start_action_for_state``,
  ``complete_and_start_action``) and only read the fired rule's name.
* Calls are serialised per ruleset with a lock, which makes the engine safe to
  call from several threads (the C engine keeps shared per-ruleset state).
"""

from __future__ import annotations

import itertools
import json
import threading
from datetime import date
from enum import Enum
from typing import Any

import durable_rules_engine as _dre

from ..conditions import LEAF_KINDS
from ..conditions.base import key, param_key
from ..errors import EngineError
from ..facts.derive import FactSet
from ..models import Utfall
from ..rulebooks.rulebook import Rulebook

_CODE = {Utfall.UPPFYLLT: "u", Utfall.EJ_UPPFYLLT: "n", Utfall.EJ_UTRETT: "x"}
_OUTCOME = {code: outcome for outcome, code in _CODE.items()}
_names = itertools.count()


def encode(value: Any) -> Any:
    """A fact value as the engine compares it: dates as day ordinals, enums as codes."""
    if isinstance(value, date):
        return value.toordinal()
    if isinstance(value, Enum):
        return value.value
    return value


def ruleset_definition(book: Rulebook) -> dict[str, Any]:
    """The durable-rules JSON ruleset for the leaf conditions of ``book``."""
    rules: dict[str, Any] = {}
    for cond_id, cond in book.conditions.items():
        kind = LEAF_KINDS.get(cond.check)
        if kind is None:
            continue
        for outcome, expression in kind.durable(cond_id, cond).items():
            rules[f"{cond_id}|{_CODE[outcome]}"] = {"all": [{"m": {"$and": [{"t": "case"}, expression]}}]}
    return rules


def _attributes(expression: Any) -> set[str]:
    """Every fact attribute a durable-rules JSON expression mentions (keys and ``$m`` references)."""
    found: set[str] = set()
    if isinstance(expression, dict):
        for name, value in expression.items():
            if name == "$m" and isinstance(value, str):
                found.add(value)
            elif not name.startswith("$") and name not in ("all", "m"):
                found.add(name)
            found |= _attributes(value)
    elif isinstance(expression, list):
        for item in expression:
            found |= _attributes(item)
    return found


class CompiledRulebook:
    """A rulebook compiled into one durable-rules ruleset, ready to evaluate cases."""

    def __init__(self, book: Rulebook) -> None:
        self.book = book
        self.leaves = [cid for cid, cond in book.conditions.items() if cond.check in LEAF_KINDS]
        definition = ruleset_definition(book)
        self.rule_count = len(definition)
        # Only what some rule reads goes into the engine fact (smaller JSON, fewer attributes to index).
        self._read = _attributes([rule["all"] for rule in definition.values()])
        name = f"rb_{book.id}_{book.content_hash[:12]}_{next(_names)}"
        self._handle = _dre.create_ruleset(name, json.dumps(definition, ensure_ascii=False))
        self._lock = threading.Lock()
        self._sessions = itertools.count()

    def fact_for(self, facts: FactSet, sid: str) -> dict[str, Any]:
        """The single engine fact of a case: known facts and parameter values."""
        fact: dict[str, Any] = {"t": "case", "sid": sid}
        read = self._read
        for name, value in facts.facts.items():
            attribute = key(name)
            if attribute in read:
                fact[attribute] = encode(value)
        for name, param in facts.parameters.items():
            attribute = param_key(name)
            if param.value is not None and attribute in read:
                fact[attribute] = encode(param.value)
        return fact

    def evaluate_leaves(self, facts: FactSet) -> dict[str, Utfall]:
        """Outcome of every leaf condition, as decided by the rules that fired."""
        fired: list[str] = []
        with self._lock:
            sid = str(next(self._sessions))
            payload = json.dumps(self.fact_for(facts, sid), ensure_ascii=False)
            try:
                result = _dre.assert_fact(self._handle, payload)
                state = result[1]
                action = _dre.start_action_for_state(self._handle, state)
                while action:
                    message = action[1]
                    fired.append(message[2:message.index('"', 2)])
                    following = _dre.complete_and_start_action(self._handle, state)
                    action = (None, following) if following else None
            finally:
                _dre.delete_state(self._handle, sid)
        return self._outcomes(fired)

    def _outcomes(self, fired: list[str]) -> dict[str, Utfall]:
        outcomes: dict[str, Utfall] = {}
        for rule in fired:
            cond_id, code = rule.rsplit("|", 1)
            if cond_id in outcomes:
                raise EngineError(f"condition '{cond_id}' got two outcomes ({outcomes[cond_id].value}, {_OUTCOME[code].value})")
            outcomes[cond_id] = _OUTCOME[code]
        missing = [cid for cid in self.leaves if cid not in outcomes]
        if missing:
            raise EngineError(f"no rule fired for condition(s) {', '.join(missing)}")
        return outcomes
