"""Lint and run the whole test suite (SQLite; PostgreSQL when DATABASE_URL points at it).

python3 scripts/test.py [pytest arguments]
"""

from __future__ import annotations

import subprocess
import sys

import _venv


def main() -> int:
    python = _venv.ensure()
    lint = subprocess.run([str(python), "-m", "ruff", "check", "."], cwd=_venv.ROOT)
    if lint.returncode:
        return lint.returncode
    return subprocess.run([str(python), "-m", "pytest", *sys.argv[1:]], cwd=_venv.ROOT).returncode


if __name__ == "__main__":
    sys.exit(main())
