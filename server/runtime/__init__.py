"""Running tools: the shared state of a run, the one paginator, the one result builder, reads,
lists and reports, and the MCP tools built from the catalog's operations.

Imports `catalog`, `api` and the foundation modules; never `confirmation`, `transports` or `tools`.
"""
