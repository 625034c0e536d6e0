"""``python -m benchmarks --configs tiny,small,medium,large --rounds 3``: see glassnet.bench."""

import sys

from glassnet.bench import main

sys.exit(main())
