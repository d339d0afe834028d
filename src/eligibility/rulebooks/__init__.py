"""Rulebooks: the code that reads the law in the top-level ``rules/``.

Schema (``schema.py``), YAML with line numbers (``yaml_source.py``), loading
and period selection (``loader.py``), the table of statutes cited (``statutes.py``,
``rules/statutes.yaml``), the semantic lint (``lint.py``, with the citations' in
``citations.py``), the
diff of two rulebooks (``diff.py``), the evaluation plan (``plan.py``) and the
reload canaries (``canary.py`` with ``canary_cases.yaml``). The law's bounds
that generated cases must respect are part of the valid case space
(``case/space.py``), which reads them from the rulebooks.
"""
