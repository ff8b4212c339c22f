"""Use cases: one module per area; the API and the CLI call these, never graph/ directly."""
