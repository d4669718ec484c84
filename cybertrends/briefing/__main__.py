"""`python -m cybertrends.briefing`: runs the command line in `cli.py` (kept out of this file so
the package can re-export `main` without importing `__main__`, which runpy warns about)."""

import sys

from cybertrends.briefing.cli import main

sys.exit(main())
