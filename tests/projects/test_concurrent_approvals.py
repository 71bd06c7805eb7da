"""Two approvals against one pool at the same moment, from two processes with their own
connections, with money for only one: exactly one succeeds, on both databases."""
import multiprocessing

from sqlalchemy import select

from fundtracker.auth.roles import Role
from fundtracker.extensions import db
from fundtracker.pools.services import figures_for
from fundtracker.projects.models import Project

from ..conftest import BASE_CONFIG
from .conftest import WAN

CONTEXT = multiprocessing.get_context("spawn")


def _approve(database_url, project_id, pool_id, approver_id, my_read, other_read, results):
    from fundtracker import create_app
    from fundtracker.auth.models import User
    from fundtracker.errors import DomainError
    from fundtracker.pools import services as pool_services
    from fundtracker.projects import workflow

    from .conftest import without_the_panel

    real_figures_for = pool_services.figures_for

    def figures_then_wait(pool):
        """Read the available money, then give the other process the chance to read it too:
        with the pool row locked it cannot, and the wait times out."""
        figures = real_figures_for(pool)
        my_read.set()
        other_read.wait(1.5)
        return figures

    pool_services.figures_for = figures_then_wait
    app = create_app({**BASE_CONFIG, "SQLALCHEMY_DATABASE_URI": database_url})
    without_the_panel(app)  # the race is about the pool; the panel's gate is tested in tests/vetting
    with app.app_context():
        project = db.session.get(Project, project_id)
        try:
            workflow.apply_transition(project, workflow.Action.APPROVE, db.session.get(User, approver_id),
                                      workflow.TransitionInput(approved_amount_fen=300 * WAN, pool_id=pool_id))
            db.session.commit()
            results.put("approved")
        except DomainError:
            db.session.rollback()
            results.put("refused")
        db.engine.dispose()


def test_two_concurrent_approvals_cannot_over_commit_a_pool(app, database_url, make_project, make_user,
                                                            make_funded_pool):
    pool = make_funded_pool(yuan=400 * 10_000)
    first, second = make_project(title="甲", status="vetting"), make_project(title="乙", status="vetting")
    approver = make_user(Role.APPROVER)
    ids = (first.id, second.id, pool.id, approver.id)
    db.session.rollback()
    results = CONTEXT.Queue()
    first_read, second_read = CONTEXT.Event(), CONTEXT.Event()
    workers = [
        CONTEXT.Process(target=_approve, args=(database_url, ids[0], ids[2], ids[3], first_read, second_read, results)),
        CONTEXT.Process(target=_approve, args=(database_url, ids[1], ids[2], ids[3], second_read, first_read, results)),
    ]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(90)
    assert [worker.exitcode for worker in workers] == [0, 0]
    assert sorted(results.get(timeout=5) for _ in workers) == ["approved", "refused"]
    db.session.expire_all()
    statuses = db.session.execute(select(Project.status).order_by(Project.id)).scalars().all()
    assert sorted(statuses) == ["approved", "vetting"]
    assert figures_for(pool).available_fen == 100 * WAN
