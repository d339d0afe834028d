"""Shared fixtures: rulebooks and evaluators are built once per test session."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

sys.path.insert(0, str(Path(__file__).parent))

from eligibility import Evaluator, load_rulebooks  # noqa: E402


@pytest.fixture(scope="session")
def books():
    """The bundled rulebooks."""
    return load_rulebooks()


@pytest.fixture(scope="session")
def engine(books):
    """Evaluator on the durable-rules backend."""
    return Evaluator(books)


@pytest.fixture(scope="session")
def reference(books):
    """Evaluator on the plain-Python reference backend."""
    return Evaluator(books, "reference")
