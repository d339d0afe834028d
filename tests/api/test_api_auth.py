"""API keys: Bearer on /v1 when keys are configured, health open, admin separate, hashed config."""

from __future__ import annotations

import pytest

from api.deps import match_key
from api.examples import HPS_SJUKPENNING
from api.settings import ApiKey, Settings, SettingsError, hash_key, is_loopback

USER_KEY, ADMIN_KEY = "user-secret-key", "admin-secret-key"  # as configured in conftest.keyed_client


def auth(key: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {key}"}


def test_v1_routes_need_a_key(keyed_client):
    for response in (keyed_client.post("/v1/decisions", json=HPS_SJUKPENNING), keyed_client.get("/v1/rulebooks"),
                     keyed_client.get("/v1/rulebooks", headers=auth("wrong")),
                     keyed_client.get("/v1/rulebooks", headers={"Authorization": f"Basic {USER_KEY}"})):
        assert response.status_code == 401
        assert response.headers["www-authenticate"] == "Bearer"
        assert response.json()["type"].endswith("/unauthorized")


def test_valid_key_passes_and_is_audited_by_id(keyed_client, log):
    response = keyed_client.post("/v1/decisions", json=HPS_SJUKPENNING, headers=auth(USER_KEY))
    assert response.status_code == 200
    assert '"key_id": "team-a"' in log.getvalue()
    assert USER_KEY not in log.getvalue()
    assert keyed_client.get("/v1/rulebooks", headers=auth(ADMIN_KEY)).status_code == 200


def test_health_routes_need_no_key(keyed_client):
    for path in ("/healthz", "/readyz", "/metrics", "/openapi.json"):
        assert keyed_client.get(path).status_code == 200


def test_reload_needs_an_admin_key(keyed_client):
    assert keyed_client.post("/v1/admin/reload").status_code == 401
    forbidden = keyed_client.post("/v1/admin/reload", headers=auth(USER_KEY))
    assert forbidden.status_code == 403 and forbidden.json()["type"].endswith("/forbidden")
    assert keyed_client.post("/v1/admin/reload", headers=auth(ADMIN_KEY)).status_code == 200


def test_settings_from_env_and_key_file(tmp_path):
    key_file = tmp_path / "keys"
    key_file.write_text(f"# clients\nfile-client:{hash_key('f')}\n\n")
    settings = Settings.from_env({"ELIGIBILITY_API_KEYS": f"a:{hash_key('a')}, b:{hash_key('b')}",
                                  "ELIGIBILITY_API_KEY_FILE": str(key_file),
                                  "ELIGIBILITY_ADMIN_KEYS": f"ops:{hash_key('o')}"})
    assert [(k.key_id, k.admin) for k in settings.keys] == [("a", False), ("b", False), ("file-client", False),
                                                           ("ops", True)]
    assert Settings.from_env({}).auth_enabled is False


@pytest.mark.parametrize("env", [{"ELIGIBILITY_API_KEYS": "a:notahash"},
                                 {"ELIGIBILITY_API_KEYS": "plain-secret-key"},
                                 {"ELIGIBILITY_API_KEYS": f"a:{hash_key('x')},a:{hash_key('y')}"},
                                 {"ELIGIBILITY_API_KEY_FILE": "/nonexistent/keys"}])
def test_bad_key_configuration_is_rejected_without_echo(env):
    with pytest.raises(SettingsError) as info:
        Settings.from_env(env)
    assert "plain-secret-key" not in str(info.value)


def test_match_key_checks_every_key():
    keys = (ApiKey("a", hash_key("one")), ApiKey("b", hash_key("two")))
    assert match_key(keys, "two").key_id == "b"
    assert match_key(keys, "three") is None


def test_loopback():
    assert all(is_loopback(h) for h in ("127.0.0.1", "::1", "localhost", "127.0.0.2"))
    assert not any(is_loopback(h) for h in ("0.0.0.0", "192.168.1.2", "::", "example.org"))
