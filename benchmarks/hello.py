"""The ceiling for the load test: a Flask "hello world" served the same way as the app."""

from flask import Flask

app = Flask(__name__)


@app.route("/")
def hello() -> str:
    return "Hello, world!"
