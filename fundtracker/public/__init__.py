"""Public disclosure (村务公开 / 项目公示): pages without login for every village and published project,
notices (公示) with objections (异议) and the county's answers, QR codes and printable notice boards.
Plugs into the lower domains through their extension points: its payments and returns sections on the
public project page, the notices published automatically at the steps counties publish, and the guards
that can hold approval, payment and payout until the notice has ended with every objection answered."""
from flask_babel import lazy_gettext as _l

from ..auth.roles import Role
from ..navigation import EVERYONE, NavEntry
from ..signals import Hook, connect


def init_app(app) -> None:
    from ..disbursements.services import PAYMENT_MACHINE
    from ..projects.workflow import MACHINE_NAME as PROJECT_MACHINE
    from ..returns.distribution import MACHINE_NAME as DISTRIBUTION_MACHINE
    from . import models  # noqa: F401  (its tables)
    from . import notices
    from .demo import seed_notices
    from .sections import PROJECT_SECTIONS
    from .views import TAB, bp

    app.register_blueprint(bp)
    for section in PROJECT_SECTIONS:
        connect(app, Hook.PUBLIC_PROJECT_SECTION, section)
    connect(app, Hook.PROJECT_TAB, TAB)
    connect(app, Hook.NAVIGATION, NavEntry(_l("Objections"), "public.objections",
                                           frozenset({Role.APPROVER, Role.ADMIN}), position=80))
    connect(app, Hook.NAVIGATION, NavEntry(_l("Public pages"), "public.index", EVERYONE, position=90))
    connect(app, Hook.TRANSITION_EFFECT, notices.notice_on_town_pass, key=PROJECT_MACHINE)
    connect(app, Hook.TRANSITION_EFFECT, notices.notice_on_approval, key=PROJECT_MACHINE)
    connect(app, Hook.TRANSITION_EFFECT, notices.notice_on_plan_published, key=DISTRIBUTION_MACHINE)
    connect(app, Hook.TRANSITION_GUARD, notices.guard_project_approval, key=PROJECT_MACHINE)
    connect(app, Hook.TRANSITION_GUARD, notices.guard_payment_approval, key=PAYMENT_MACHINE.name)
    connect(app, Hook.TRANSITION_GUARD, notices.guard_distribution_payout, key=DISTRIBUTION_MACHINE)
    connect(app, Hook.SEED_STEP, seed_notices)
