"""``python -m eligibility``: the same CLI as the ``eligibility`` command."""

from .cli.app import app

app(prog_name="eligibility")
