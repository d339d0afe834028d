"""Prints how many requests the fuzz tests sent (counters live in test_fuzz.py)."""

from __future__ import annotations

import sys


def pytest_terminal_summary(terminalreporter):  # noqa: ANN001, ANN201
    for module in list(sys.modules.values()):
        requests = getattr(module, "FUZZ_REQUESTS", None)
        if requests:
            statuses = dict(sorted(module.FUZZ_STATUSES.items()))
            terminalreporter.write_line(f"fuzz requests: {sum(requests.values())} in total; by source: "
                                        f"{dict(requests)}; by status: {statuses}")


def pytest_ignore_collect(collection_path, config):  # noqa: ANN001, ANN201
    """Skip importing the fuzz module (several seconds: app, OpenAPI, strategies) unless ``-m fuzz`` selects it."""
    expression = config.option.markexpr or ""
    if collection_path.name == "test_fuzz.py" and ("fuzz" not in expression or "not fuzz" in expression):
        return True
    return None
