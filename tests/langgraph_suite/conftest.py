"""The harness modules (lgsuite_*) are imported by their bare names, here and in the pytest process that
runs LangGraph's files, so this folder goes on sys.path (the project runs pytest with --import-mode=importlib)."""

import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).parent))
