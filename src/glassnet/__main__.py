"""``python -m glassnet`` is the ``glassnet`` command."""

import sys

from glassnet.cli import main

if __name__ == "__main__":
    sys.exit(main())
