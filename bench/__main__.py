"""`python -m bench`: run every bench/bench_*.py module's main(), one after the other."""

from __future__ import annotations

import importlib
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def main() -> None:
    sys.path.insert(0, str(HERE.parent))
    for path in sorted(HERE.glob("bench_*.py")):
        module = importlib.import_module(f"bench.{path.stem}")
        print(f"=== {path.stem} ===", flush=True)
        module.main()
        print(flush=True)


if __name__ == "__main__":
    main()
