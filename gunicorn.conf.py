"""gunicorn reads this file from the folder it starts in (the checkout): `gunicorn wsgi:app` needs no -c.
Each worker compiles every template and freezes its start-up objects before its first request
(fundtracker/serving.py says why)."""


def post_worker_init(worker):
    from fundtracker.serving import ready_worker

    if hasattr(worker.wsgi, "jinja_env"):  # not gunicorn's stand-in for an app that failed to load
        ready_worker(worker.wsgi)
