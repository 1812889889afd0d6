"""The WSGI entry point freezes what start-up made and leaves the garbage collector on."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]

CHECK = """
import gc
from wsgi import app
assert gc.isenabled(), "the collector is on again after start-up"
assert gc.get_freeze_count() > 50_000, gc.get_freeze_count()
# Objects made after start-up are collected as usual.
class Cycle:
    pass
cycle = Cycle()
cycle.me = cycle
del cycle
assert gc.collect() >= 1
response = app.test_client().get("/hello")
print(response.status_code)
"""


def test_importing_the_app_freezes_start_up_and_serves_as_before(tmp_path):
    env = dict(os.environ, SHAREMARKET_ENV="development", DATABASE_URL=f"sqlite:///{tmp_path / 'a.db'}")
    result = subprocess.run(
        [sys.executable, "-c", CHECK], cwd=ROOT, env=env, capture_output=True, text=True, check=False
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.split()[-1] == "200"
