"""Record the texts of the golden motivering files: ``python tests/motivering/record.py [name ...]``.

Each ``tests/motivering/*.yaml`` holds a case and the handläggare's and the person's text it must give,
word for word. After a change to the texts, run this, read the diff (``git diff tests/motivering``) as a
handläggare and a lawyer would, and commit it with the change: the files are reviewed texts, not output.
"""

from __future__ import annotations

import sys
from pathlib import Path

import yaml

HERE = Path(__file__).resolve().parent


class _Literal(str):
    """A text written as a YAML block scalar (``|``), so that a diff shows sentences, not escapes."""


def _literal(dumper: yaml.SafeDumper, text: _Literal) -> yaml.ScalarNode:
    return dumper.represent_scalar("tag:yaml.org,2002:str", text, style="|")


yaml.SafeDumper.add_representer(_Literal, _literal)


def record(path: Path) -> None:
    from eligibility import Evaluator, load_rulebooks

    spec = yaml.safe_load(path.read_text(encoding="utf-8"))
    decision = Evaluator(load_rulebooks()).evaluate(spec["case"], spec.get("rulebook"))
    spec["motivering"] = _Literal(decision.explanation_sv + "\n")
    spec["person_text"] = _Literal(decision.person_text_sv + "\n")
    path.write_text(yaml.safe_dump(spec, allow_unicode=True, sort_keys=False, width=110), encoding="utf-8")


if __name__ == "__main__":
    names = sys.argv[1:]
    for file in sorted(HERE.glob("*.yaml")):
        if not names or file.stem in names:
            record(file)
            print(f"recorded {file.name}")
