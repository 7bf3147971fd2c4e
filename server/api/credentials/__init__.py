"""How the server authenticates: one module per credential kind, and `discover` choosing among them.

Adding a kind is a module here (its variables, validation, headers and what the API accepts it
for) and one line in `discover.KINDS`.
"""
