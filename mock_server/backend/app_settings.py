"""Apps' event-details settings. Apps belong to developer accounts, not portals: the settings are global,
each app its own, and HubSpot authenticates them with the developer account's API key (`hapikey`)."""

from __future__ import annotations

from ..exceptions import Forbidden, Unauthorized
from .base import BackendBase, locked
from .records import Principal, invalid


class AppSettings(BackendBase):
    def authenticate_developer_key(self, key: str) -> Principal:
        """A developer API key (`hapikey`): known to the seed, or any key while accept_any_token is on."""
        if not key or (key not in self.developer_keys and not self.settings.accept_any_token):
            raise Unauthorized("The developer API key (hapikey) is missing or not valid")
        return Principal(self.settings.default_portal_id, self.settings.default_app_id, frozenset())

    def check_developer_key(self, key: str, app_id: int) -> None:
        """A seeded key reaches only its own apps; any other accepted key reaches any app."""
        apps = self.developer_keys.get(key)
        if apps is not None and app_id not in apps:
            raise Forbidden(f"This developer API key does not own app {app_id}")

    @locked
    def app_settings(self, app_id: int) -> str:
        url = self.event_details_urls.get(app_id)
        if url is None:
            raise self.not_found(f"App {app_id} has no settings")
        return url

    @locked
    def set_app_settings(self, app_id: int, event_details_url: str) -> None:
        if "%s" not in event_details_url:  # HubSpot puts the event's id where %s is
            raise invalid(
                "eventDetailsUrl",
                "eventDetailsUrl must contain %s, where HubSpot puts the event id (e.g. https://my.event.app/events/%s)",
            )
        self.event_details_urls[app_id] = event_details_url
        self.changes.record("app", "settings updated", app_id, event_details_url)
