"""Pure rules of organisations."""

from __future__ import annotations

from flask_babel import lazy_gettext as _l

KINDS = {
    "town_hall": _l("Town hall"),
    "association": _l("Association"),
    "company": _l("Company"),
    "school": _l("School"),
    "tiers_lieu": _l("Tiers-lieu"),
}
ROLES = {"admin": _l("Administrator"), "member": _l("Member")}


def is_web_address(value: str) -> bool:
    return value.startswith(("https://", "http://")) and " " not in value and len(value) > 10
