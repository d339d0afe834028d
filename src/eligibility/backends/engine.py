"""The durable-rules backend: the whole rulebook as chained rules, three per decision.

A rulebook is compiled once into a durable-rules ruleset that decides every
condition and every programme status (docs/decisions.md, "The engine
decides"). For every leaf condition there is one rule per outcome (uppfyllt /
ej uppfyllt / ej utrett) over the case fact. Composite conditions (target
groups included) and programme statuses sit on levels: a composite's level
is 1 + the highest level of its parts, a programme (Kleene AND of its
conditions) one above its highest condition. The outcomes of the levels
below go back into the session as one fact per level (``t == "l<n>"``, codes
``u``/``n``/``x``), and that level's rules, three per composite or
programme, decide from it. Rules are written so that exactly one per
condition fires, and the engine checks that on every level.

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
* A rule is activated once per matching ``$or`` branch, so "some part is
  ``n``" is written as mutually exclusive branches ("part i is the first
  ``n``"); overlapping branches fire the same rule twice.
* Calls are serialised per ruleset with a lock, which makes the engine safe to
  call from several threads (the C engine keeps shared per-ruleset state).
"""

from __future__ import annotations

import itertools
import json
import threading
from dataclasses import dataclass
from datetime import date
from enum import Enum
from typing import Any

import durable_rules_engine as _dre

from ..conditions import LEAF_KINDS, STATUS_OF
from ..conditions.base import key, param_key
from ..errors import EngineError
from ..facts.derive import FactSet
from ..models import Status, Utfall
from ..rulebooks.plan import Plan, make_plan
from ..rulebooks.rulebook import Rulebook

_CODE = {Utfall.UPPFYLLT: "u", Utfall.EJ_UPPFYLLT: "n", Utfall.EJ_UTRETT: "x"}
_OUTCOME = {code: outcome for outcome, code in _CODE.items()}
_STATUS = {code: STATUS_OF[outcome] for code, outcome in _OUTCOME.items()}
_PROGRAMME = "programme:"
_names = itertools.count()


def encode(value: Any) -> Any:
    """A fact value as the engine compares it: dates as day ordinals, enums as codes."""
    if isinstance(value, date):
        return value.toordinal()
    if isinstance(value, Enum):
        return value.value
    return value


def ruleset_definition(book: Rulebook) -> dict[str, Any]:
    """The durable-rules JSON ruleset deciding every condition and programme status of ``book``.

    Leaf rules match the case fact (``t == "case"``); the rules of level
    ``n >= 1`` match that level's outcome fact (``t == "l<n>"``), so a rule
    can only fire once the outcomes it combines are known.
    """
    rules = leaf_rules(book)
    for level, members in enumerate(levels(make_plan(book))[1:], start=1):
        for member in members:
            rules.update(kleene_rules(member, level))
    return rules


def leaf_rules(book: Rulebook) -> dict[str, Any]:
    """Three rules per leaf condition (``"<cond>|u"``, ``"|n"``, ``"|x"``) over the case fact."""
    rules: dict[str, Any] = {}
    for cond_id, cond in book.conditions.items():
        kind = LEAF_KINDS.get(cond.check)
        if kind is None:
            continue
        for outcome, expression in kind.durable(cond_id, cond).items():
            rules[f"{cond_id}|{_CODE[outcome]}"] = {"all": [{"m": {"$and": [{"t": "case"}, expression]}}]}
    return rules


@dataclass(frozen=True)
class Combined:
    """A composite condition or a programme: a Kleene AND/OR over outcomes of lower levels.

    ``name`` is the rule-name stem: the condition id, or ``programme:<id>``
    (a programme id may equal a condition id).
    """

    name: str
    parts: tuple[str, ...]
    any_of: bool


def levels(plan: Plan) -> list[list[Combined]]:
    """What each level decides: level 0 the leaves, level ``n`` whatever needs level ``n - 1`` at most.

    A composite's level is 1 + the highest level of its parts; a programme
    is a Kleene AND one level above its highest condition. Each level costs
    one assert per case, so grouping by depth keeps it to a few.
    """
    depth: dict[str, int] = {}
    found: list[list[Combined]] = [[]]

    def place(item: Combined, level: int) -> None:
        while len(found) <= level:
            found.append([])
        found[level].append(item)

    for planned in plan.order:
        if planned.leaf:
            depth[planned.cond_id] = 0
            found[0].append(Combined(planned.cond_id, (), False))
            continue
        depth[planned.cond_id] = 1 + max((depth[p] for p in planned.parts), default=0)
        place(Combined(planned.cond_id, planned.parts, planned.any_of), depth[planned.cond_id])
    for pid, programme in plan.book.programmes.items():
        parts = tuple(programme.conditions)
        place(Combined(f"{_PROGRAMME}{pid}", parts, False), 1 + max((depth[c] for c in parts), default=0))
    return found


def kleene_rules(item: Combined, level: int) -> dict[str, Any]:
    """Three rules deciding ``item`` from its parts' codes in the level fact; exactly one matches.

    AND: any ``n`` -> ``n``; else any ``x`` -> ``x``; else (all ``u``) ``u``.
    OR swaps ``u`` and ``n``. "Any" is written as "the first part that has
    it", because durable-rules activates a rule once per matching ``$or``
    branch: with overlapping branches a case with two ``n`` parts would fire
    the ``n`` rule twice.
    """
    decisive, settled = ("u", "n") if item.any_of else ("n", "u")
    fact = {"t": f"l{level}"}
    return {
        f"{item.name}|{decisive}": _rule(fact, _first(item.parts, decisive)),
        f"{item.name}|x": _rule(fact, *_none(item.parts, decisive), _first(item.parts, "x")),
        f"{item.name}|{settled}": _rule(fact, *({p: settled} for p in item.parts)),
    }


