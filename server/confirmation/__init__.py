"""Human approval of writes: guards, previews shown to the human, the approval channels, one
confirmation applying once, and the audit log.

Imports `runtime`, `catalog`, `api` and the foundation modules; never `transports` or `tools`.
"""
