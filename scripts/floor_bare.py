"""The first floor of `make bench`: a bare Flask page (what any Flask page costs under gunicorn here)."""
from flask import Flask

app = Flask(__name__)


@app.route("/")
def page():
    return "ok"
