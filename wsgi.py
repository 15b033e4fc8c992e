"""WSGI entry point: `flask --app wsgi ...` and `gunicorn wsgi:app`."""

from advocacy import create_app

app = create_app()
