"""Known vulnerabilities in the installed Python dependencies, from PyPI's JSON API.

    python .ci/audit_deps.py [--allow-offline] [--skip NAME ...]

The equivalent of ``pip-audit -s pypi`` for this network, where PyPI's
per-release endpoint (``/pypi/NAME/VERSION/json``, which pip-audit asks) is
not reachable but the project endpoint (``/pypi/NAME/json``) is. PyPI fills
that endpoint's ``vulnerabilities`` from the OSV database for the project's
latest release, so:

* installed == latest: the advisories listed there are checked against it;
* installed != latest: the per-release endpoint is tried; if that is not
  reachable either the package is reported as "not verified" (never as safe).

Exit 1 when any installed dependency has a known, not withdrawn
vulnerability; 2 when PyPI cannot be reached at all, unless
``--allow-offline`` (then a warning: CI must not turn red because a third
party is down, docs/decisions.md). The project itself (editable) is skipped.
"""

from __future__ import annotations

import argparse
import sys
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from importlib import metadata

import httpx

PYPI = "https://pypi.org/pypi"
PROJECT = "eligibility"


@dataclass
class Finding:
    """What PyPI says about one installed distribution."""

    name: str
    version: str
    verified: bool = False
    reachable: bool = True
    advisories: list[str] = field(default_factory=list)
    note: str = ""


def _installed(skip: set[str]) -> dict[str, str]:
    found: dict[str, str] = {}
    for dist in metadata.distributions():
        name = (dist.metadata["Name"] or "").lower()
        if name and name not in skip:
            found[name] = dist.version
    return found


def _advisories(payload: dict) -> list[str]:
    return [f"{v.get('id')} (fixed in {', '.join(v.get('fixed_in') or ['?'])})"
            for v in payload.get("vulnerabilities") or [] if not v.get("withdrawn")]


def check(client: httpx.Client, name: str, version: str) -> Finding:
    """The advisories PyPI lists for ``name`` at ``version``, or why they could not be checked."""
    finding = Finding(name, version)
    try:
        project = client.get(f"{PYPI}/{name}/json")
    except httpx.HTTPError as exc:
        finding.reachable, finding.note = False, type(exc).__name__
        return finding
    if project.status_code != 200:
        finding.note = f"PyPI answered {project.status_code} (not a PyPI package?)"
        return finding
    payload = project.json()
    latest = payload.get("info", {}).get("version")
    if latest == version:
        finding.verified, finding.advisories = True, _advisories(payload)
        return finding
    try:
        release = client.get(f"{PYPI}/{name}/{version}/json")
    except httpx.HTTPError:
        release = None
    if release is not None and release.status_code == 200:
        finding.verified, finding.advisories = True, _advisories(release.json())
    else:
        finding.note = f"installed {version}, latest {latest}; PyPI's per-release data is not reachable here"
    return finding


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--allow-offline", action="store_true", help="warn, not fail, when PyPI is unreachable")
    parser.add_argument("--skip", nargs="*", default=[], help="distributions not to check")
    args = parser.parse_args()
    installed = _installed({PROJECT, *(s.lower() for s in args.skip)})
    with httpx.Client(timeout=20.0, follow_redirects=True) as client, ThreadPoolExecutor(8) as pool:
        findings = list(pool.map(lambda item: check(client, *item), sorted(installed.items())))
    vulnerable = [f for f in findings if f.advisories]
    unverified = [f for f in findings if not f.verified]
    if not any(f.reachable for f in findings):
        print(f"dependency audit: PyPI ({PYPI}) not reachable; nothing was checked", file=sys.stderr)
        return 0 if args.allow_offline else 2
    for f in vulnerable:
        print(f"VULNERABLE {f.name} {f.version}: {'; '.join(f.advisories)}")
    for f in unverified:
        print(f"not verified {f.name} {f.version}: {f.note}")
    print(f"dependency audit: {len(findings)} installed distributions, {len(findings) - len(unverified)} checked "
          f"against PyPI's advisories, {len(vulnerable)} with known vulnerabilities, {len(unverified)} not verified")
    return 1 if vulnerable else 0


if __name__ == "__main__":
    sys.exit(main())
