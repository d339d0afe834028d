"""From evaluated conditions to a decision: evaluator, questions, explanation, texts.

``evaluator.py`` (``Evaluator``: validate, derive, evaluate, combine, ask),
``explain.py`` (the Swedish explanation), ``texts_sv.py`` (every Swedish text)
and ``store.py`` (the rulebooks a long-running process serves, reloaded safely).
"""
