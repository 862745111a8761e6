"""`talentloop` (or `python -m talentloop`): the project's command line.

`talentloop demo | serve | worker | seed | import | parse | dedupe-scan | search-reindex |
match-embed | bench …` and any other manage.py command (dashes stand for underscores).
"""

from __future__ import annotations

import os
import sys


def main(argv: list[str] | None = None) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "talentloop.settings")
    from django.core.management import execute_from_command_line

    args = list(sys.argv[1:] if argv is None else argv)
    if args and args[0] == "import":
        args[0] = "import_candidates"  # `import` is a Python keyword; the command file cannot be
    elif args and not args[0].startswith("-"):
        args[0] = args[0].replace("-", "_")  # `dedupe-scan` runs the dedupe_scan command
    execute_from_command_line(["talentloop", *args])


if __name__ == "__main__":
    main()
