"""Fixtures for the API tests: one app on the bundled rules, a log buffer, key helpers."""

from __future__ import annotations

import io
import shutil
from pathlib import Path

import pytest
from fastapi.testclient import TestClient

from api import create_app
from api.audit import AuditLog
from api.settings import ApiKey, Settings, hash_key
from eligibility.decision.store import RulebookStore
from eligibility.rulebooks.loader import default_rules_dir

USER_KEY, ADMIN_KEY = "user-secret-key", "admin-secret-key"


@pytest.fixture(scope="session")
def shared_store():
    """One store on the bundled rules for the read-only tests (loading takes a moment)."""
    return RulebookStore()


@pytest.fixture
def log():
    """Everything the audit log writes during one test."""
    return io.StringIO()


@pytest.fixture
def client(shared_store, log):
    """A client of an app without keys (the loopback development setup)."""
    with TestClient(create_app(Settings(), shared_store, AuditLog(log))) as test_client:
        yield test_client


@pytest.fixture
def keyed_client(shared_store, log):
    """A client of an app with one user key and one admin key configured."""
    keys = (ApiKey("team-a", hash_key(USER_KEY)), ApiKey("ops", hash_key(ADMIN_KEY), admin=True))
    with TestClient(create_app(Settings(keys=keys), shared_store, AuditLog(log))) as test_client:
        yield test_client


@pytest.fixture
def rules_copy(tmp_path) -> Path:
    """A private copy of the bundled rules that a test may break."""
    target = tmp_path / "rules"
    shutil.copytree(default_rules_dir(), target)
    return target
