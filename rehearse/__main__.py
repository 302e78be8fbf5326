"""Lets `python -m rehearse` behave as the `rehearse` command."""

from rehearse.cli import main

raise SystemExit(main())
