"""QR codes (segno) that lead from a printed notice board to the live public page."""
import segno
from flask import request, url_for
from markupsafe import Markup

from .settings import setting


def public_url(endpoint: str, **values) -> str:
    """An absolute address for a QR code: PUBLIC_BASE_URL when the county set it (a cached page never
    carries a host someone sent in a header), else this request's host."""
    base = (setting("PUBLIC_BASE_URL") or request.host_url).rstrip("/")
    return base + url_for(endpoint, **values)


def qr_svg(url: str, scale: int = 4) -> Markup:
    return Markup(segno.make(url, error="m").svg_inline(scale=scale, title=url, svgclass="qr"))
