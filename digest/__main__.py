"""`python -m digest`: the same as the `digest` command."""

from digest.cli import script

script()
