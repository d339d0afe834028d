"""/docs and /redoc load only this server's files (no CDN); HEAD / is answered."""

from __future__ import annotations

import re

import pytest


@pytest.mark.parametrize("path", ["/docs", "/redoc"])
def test_docs_reference_only_local_assets_and_they_are_served(client, path):
    page = client.get(path)
    assert page.status_code == 200
    urls = re.findall(r'(?:src|href)="([^"]+)"', page.text) + re.findall(r"url: '([^']+)'", page.text)
    assert urls and all(url.startswith("/") and not url.startswith("//") for url in urls), urls
    assert "cdn" not in page.text.lower() and "fonts.googleapis" not in page.text
    for url in urls:
        response = client.get(url)
        assert response.status_code == 200, url
        assert len(response.content) > 100, url

def test_head_of_the_page_is_200_without_a_body(client):
    response = client.head("/")
    assert response.status_code == 200 and response.content == b""
    assert response.headers["content-type"].startswith("text/html")
    assert response.headers["cache-control"] == "no-store"

def test_head_of_the_page_asks_for_the_key_like_the_page(keyed_client):
    assert keyed_client.head("/").status_code == keyed_client.get("/").status_code == 401
