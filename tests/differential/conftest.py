"""The differential suite's helpers (gen, build, known, repro) are imported as the `differential` package.

The project runs pytest with --import-mode=importlib, which leaves sys.path alone, so tests/ goes on it;
a package name rather than bare module names, because `build` is also the name of a PyPI distribution.
"""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent.parent))
