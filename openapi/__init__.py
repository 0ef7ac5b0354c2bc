"""The project's OpenAPI spec, installed as the package data ``mock_server.openapi``.

``marketing-events.yaml`` is the single source of truth for the mock's routes, parameters and request
validation; the running mock serves it at ``/openapi.json`` with the active profile's switches applied.
"""
