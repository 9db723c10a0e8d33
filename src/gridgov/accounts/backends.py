"""Django's model backend, reading the signed-in user of a session with their area in the
same query and without the area's polygon: every page asked for the user, then for the area
(with a grid's whole GeoJSON) as soon as a scope was checked."""

from django.contrib.auth.backends import ModelBackend


class UserWithAreaBackend(ModelBackend):
    def get_user(self, user_id):
        from gridgov.accounts.models import User

        try:
            user = (
                User._default_manager.select_related("area", "department")
                .defer("area__geometry")
                .get(pk=user_id)
            )
        except User.DoesNotExist:
            return None
        return user if self.user_can_authenticate(user) else None
