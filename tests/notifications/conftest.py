from __future__ import annotations

import pytest


@pytest.fixture
def smtp_config(app, monkeypatch):
    """Point the app's mail settings at a local port: `smtp_config(port)`."""

    def configure(port: int, target=None, timeout: float = 0.5):
        for key, value in {
            "MAIL_SERVER": "127.0.0.1",
            "MAIL_PORT": port,
            "MAIL_TIMEOUT": timeout,
            "MAIL_DEFAULT_SENDER": "sharemarket <no-reply@sharemarket.test>",
        }.items():
            monkeypatch.setitem((target or app).config, key, value)

    return configure
