"""The WSGI entry point: `gunicorn wsgi:app`, `flask --app wsgi ...`."""

from sharemarket import create_app

app = create_app()
