"""The Admin API as the rest of the server sees it: one HTTP client, its errors, the credentials.

Lowest layer of the server: imports nothing of it but `config` and `redaction`.
"""
