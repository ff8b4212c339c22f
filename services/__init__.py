"""Use cases, one module per area: what the API and the command line ask the registry to do.

Each function takes a `Context` (the graph, the settings, who is acting, today's date), runs its whole use
case in one managed transaction through `graph/` repositories, applies the rules of `registry/`, records
the change in the audit trail, and returns plain views or raises domain errors.
"""
