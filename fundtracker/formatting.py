"""How the pages write dates, times and form errors: one date format per language, local county time
(the TIMEZONE setting), and every error message whatever its type (str or lazy string)."""
from collections.abc import Mapping
from datetime import date, datetime, timezone
from functools import lru_cache
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask import current_app
from flask_babel import format_datetime, get_locale

# One pattern per language (CLDR): 中文 2026年11月24日 10:23, English 24 Nov 2026 10:23.
DATE_PATTERNS = {"zh": "y年M月d日", "en": "d MMM y"}
DATETIME_PATTERNS = {"zh": "y年M月d日 HH:mm", "en": "d MMM y HH:mm"}


def _language() -> str:
    locale = get_locale()
    return locale.language if locale is not None else "zh"


def local_date(value: date | datetime | None) -> str:
    """A day as the office writes it; a datetime is first moved to county time."""
    if value is None:
        return "—"
    if isinstance(value, datetime):
        value = to_local(value).date()
    return _written_date(value, _language())


@lru_cache(maxsize=8192)
def _written_date(value: date, language: str) -> str:
    """A list page writes the same few days many times: each (day, language) is formatted once."""
    return format_date(value, DATE_PATTERNS.get(language, DATE_PATTERNS["en"]), locale=language)


def translated(labels: Mapping) -> dict:
    """A table of lazy labels as plain strings in the request's language, so that a page listing many rows
    translates each label once, not once per row."""
    return {key: str(label) for key, label in labels.items()}


def local_datetime(value: datetime | None) -> str:
    """A moment (stored in UTC) in county time, to the minute."""
    if value is None:
        return "—"
    if not isinstance(value, datetime):
        return local_date(value)
    return format_datetime(value, DATETIME_PATTERNS.get(_language(), DATETIME_PATTERNS["en"]))


def county_timezone() -> ZoneInfo:
    return ZoneInfo(current_app.config["TIMEZONE"])


def to_local(value: datetime) -> datetime:
    """A stored moment (naive UTC, or aware) as the county's wall-clock time, without tzinfo."""
    aware = value if value.tzinfo is not None else value.replace(tzinfo=timezone.utc)
    return aware.astimezone(county_timezone()).replace(tzinfo=None)


def utc_start_of_local_day(day: date) -> datetime:
    """Midnight of a county day as the naive UTC moment the database stores (for date filters)."""
    local_midnight = datetime.combine(day, datetime.min.time(), tzinfo=county_timezone())
    return local_midnight.astimezone(timezone.utc).replace(tzinfo=None)


def error_messages(errors) -> list:
    """The messages of a field's errors, str or lazy string alike. A FieldList or FormField nests its
    rows' errors in lists or dicts: those are shown next to their own inputs, not here."""
    if isinstance(errors, Mapping):
        return []
    return [error for error in errors or () if not isinstance(error, (list, tuple, dict))]
