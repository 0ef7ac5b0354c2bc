"""An app's event-details settings, authenticated with the developer API key (see the pipeline)."""

from __future__ import annotations

from ..call import Answer, Call


def get_app_settings(call: Call) -> Answer:
    app_id = call.params["appId"]
    return Answer(200, {"appId": app_id, "eventDetailsUrl": call.backend.app_settings(app_id)})


def update_app_settings(call: Call) -> Answer:
    app_id, url = call.params["appId"], call.body["eventDetailsUrl"]
    call.backend.set_app_settings(app_id, url)
    return Answer(200, {"appId": app_id, "eventDetailsUrl": url})
