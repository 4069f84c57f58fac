"""Open311 GeoReport v2: outside 311 clients list a community's services, file and follow orders.

`/open311/v2/…` speaks the specification's documents (XML and JSON); integrations and their API
keys are managed by admins through `/api/v1/admin/integrations` and the `linli integration` CLI.
"""
