"""`zhidu` console script: a thin wrapper around Django's manage.py.

Every operator command is `zhidu <verb>` (e.g. `zhidu policy import FILE`, `zhidu wecom sync`).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    args = list(sys.argv if argv is None else ["zhidu", *argv])
    if len(args) > 1 and args[1] in ("wecom-sim", "wecom_sim"):
        # The simulator is a development tool outside the product (no Django, no database).
        from wecomsim.cli import main as wecom_sim

        wecom_sim(args[2:])
        return
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhidu.settings")
    from django.core.management import execute_from_command_line

    # `zhidu rules-import` style dashes are accepted for Django's underscores.
    if len(args) > 1:
        args[1] = args[1].replace("-", "_") if not args[1].startswith("-") else args[1]
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
