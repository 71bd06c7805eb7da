"""Townships and villages: create and rename, with their audit trail."""
from flask_babel import lazy_gettext as _l
from sqlalchemy import select

from ..audit.services import record_audit
from ..errors import DomainError
from ..extensions import db
from .models import Township, Village


def township_choices() -> list[tuple[int, str]]:
    rows = db.session.execute(select(Township.id, Township.name).order_by(Township.name))
    return [(row.id, row.name) for row in rows]


def township_of_village(village_id: int) -> int | None:
    return db.session.execute(select(Village.township_id).where(Village.id == village_id)).scalar()


def village_choices(township_id: int | None = None) -> list[tuple[int, str]]:
    """Every village as "township · village", or one township's villages by their own names."""
    if township_id is not None:
        rows = db.session.execute(select(Village.id, Village.name).where(Village.township_id == township_id)
                                  .order_by(Village.name))
        return [(row.id, row.name) for row in rows]
    rows = db.session.execute(
        select(Village.id, Village.name, Township.name.label("township"))
        .join(Township)
        .order_by(Township.name, Village.name)
    )
    return [(row.id, f"{row.township} · {row.name}") for row in rows]


def _code_taken(model, code, own_id) -> bool:
    if not code:
        return False
    found = db.session.execute(select(model.id).where(model.code == code)).scalar_one_or_none()
    return found is not None and found != own_id


def save_township(township: Township | None, *, name: str, code: str | None) -> Township:
    name, code = name.strip(), (code or "").strip() or None
    own_id = township.id if township else None
    clash = db.session.execute(select(Township.id).where(Township.name == name)).scalar_one_or_none()
    if clash is not None and clash != own_id:
        raise DomainError(_l("A township with this name exists."), field="name")
    if _code_taken(Township, code, own_id):
        raise DomainError(_l("This code is in use."), field="code")
    before = {"name": township.name, "code": township.code} if township else None
    township = township or Township()
    township.name, township.code = name, code
    db.session.add(township)
    db.session.flush()
    record_audit("township.saved", "township", township.id, summary=name,
                 before=before, after={"name": name, "code": code})
    return township


def save_village(village: Village | None, *, township_id: int, name: str, code: str | None) -> Village:
    name, code = name.strip(), (code or "").strip() or None
    if db.session.get(Township, township_id) is None:
        raise DomainError(_l("Unknown township."), field="township_id")
    own_id = village.id if village else None
    clash = db.session.execute(
        select(Village.id).where(Village.township_id == township_id, Village.name == name)
    ).scalar_one_or_none()
    if clash is not None and clash != own_id:
        raise DomainError(_l("This township already has a village with this name."), field="name")
    if _code_taken(Village, code, own_id):
        raise DomainError(_l("This code is in use."), field="code")
    before = {"name": village.name, "code": village.code, "township_id": village.township_id} if village else None
    village = village or Village()
    village.township_id, village.name, village.code = township_id, name, code
    db.session.add(village)
    db.session.flush()
    record_audit("village.saved", "village", village.id, summary=name,
                 before=before, after={"name": name, "code": code, "township_id": township_id})
    return village