def _first(parts: tuple[str, ...], code: str) -> dict[str, Any]:
    """Some part has outcome ``code``, as mutually exclusive branches (branch i: part i is the first)."""
    return {"$or": [{"$and": [*_none(parts[:i], code), {part: code}]} for i, part in enumerate(parts)]}


def _none(parts: tuple[str, ...], code: str) -> list[dict[str, Any]]:
    """No part has outcome ``code``."""
    return [{"$neq": {part: code}} for part in parts]


def _rule(*tests: dict[str, Any]) -> dict[str, Any]:
    """A one-fact rule whose tests must all hold."""
    return {"all": [{"m": {"$and": list(tests)}}]}


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


def _fact_template(level: int, carried: tuple[str, ...]) -> str:
    """The JSON of a level's outcome fact, with ``%s`` for the session id and each carried code.

    Formatting codes into a prepared string skips a ``json.dumps`` per level;
    the names are JSON-escaped once here (and ``%`` doubled).
    """
    fields = [f'"t":"l{level}"', '"sid":"%s"'] + [json.dumps(name).replace("%", "%%") + ':"%s"' for name in carried]
    return "{" + ",".join(fields) + "}"


class CompiledRulebook:
    """A rulebook compiled into one durable-rules ruleset that decides whole cases."""

    def __init__(self, book: Rulebook) -> None:
        self.book = book
        self.leaves = [cid for cid, cond in book.conditions.items() if cond.check in LEAF_KINDS]
        plan = make_plan(book)
        self._order = tuple(planned.cond_id for planned in plan.order)
        self._levels = levels(plan)
        # Rule name -> (level, condition or programme, code): reading a fired rule is one lookup.
        self._rules = {f"{item.name}|{code}": (level, item.name, code)
                       for level, members in enumerate(self._levels) for item in members for code in "unx"}
        # What each level's fact must carry: the outcomes its rules read (parts may sit at any lower level).
        self._carried = [()] + [tuple(dict.fromkeys(p for item in members for p in item.parts))
                                for members in self._levels[1:]]
        self._templates = [""] + [_fact_template(level, self._carried[level]) for level in range(1, len(self._levels))]
        definition = ruleset_definition(book)
        self.rule_count = len(definition)
        # Only what some leaf rule reads goes into the case fact (smaller JSON, fewer attributes to index).
        self._read = _attributes([rule["all"] for name, rule in definition.items() if self._rules[name][0] == 0])
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

    def decide(self, facts: FactSet) -> tuple[dict[str, Utfall], dict[str, Status]]:
        """Outcome of every condition (plan order) and status of every programme, all decided by rules.

        The case fact fires the leaf rules; their outcomes go back in as one
        fact for level 1, whose rules' outcomes join them in the fact for
        level 2, and so on up to the programme statuses.
        """
        codes: dict[str, str] = {}
        with self._lock:
            sid = str(next(self._sessions))
            try:
                self._fire(0, json.dumps(self.fact_for(facts, sid), ensure_ascii=False), codes)
                for level in range(1, len(self._levels)):
                    carried = [codes[part] for part in self._carried[level]]
                    self._fire(level, self._templates[level] % (sid, *carried), codes)
            finally:
                _dre.delete_state(self._handle, sid)
        outcomes = {cid: _OUTCOME[codes[cid]] for cid in self._order}
        statuses = {pid: _STATUS[codes[_PROGRAMME + pid]] for pid in self.book.programmes}
        return outcomes, statuses

    def evaluate_leaves(self, facts: FactSet) -> dict[str, Utfall]:
        """Outcome of every leaf condition (the whole case is decided; the rest is left out)."""
        outcomes, _ = self.decide(facts)
        return {cid: outcomes[cid] for cid in self.leaves}

    def _fire(self, level: int, payload: str, codes: dict[str, str]) -> None:
        """Assert the fact ``payload``, run every rule it activates, and add ``level``'s codes to ``codes``.

        Called with the lock held. Only the fired rule's name is read
        (``{"<name>|<code>": ...``); the engine's invariants are checked here.
        """
        handle = self._handle
        state = _dre.assert_fact(handle, payload)[1]
        action = _dre.start_action_for_state(handle, state)
        message = action[1] if action else None
        fired: list[str] = []
        while message:
            fired.append(message[2:message.index('"', 2)])
            message = _dre.complete_and_start_action(handle, state)
        self._check(level, fired, codes)

    def _check(self, level: int, fired: list[str], codes: dict[str, str]) -> None:
        """Record the fired rules' codes, if exactly one rule fired for every member of ``level`` and no other."""
        rules = self._rules
        before = len(codes)
        for rule in fired:
            found = rules.get(rule)
            if found is None or found[0] != level:
                raise EngineError(f"rule '{rule}' fired at level {level}, outside its level")
            name, code = found[1], found[2]
            if name in codes:
                raise EngineError(f"condition '{name}' got two outcomes ({_OUTCOME[codes[name]].value}, "
                                  f"{_OUTCOME[code].value})")
            codes[name] = code
        if len(codes) - before < len(self._levels[level]):
            missing = [item.name for item in self._levels[level] if item.name not in codes]
            raise EngineError(f"no rule fired for {', '.join(missing)}")
