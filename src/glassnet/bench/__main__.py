"""``python -m glassnet.bench``: the benchmark runner (see glassnet.bench)."""

import sys

from glassnet.bench import main

sys.exit(main())
