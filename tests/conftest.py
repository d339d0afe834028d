"""Shared fixtures (rulebooks and evaluators are built once per test session) and hypothesis profiles.

Profiles (``HYPOTHESIS_PROFILE``; ``.ci/run`` selects ``ci``, and so does ``CI=true``):

* ``ci``: deterministic. ``derandomize=True`` draws the same examples on every machine and run,
  ``database=None`` keeps examples found elsewhere out, and the timing-based checks (deadline,
  ``too_slow``) are off, so a loaded CI host cannot fail a run. A red CI is always a real defect.
* ``dev`` (default locally): random, with the example database, so local runs keep exploring.
  An example a local run finds is added to its test as an explicit ``@example`` (see
  ``tests/test_timeline.py``), so the ``ci`` profile runs it from then on.

Both profiles use each test's own ``max_examples``: the same example counts in CI and locally.
"""

from __future__ import annotations

import os
import shutil
import sys
from pathlib import Path

import pytest
from hypothesis import HealthCheck, settings

settings.register_profile("ci", derandomize=True, database=None, deadline=None, print_blob=True,
                          suppress_health_check=[HealthCheck.too_slow])
settings.register_profile("dev", deadline=None, print_blob=True)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE") or ("ci" if os.environ.get("CI") else "dev"))

sys.path.insert(0, str(Path(__file__).parent))

from eligibility import Evaluator, load_rulebooks  # noqa: E402
from eligibility.rulebooks.loader import default_rules_dir  # noqa: E402


@pytest.fixture(scope="session")
def books():
    """The bundled rulebooks."""
    return load_rulebooks()


@pytest.fixture(scope="session")
def engine(books):
    """The durable-rules backend's plain three-valued result (``exact=False``).

    Exact decisions are the product's default; the suites that hold the backends to each other, the
    contract and the law's invariants run on the Kleene result they start from (a fifth of the time), and
    the exact layer has its own suites over the same backends (``exact_engine``, ``exact_reference``:
    test_exact*.py, the regression gate).
    """
    return Evaluator(books, exact=False)


@pytest.fixture(scope="session")
def reference(books):
    """The plain-Python reference backend's three-valued result (``exact=False``; see ``engine``)."""
    return Evaluator(books, "reference", exact=False)


@pytest.fixture(scope="session")
def kleene(engine):
    """The plain three-valued result (``exact=False``): what the exact layer starts from (``engine`` itself)."""
    return engine


@pytest.fixture(scope="session")
def exact_engine(engine):
    """Exact decisions (decisive unknowns) on the durable-rules backend: ``engine``'s exact twin, sharing its
    compiled rulebooks as the service's evaluator does (``Evaluator.with_exact``)."""
    return engine.exactly()


@pytest.fixture(scope="session")
def exact_reference(reference):
    """Exact decisions on the plain-Python reference backend (``reference``'s exact twin)."""
    return reference.exactly()


@pytest.fixture
def rules(tmp_path: Path) -> Path:
    """A private copy of the bundled rules, for a test to break (see ``rule_copies.edit``)."""
    target = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), target)
    return target
