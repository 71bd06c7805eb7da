"""A gunicorn worker readies itself before its first request (fundtracker/serving.py, gunicorn.conf.py)."""
import gc
import runpy
from pathlib import Path
from types import SimpleNamespace

import pytest

from fundtracker.serving import YOUNG_GENERATION_THRESHOLD

ROOT = Path(__file__).resolve().parent.parent


@pytest.fixture
def collector_restored():
    threshold = gc.get_threshold()
    yield
    gc.unfreeze()
    gc.set_threshold(*threshold)


def _gunicorn_hook():
    return runpy.run_path(str(ROOT / "gunicorn.conf.py"))["post_worker_init"]


def test_a_worker_compiles_every_template_and_freezes_its_startup_objects(app, collector_restored):
    templates = {str(path.relative_to(ROOT / "templates")) for path in (ROOT / "templates").rglob("*.html")}
    assert not set(app.jinja_env.cache or {})  # nothing compiled yet

    _gunicorn_hook()(SimpleNamespace(wsgi=app))

    compiled = {name for _, name in app.jinja_env.cache.keys()}
    assert templates <= compiled
    assert gc.get_freeze_count() > 0
    assert gc.get_threshold() == YOUNG_GENERATION_THRESHOLD


def test_the_hook_leaves_an_app_that_failed_to_load_alone_and_says_so(collector_restored):
    warnings = []
    _gunicorn_hook()(SimpleNamespace(wsgi=lambda environ, start_response: None,
                                     log=SimpleNamespace(warning=lambda *args: warnings.append(args))))
    assert gc.get_freeze_count() == 0
    assert warnings and "not the Flask app" in warnings[0][0]
