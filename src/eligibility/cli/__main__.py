"""``python -m eligibility.cli``: the same CLI as the ``eligibility`` command."""

from eligibility.cli import app

app(prog_name="eligibility")
