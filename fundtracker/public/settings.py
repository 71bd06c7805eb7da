"""What a county may set for its public pages and notices (app config keys), with their defaults."""
from flask import current_app

DEFAULTS = {
    # A notice's period in days when none is given, and the shortest period the county may set.
    "NOTICE_DEFAULT_DAYS": 10,
    "NOTICE_MIN_DAYS": 5,
    # When on, approval, payment approval and a distribution's payout wait until the notice before them
    # has ended with every objection answered.
    "NOTICE_REQUIRED_BEFORE_NEXT_STEP": False,
    # Objections per client address within the window (minutes), counted in the database.
    "OBJECTION_LIMIT": 5,
    "OBJECTION_WINDOW_MINUTES": 60,
    # The office the public may call about a notice (the only phone number public pages show).
    "PUBLIC_OFFICE_CONTACT": "县农业农村局 村级集体经济项目办公室",
    # The site's public address for QR codes (e.g. https://funds.example.gov.cn); empty: the request's host.
    "PUBLIC_BASE_URL": "",
    "PUBLIC_CACHE_SECONDS": 60,
}


def setting(name: str):
    return current_app.config.get(name, DEFAULTS[name])
