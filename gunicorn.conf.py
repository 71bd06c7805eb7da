"""gunicorn reads this file from the folder it starts in (the checkout): `gunicorn wsgi:app` needs no -c.
Each worker compiles every template and freezes its start-up objects before its first request
(fundtracker/serving.py says why)."""


def post_worker_init(worker):
    from fundtracker.serving import ready_worker

    if hasattr(worker.wsgi, "jinja_env"):
        ready_worker(worker.wsgi)
    else:  # gunicorn's stand-in for an app that failed to load, or the app wrapped in middleware
        worker.log.warning("gunicorn.conf.py: %r is not the Flask app; the worker serves unreadied", worker.wsgi)
