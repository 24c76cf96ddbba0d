"""`zhidu` console script: a thin wrapper around Django's manage.py.

Every operator command is `zhidu <verb>` (e.g. `zhidu policy import FILE`, `zhidu wecom sync`).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "zhidu.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv if argv is None else ["zhidu", *argv])
    # `zhidu wecom-sim` reads better than `zhidu wecom_sim`; accept both.
    if len(args) > 1:
        args[1] = args[1].replace("-", "_") if not args[1].startswith("-") else args[1]
    execute_from_command_line(args)


if __name__ == "__main__":
    main()
