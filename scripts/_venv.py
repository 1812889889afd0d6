"""Create the project's virtual environment and keep it in step with pyproject.toml (stdlib only)."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
VENV = Path(os.environ.get("SHAREMARKET_VENV", ROOT / ".venv"))
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")


def ensure() -> Path:
    """The venv's python, installing or updating the project when pyproject.toml changed."""
    if sys.version_info < (3, 11):  # noqa: UP036 - this script may be started by an older python3
        sys.exit("sharemarket needs Python 3.11 or newer.")
    python = BIN / "python"
    if not python.exists():
        print(f"Creating the virtual environment in {VENV} ...", flush=True)
        venv.EnvBuilder(with_pip=True).create(VENV)
    stamp = VENV / ".sharemarket-installed"
    wanted = hashlib.sha256((ROOT / "pyproject.toml").read_bytes()).hexdigest()
    if not stamp.exists() or stamp.read_text() != wanted:
        print("Installing sharemarket and its dependencies ...", flush=True)
        pip = [str(python), "-m", "pip", "install", "--disable-pip-version-check", "-q"]
        subprocess.run([*pip, "--upgrade", "pip"], check=True)
        subprocess.run([*pip, "-e", f"{ROOT}[dev]"], check=True)
        stamp.write_text(wanted)
    return python


def flask(python: Path, *args: str, env: dict | None = None) -> None:
    subprocess.run([str(python), "-m", "flask", "--app", "wsgi", *args], cwd=ROOT, check=True, env=env)
