"""The assessment as a PDF ("Bedömningsunderlag"): the web page's result HTML, printed by WeasyPrint.

One rendering for screen, paper and file: the HTML is the handläggare's page with the decision
(``api/routes/web.py``'s ``_page``, the same template and context), laid out with the page's own
``@media print`` rules (WeasyPrint renders for print media), so the PDF is what printing the page
gives. Only a header (heading, case reference, bedömningsdag, printing time) is added when the page
does not print one itself, and an ``@page`` rule (A4, page numbers); the form, which print hides, is
left out of the HTML.

Rendering is CPU-bound (about 0.2-1 s), so it runs in a thread pool, at most ``MAX_RENDERS`` at once
(a semaphore); a request over the limit is refused at once with 503 and ``Retry-After`` rather than
queued. WeasyPrint may fetch only the page's own stylesheets from ``api/web/static/``: every other URL
is refused, so a rendering never reaches the network. docs/decisions.md 81.
"""

from __future__ import annotations

import asyncio
import html
import re
import threading
import time
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime
from pathlib import Path
from typing import Any

from eligibility.decision.texts_sv import date_long_sv

from .web.result_texts import printed_at_sv

from . import metrics

MAX_RENDERS = 2
RETRY_AFTER_SECONDS = 2
MAX_REFERENCE_CHARS = 100
STATIC = Path(__file__).parent / "web" / "static"
HEADING = "Bedömningsunderlag"
BASE_URL = "http://page.invalid/"  # never fetched: _fetcher maps /static/ to the package's files

PDF_CSS = """
@page { size: A4; margin: 18mm 16mm 20mm 16mm;
        @bottom-right { content: "Sida " counter(page) " av " counter(pages); font-size: 9pt; } }
.pdf-header h1 { margin: 0 0 4mm 0; }
.pdf-header dl { display: grid; grid-template-columns: max-content auto; gap: 1mm 4mm; margin: 0 0 6mm 0; }
.pdf-header dt { font-weight: bold; }
.pdf-header dd { margin: 0; }
"""

_FORM = re.compile(r"<form\b.*?</form>", re.S)
_executor = ThreadPoolExecutor(max_workers=MAX_RENDERS, thread_name_prefix="pdf")
_slots = threading.BoundedSemaphore(MAX_RENDERS)


class RendererBusy(Exception):
    """Every render slot is taken; the caller answers 503 with Retry-After."""


def header_html(reference: str | None, as_of: Any, printed_at: datetime) -> str:
    """The document's header: heading, case reference (when given), bedömningsdag, printing time."""
    rows = []
    if reference:
        rows.append(("Ärendereferens", reference))
    rows.append(("Bedömningsdag", f"den {date_long_sv(as_of)}"))
    zone = f" ({printed_at.tzname()})" if printed_at.tzname() else ""
    rows.append(("Utskriven", f"{printed_at_sv(printed_at)}{zone}"))
    items = "".join(f"<dt>{html.escape(k)}</dt><dd>{html.escape(v)}</dd>" for k, v in rows)
    return f'<div class="pdf-header"><h1>{HEADING}</h1><dl>{items}</dl></div>'


def document_html(page_html: str, reference: str | None, as_of: Any, printed_at: datetime) -> str:
    """The page's HTML made a document: the PDF stylesheet, and the header unless the page prints one."""
    # The form is never on paper (the print stylesheet hides it); left out, the layout takes a third less time.
    document = _FORM.sub("", page_html).replace("</head>", f"<style>{PDF_CSS}</style></head>", 1)
    if HEADING not in page_html:
        header = header_html(reference, as_of, printed_at)
        document = document.replace('<main id="main">', '<main id="main">' + header, 1)
    return document


def _fetcher() -> Any:
    """WeasyPrint's URL fetcher: files of ``api/web/static/`` only, never the network or other files."""
    from weasyprint.urls import URLFetcher, URLFetcherResponse

    class StaticOnly(URLFetcher):
        def fetch(self, url: str, headers: Any = None) -> URLFetcherResponse:
            prefix = BASE_URL + "static/"
            if url.startswith(prefix):
                name = url[len(prefix):].split("?", 1)[0]
                path = (STATIC / name).resolve()
                if path.is_file() and STATIC.resolve() in path.parents:
                    kind = "text/css" if name.endswith(".css") else "application/octet-stream"
                    return URLFetcherResponse(url, path.read_bytes(), {"Content-Type": kind})
            raise ValueError("only the page's own static files may be loaded")

    return StaticOnly(allowed_protocols=("http",))


def _render(document: str) -> bytes:
    import weasyprint  # imported on first use: loading Pango costs a moment at start-up

    started = time.perf_counter()
    try:
        pdf = weasyprint.HTML(string=document, base_url=BASE_URL, url_fetcher=_fetcher(),
                              media_type="print").write_pdf()
    except Exception:
        metrics.PDF_RENDERS.labels("failed").inc()
        raise
    finally:
        metrics.PDF_RENDER_SECONDS.observe(time.perf_counter() - started)
    metrics.PDF_RENDERS.labels("rendered").inc()
    return pdf


async def render_pdf(document: str) -> bytes:
    """Render ``document`` in the thread pool; ``RendererBusy`` at once when every slot is taken."""
    if not _slots.acquire(blocking=False):
        metrics.PDF_RENDERS.labels("refused").inc()
        raise RendererBusy()
    try:
        return await asyncio.get_running_loop().run_in_executor(_executor, _render, document)
    finally:
        _slots.release()
