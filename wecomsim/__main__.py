"""`python -m wecomsim`: the same as `zhidu wecom-sim`."""

from wecomsim.cli import main

main()
