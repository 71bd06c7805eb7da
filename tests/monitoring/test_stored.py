"""The stored colours (project_monitoring_status) follow every kind of write, `flask refresh-monitoring`
catches what changes with time alone, stored equals computed for the demo county, and the board pages
them and agrees with the dashboard."""
from datetime import timedelta

from sqlalchemy import select

from fundtracker.clock import local_today
from fundtracker.demo import seed_demo
from fundtracker.extensions import db
from fundtracker.monitoring.board import colour_counts, counts_by_township
from fundtracker.monitoring.models import ProjectWarning, StoredMonitoringStatus
from fundtracker.monitoring.status import project_status
from fundtracker.monitoring.stored import refresh_all, stale_colours
from fundtracker.monitoring.warnings import WarningInput, apply_warning_action
from fundtracker.projects.models import Project

from ..conftest import login
from ..query_counter import count_queries
from .conftest import read


def stored(project) -> str | None:
    db.session.expire_all()
    return db.session.execute(select(StoredMonitoringStatus.colour)
                              .where(StoredMonitoringStatus.project_id == project.id)).scalar_one_or_none()


def test_the_stored_colour_follows_readings_and_warnings(app, monitored, village_user, approver):
    today = local_today()
    project, indicator = monitored(minimum=300, maximum=400)
    assert stored(project) == "yellow"  # an indicator with no reading yet is overdue since June
    red = read(project, indicator, 100, today, village_user)
    assert stored(project) == "red"
    warning = db.session.execute(select(ProjectWarning).where(ProjectWarning.project_id == project.id)).scalar_one()
    read(project, indicator, 395, today, village_user, supersedes=red, reason="误录")
    assert stored(project) == "yellow"  # within the margin of the maximum
    read(project, indicator, 350, today, village_user)
    assert stored(project) == "green"
    apply_warning_action(warning, "dismiss", approver, WarningInput(comment="已更正读数"))
    db.session.commit()
    assert stored(project) == "green" == project_status(project, today).colour
    assert stale_colours() == []


def test_a_project_leaving_monitoring_loses_its_stored_colour(app, monitored, village_user):
    project, indicator = monitored()
    read(project, indicator, 100, local_today(), village_user)
    project.status = "closed"
    assert any(f"project {project.id}" in violation for violation in stale_colours())
    refresh_all()
    assert stored(project) is None and stale_colours() == []


def test_refresh_catches_a_reading_falling_due_without_any_write(app, monitored, village_user):
    today = local_today()
    project, indicator = monitored()
    read(project, indicator, 350, today, village_user)
    assert stored(project) == "green"
    later = today + timedelta(days=70)  # a monthly reading is now overdue
    assert stale_colours(later) != []
    assert refresh_all(later) == 1
    assert stored(project) == "yellow" and stale_colours(later) == []


def test_the_check_reports_a_stored_colour_that_is_wrong(app, monitored, village_user):
    project, indicator = monitored()
    read(project, indicator, 100, local_today(), village_user)
    db.session.get(StoredMonitoringStatus, project.id).colour = "green"
    assert stale_colours() == [f"project {project.id}: stored colour green, computed red "
                               "(run `flask refresh-monitoring`)"]


def test_the_demo_countys_stored_colours_equal_the_computed_ones(app):
    seed_demo()
    db.session.commit()
    assert db.session.execute(select(StoredMonitoringStatus)).first() is not None
    assert stale_colours() == []


def _flagged_section(client, url) -> str:
    """The board's red and yellow projects (not its open warnings below)."""
    return client.get(url).get_data(as_text=True).split("Open warnings")[0]


def _red_projects(monitored, village_user, count):
    for number in range(count):
        project, indicator = monitored(title=f"红项目{number:02d}")
        read(project, indicator, 100, local_today(), village_user)


def test_the_board_pages_the_flagged_projects_and_filters_by_colour(app, monitored, village_user, approver):
    monitored(title="黄项目")  # no reading yet: yellow; made first, so that only the colour puts it last
    _red_projects(monitored, village_user, 3)
    app.config["PAGE_SIZE"] = 2
    client = app.test_client()
    login(client, approver)
    first, second = _flagged_section(client, "/monitoring"), _flagged_section(client, "/monitoring?page=2")
    assert "红项目00" in first and "红项目01" in first and "红项目02" not in first and "黄项目" not in first
    assert "红项目02" in second and "黄项目" in second  # red first, then yellow
    assert "Page 1 of 2 · 4 rows" in first
    only_yellow = _flagged_section(client, "/monitoring?colour=yellow")
    assert "黄项目" in only_yellow and "红项目00" not in only_yellow and "1 rows" in only_yellow
    with count_queries() as queries:
        client.get("/monitoring?colour=red")
    counting_colours = [s for s in queries.statements if "count(" in s and "project_monitoring_status" in s]
    assert len(counting_colours) == 1, counting_colours  # the pager's total comes from the counts by colour
    export = client.get("/monitoring/board.csv").get_data(as_text=True)
    assert export.count("红项目") == 3 and "黄项目" in export and "below the minimum" in export


def test_the_counts_by_township_read_each_project_once(app, monitored, village_user, approver, make_user):
    """Over the library's projects (with a township filter, and for a township's user) the counts apply its
    conditions to the project they join, without an EXISTS looking it up again, and count what the same
    projects named one by one count; a scope that is more than conditions (a limit) keeps the EXISTS."""
    from flask_login import login_user

    from fundtracker.auth.roles import Role
    from fundtracker.projects.library import LibraryFilter, project_ids_select

    _red_projects(monitored, village_user, 2)
    monitored(title="黄项目")
    township = village_user.village.township
    elsewhere, _ = monitored(title="别乡项目")
    elsewhere.village_id = make_user(Role.VILLAGE).village_id
    db.session.commit()
    ids = db.session.execute(select(Project.id)).scalars().all()
    everywhere = counts_by_township(ids)
    assert sum(sum(c.values()) for c in everywhere.values()) == 4 and len(everywhere) == 2
    for user, filters in ((approver, LibraryFilter()), (approver, LibraryFilter(township_id=township.id)),
                          (make_user(Role.TOWN, township=township), LibraryFilter())):
        with app.app_context(), app.test_request_context():  # a request's own g: its scope is computed once
            login_user(user)
            with count_queries() as queries:
                by_scope = counts_by_township(project_ids_select(filters))
        assert "EXISTS" not in queries.statements[0].upper() and "projects.status" in queries.statements[0]
        expected = everywhere if user is approver and not filters.township_id else {township.id: everywhere[township.id]}
        assert by_scope == expected, (user, filters)
    with count_queries() as queries:
        counts_by_township(select(Project.id).order_by(Project.id).limit(1))
    assert "EXISTS" in queries.statements[0].upper()


def test_the_board_and_the_dashboard_count_the_same_colours(app, monitored, village_user, approver):
    _red_projects(monitored, village_user, 2)
    monitored(title="黄项目")
    every = select(Project.id)
    by_colour = colour_counts(every)
    by_township = counts_by_township(every)
    assert by_colour == {"red": 2, "yellow": 1}
    assert sum((counts for counts in by_township.values()), start=type(by_colour)()) == by_colour
    client = app.test_client()
    login(client, approver)
    page = client.get("/monitoring").get_data(as_text=True)
    assert "Red 2" in page and "Yellow 1" in page
