from access import permissions
from access.roles import access_of

from .models import Notification


def notifications(request) -> dict:
    """`unread_notifications`: a reviewer's unread count, read only where a page shows it."""
    user = request.user
    if not permissions.reviews(access_of(user)):
        return {}
    return {"unread_notifications": lambda: Notification.objects.unread_for(user).count()}
