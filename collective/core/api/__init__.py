"""The core's API and the API infrastructure every app builds on.

- `permissions` — `InitiativeScoped` and `initiative_for_api`: the same rules as the pages;
- `errors` — the one JSON error shape and the HTTP status of each `ApplicationError` code;
- `pagination` — the pagination of every list;
- `views` — the API root and the token endpoint;
- `resources` — initiatives, partners, members and invitations (`initiative_urlpatterns`).

`collective.api` only wires these and each condition app's `api.py` into URLs.
"""
