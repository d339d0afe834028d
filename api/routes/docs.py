"""/docs (Swagger UI) and /redoc from assets shipped in a Python package (``fastapi-offline``), not a CDN.

FastAPI's own pages load Swagger UI and ReDoc from jsDelivr, so without internet /docs is blank. The
same pages, pointing at ``/static-offline-docs/``, which serves the files of the installed package.
``HEAD /`` is answered here too (a monitor's or a proxy's check of the page; GET / is the page itself).
"""

from __future__ import annotations

from pathlib import Path

import fastapi_offline
from fastapi import APIRouter, Request, Response
from fastapi.openapi.docs import get_redoc_html, get_swagger_ui_html, get_swagger_ui_oauth2_redirect_html
from fastapi.responses import HTMLResponse
from fastapi.staticfiles import StaticFiles

from .web import SECURITY_HEADERS, WebKey

ASSETS = Path(fastapi_offline.__file__).parent / "static"
ASSETS_URL = "/static-offline-docs"
OAUTH2_REDIRECT = "/docs/oauth2-redirect"

router = APIRouter(include_in_schema=False)


def assets() -> StaticFiles:
    """The Swagger UI and ReDoc files, to mount at ``ASSETS_URL``."""
    return StaticFiles(directory=ASSETS)


@router.get("/docs")
def swagger_ui(request: Request) -> HTMLResponse:
    """Swagger UI on /openapi.json, its script and stylesheet from this server."""
    root = request.scope.get("root_path", "")
    return get_swagger_ui_html(openapi_url=f"{root}{request.app.openapi_url}",
                               title=f"{request.app.title} - Swagger UI",
                               oauth2_redirect_url=f"{root}{OAUTH2_REDIRECT}",
                               swagger_js_url=f"{root}{ASSETS_URL}/swagger-ui-bundle.js",
                               swagger_css_url=f"{root}{ASSETS_URL}/swagger-ui.css",
                               swagger_favicon_url=f"{root}{ASSETS_URL}/favicon.png")


@router.get(OAUTH2_REDIRECT)
def swagger_ui_redirect() -> HTMLResponse:
    """Swagger UI's OAuth2 redirect page (self-contained)."""
    return get_swagger_ui_oauth2_redirect_html()


@router.get("/redoc")
def redoc(request: Request) -> HTMLResponse:
    """ReDoc on /openapi.json, its script from this server, no web fonts."""
    root = request.scope.get("root_path", "")
    return get_redoc_html(openapi_url=f"{root}{request.app.openapi_url}", title=f"{request.app.title} - ReDoc",
                          redoc_js_url=f"{root}{ASSETS_URL}/redoc.standalone.js",
                          redoc_favicon_url=f"{root}{ASSETS_URL}/favicon.png", with_google_fonts=False)


@router.head("/")
def page_head(key_id: WebKey) -> Response:
    """``HEAD /``: the page's status and headers, no body (with keys configured, the page's Basic challenge)."""
    return Response(status_code=200, media_type="text/html; charset=utf-8", headers=SECURITY_HEADERS)
