"""The source strings are English: the English catalog translates each to itself."""
from pathlib import Path

from babel.messages.pofile import read_po, write_po

CATALOG = Path(__file__).resolve().parent.parent / "fundtracker/translations/en/LC_MESSAGES/messages.po"

with CATALOG.open("rb") as handle:
    catalog = read_po(handle, locale="en")
for message in catalog:
    if not message.id:
        continue
    message.string = message.id
    message.flags.discard("fuzzy")
with CATALOG.open("wb") as handle:
    write_po(handle, catalog, width=100)
