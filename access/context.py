"""Template context: who the user is (`access`: role, unit) and what the page-level rules say
(`may`: {{ may.reviews }}, {{ may.sees_everything }}, {{ may.enters_projects }}), asked of
access.permissions like every view asks them."""

from . import permissions
from .roles import access_of

PAGE_RULES = (
    permissions.reviews,
    permissions.sees_everything,
    permissions.enters_projects,
    permissions.enters_leads,
    permissions.follows_landing,
)


def context(request) -> dict:
    access = access_of(request.user)
    return {"access": access, "may": {rule.__name__: rule(access) for rule in PAGE_RULES}}
