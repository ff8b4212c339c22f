"""Public-welfare activities (issue 25): `(:Activity)-[:ORGANIZED_BY]->(:Organization)`, status history as
`(:Activity)-[:CHANGED]->(:ActivityStatusChange {from, to, reason, at})`, participation as
`(:Practitioner)-[j:JOINED]->(:Activity)` and invitations as `(:Activity)-[i:INVITED]->(:Practitioner)`.

Nothing is deleted: a cancelled activity keeps its JOINED rows and its history. The model is fixed in
docs/activities.md; other graph modules (statistics, profiles, credit, certificates) import `COUNTED`.
"""

from __future__ import annotations

from typing import LiteralString

# Counted participation — the Cypher twin of registry.activities.counts: `j` a JOINED relationship, `a` its
# Activity. Attended, in an activity that was not cancelled.
COUNTED: LiteralString = "j.status = 'attended' AND a.status <> 'cancelled'"
