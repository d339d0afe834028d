"""How the page lays out a decision's texts: the paragraphs of a text, and the traceability line.

The library writes the motivering and the text to the person as paragraphs separated by a blank line,
a paragraph of more than one line starting with its heading ("Sammanfattning", a programme's name); the
page shows them as headings and ``<p>`` elements, not as preformatted text, and its copy buttons join
them back into the text as written (``static/app.js``). The traceability line names what reproduces the
text: the rulebook and its hashes, the package version and the template hash.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

HASH_CHARS = 12
"""A hash is shown by its first 12 hex digits, as on the command line (the JSON has it whole)."""


@dataclass(frozen=True)
class Paragraph:
    """One paragraph of a text: its heading (``None`` for a paragraph of one line) and its lines."""

    heading: str | None
    lines: tuple[str, ...]


def paragraphs(text: str) -> list[Paragraph]:
    """The paragraphs of ``text`` (blank-line separated); the first line of a longer one is its heading."""
    result = []
    for block in text.split("\n\n"):
        lines = tuple(line for line in block.split("\n") if line.strip())
        if not lines:
            continue
        result.append(Paragraph(lines[0], lines[1:]) if len(lines) > 1 else Paragraph(None, lines))
    return result


def trace(decision: Any) -> list[tuple[str, str]]:
    """(label, value) of what reproduces the decision's texts: regelversion, innehållshash, lagtabellens hash
    (only when the rulebook has one), programversion, mallhash."""
    rulebook = decision.rulebook
    items = [("Regelversion", rulebook.id), ("Innehållshash", rulebook.content_hash[:HASH_CHARS])]
    statutes = getattr(rulebook, "statutes_hash", None)
    if statutes:
        items.append(("Lagtabellens hash", statutes[:HASH_CHARS]))
    items.append(("Programversion", decision.package_version or "–"))
    items.append(("Mallhash", decision.template_hash[:HASH_CHARS] or "–"))
    return items
