from __future__ import annotations

from flask import current_app, has_request_context, request


def base_url() -> str:
    """The public address: SHAREMARKET_BASE_URL, else the address this request came to."""
    configured = current_app.config.get("SHAREMARKET_BASE_URL")
    if configured:
        return configured.rstrip("/")
    if has_request_context():
        return request.host_url.rstrip("/")
    return ""


def absolute(path: str) -> str:
    return base_url() + path


def webcal(url: str) -> str:
    """The same feed for phones: webcal:// opens the calendar app's subscribe dialog."""
    return "webcal://" + url.split("://", 1)[1] if "://" in url else url
