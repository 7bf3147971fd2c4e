"""What the server offers: one declarative `Operation` per Admin API endpoint (written in `tools/`),
previews' view of the API, and the one inventory deciding which tools a run offers and why not.

Imports only `api` (for the credential's view of an endpoint) and the foundation modules.
"""
