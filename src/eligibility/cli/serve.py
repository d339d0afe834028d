"""``eligibility serve``: run the HTTP API (api/) under uvicorn.

The library never imports ``api`` at import time: uvicorn and the app are
imported inside the command. The server watches nothing: rules are reloaded
on SIGHUP or ``POST /v1/admin/reload`` (admin key), and a broken rule file is
rejected with file:line while the last good rulebooks keep serving. A
connection must send its request head within ``ELIGIBILITY_HEADER_TIMEOUT``
seconds and may not stall its body for ``ELIGIBILITY_BODY_TIMEOUT`` (both 10);
at most ``ELIGIBILITY_MAX_CONNECTIONS`` (1000) are open (api/server.py).
"""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Optional

import typer

from ..errors import RulebookError
from .common import err


def serve(
    host: Annotated[str, typer.Option(help="Address to bind. Without API keys only loopback is allowed.")] = "127.0.0.1",
    port: Annotated[int, typer.Option(help="TCP port.")] = 8000,
    rules: Annotated[Optional[Path], typer.Option("--rules", help="Rules directory (default: bundled rules/).")] = None,
) -> None:
    """Serve the eligibility API (OpenAPI at /docs). Reload rules with SIGHUP."""
    from api import create_app
    from api.server import run
    from api.settings import Settings, SettingsError, is_loopback

    try:
        settings = Settings.from_env(rules_dir=rules, handle_sighup=True)
    except SettingsError as exc:
        err.print(f"Key configuration: {exc}", markup=False)
        raise typer.Exit(2) from None
    if not settings.auth_enabled:
        if not is_loopback(host):
            err.print(f"Refusing to bind to {host}: no API keys are configured (ELIGIBILITY_API_KEYS, "
                      "ELIGIBILITY_API_KEY_FILE or ELIGIBILITY_ADMIN_KEYS). Without keys the API only "
                      "listens on loopback (127.0.0.1).", markup=False)
            raise typer.Exit(2)
        typer.echo("No API keys configured: the API is open and listens on loopback only.")
    try:
        application = create_app(settings)
    except RulebookError as exc:
        err.print(f"{exc.code}", markup=False)
        for problem in exc.problems:
            err.print(f"  {problem}", markup=False, highlight=False)
        raise typer.Exit(1) from None
    shown = f"[{host}]" if ":" in host else host
    typer.echo(f"Eligibility API: http://{shown}:{port}  (OpenAPI: http://{shown}:{port}/docs)")
    try:
        run(application, host, port, settings)  # uvicorn with header/body timeouts and a connection limit
    except OSError as exc:
        err.print(f"Cannot listen on {shown}:{port}: {exc.strerror or exc}", markup=False)
        raise typer.Exit(1) from None
