"""Run sharemarket locally: web server and scheduler, SQLite, demo town on first start.

python3 scripts/run.py            # http://127.0.0.1:5000
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys

import _venv


def _stop_on_sigterm(signum, frame):
    raise KeyboardInterrupt  # `kill` or a service manager stops us like Ctrl-C: children first


def main() -> int:
    signal.signal(signal.SIGTERM, _stop_on_sigterm)
    python = _venv.ensure()
    env = dict(os.environ)
    env.setdefault("SHAREMARKET_ENV", "development")
    env.setdefault("FLASK_DEBUG", "0")
    _venv.flask(python, "db", "upgrade", env=env)
    _venv.flask(python, "demo", "load", "--if-empty", env=env)
    port = env.get("PORT", "5000")
    base = [str(python), "-m", "flask", "--app", "wsgi"]
    scheduler = subprocess.Popen([*base, "jobs", "serve"], cwd=_venv.ROOT, env=env)
    web = subprocess.Popen(
        [*base, "run", "--host", "127.0.0.1", "--port", port, "--with-threads"], cwd=_venv.ROOT, env=env
    )
    print(f"\nsharemarket runs at http://127.0.0.1:{port} (Ctrl-C stops it)\n", flush=True)
    try:
        return web.wait()
    except KeyboardInterrupt:
        return 0
    finally:
        for process in (web, scheduler):
            if process.poll() is None:
                process.terminate()
        for process in (web, scheduler):
            try:
                process.wait(timeout=10)
            except subprocess.TimeoutExpired:
                process.kill()


if __name__ == "__main__":
    sys.exit(main())
