"""Closed circles (issue 23 §4): community detection on the verification network, then cohesion and exclusivity
for each community (Wachs & Kertész, Sci. Rep. 9:10818, 2019; rules and thresholds: registry/integrity.py).

The network: verifiers (people on a verification engagement's team), providers (the firm that performed it) and
clients are nodes; each engagement ties every verifier on it to its client and its provider, and the provider to
the client. A tie's weight is the share of work the two shared (`tie_weight`: shared engagements over those of
the less busy of them), so a tie is strong when one of the two works mostly with the other, whatever the sizes;
Leiden and cohesion read these weights. Exclusivity reads the shared engagements themselves: the share of the
members' work with anyone that they did inside the group.

Communities come from the Leiden algorithm (Traag, Waltman & van Eck 2019) as python-igraph implements it in
its C core (`Graph.community_leiden`), with the constant Potts model: it finds groups denser than the resolution
and, unlike modularity, has no resolution limit, so a small circle inside a large market is not merged into a
neighbour. The input is sorted and the random seed fixed, so the same graph gives the same circles every scan.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

import igraph
import numpy as np

from registry.integrity import (
    THRESHOLDS,
    Circle,
    Thresholds,
    cohesion,
    exclusivity,
    is_closed_circle,
    possible_pairs,
)

VERIFIER, PROVIDER, CLIENT = "verifier", "provider", "client"
SEED = 23


@dataclass(frozen=True)
class Work:
    """One verification engagement as the network sees it."""

    engagement_id: str
    client_id: str | None
    provider_id: str | None
    verifier_ids: Sequence[str]


@dataclass(frozen=True)
class FoundCircle:
    circle: Circle
    members: Mapping[str, tuple[str, ...]]  # role → ids
    engagement_ids: tuple[str, ...]


ROLES: tuple[str, ...] = (VERIFIER, PROVIDER, CLIENT)


class _Network:
    """The verification network as integer arrays: nodes, ties with their shared counts, and which work each
    tie came from."""

    def __init__(self, works: Sequence[Work]) -> None:
        self.index: dict[tuple[int, str], int] = {}
        self.roles: list[int] = []
        occurrences: list[int] = []  # node of each (work, node), for the engagements per node
        ends_a: list[int] = []
        ends_b: list[int] = []
        tie_work: list[int] = []
        for number, work in enumerate(works):
            verifiers = [self._node(0, v) for v in dict.fromkeys(work.verifier_ids)]
            provider = self._node(1, work.provider_id) if work.provider_id else None
            client = self._node(2, work.client_id) if work.client_id else None
            occurrences.extend(verifiers)
            others = [n for n in (provider, client) if n is not None]
            occurrences.extend(others)
            for v in verifiers:
                for other in others:
                    ends_a.append(v)
                    ends_b.append(other)
                    tie_work.append(number)
            if provider is not None and client is not None:
                ends_a.append(provider)
                ends_b.append(client)
                tie_work.append(number)
        size = len(self.roles)
        self.size = size
        self.engagements = np.bincount(np.array(occurrences, dtype=np.int64), minlength=size).astype(
            np.float64
        )
        a, b = np.array(ends_a, dtype=np.int64), np.array(ends_b, dtype=np.int64)
        self.tie_a, self.tie_b = np.minimum(a, b), np.maximum(a, b)
        self.tie_work = np.array(tie_work, dtype=np.int64)
        codes, counts = np.unique(self.tie_a * size + self.tie_b, return_counts=True)
        self.pairs = (
            np.stack([codes // size, codes % size], axis=1) if len(codes) else np.zeros((0, 2), np.int64)
        )
        # tie_weight, for every pair at once: shared work over that of the less busy of the two
        busier = np.minimum(self.engagements[self.pairs[:, 0]], self.engagements[self.pairs[:, 1]])
        self.counts = counts.astype(np.float64)
        self.weights = counts / np.maximum(busier, 1.0)
        self.role_of = np.array(self.roles, dtype=np.int64)
        self.names = [name for (_, name), _ in sorted(self.index.items(), key=lambda item: item[1])]

    def _node(self, role: int, node_id: str) -> int:
        key = (role, node_id)
        found = self.index.get(key)
        if found is None:
            found = self.index[key] = len(self.roles)
            self.roles.append(role)
        return found


def find_circles(works: Iterable[Work], rules: Thresholds = THRESHOLDS) -> list[FoundCircle]:
    """The communities of the verification network that pass the closed-circle thresholds, best first."""
    ordered = sorted(works, key=lambda w: w.engagement_id)
    network = _Network(ordered)
    if not len(network.pairs):
        return []
    graph = igraph.Graph(n=network.size, edges=network.pairs.tolist(), directed=False)
    random.seed(SEED)  # igraph draws from Python's generator: the same graph gives the same communities
    partition = graph.community_leiden(
        objective_function="CPM",
        weights=network.weights,
        resolution=rules.circle_resolution,
        n_iterations=2,
    )
    membership = np.array(partition.membership, dtype=np.int64)
    return _score(ordered, network, membership, rules)


def _score(
    works: Sequence[Work], network: _Network, membership: np.ndarray, rules: Thresholds
) -> list[FoundCircle]:
    communities = int(membership.max()) + 1
    a, b = membership[network.pairs[:, 0]], membership[network.pairs[:, 1]]
    inside = a == b
    weights, counts = network.weights, network.counts
    # Cohesion weighs ties by share of work (a small client's only provider is a full tie); exclusivity counts
    # the work itself: how much of what the members did together with anyone they did inside the group.
    internal = np.bincount(a[inside], weights=weights[inside], minlength=communities)
    internal_work = np.bincount(a[inside], weights=counts[inside], minlength=communities)
    # every tie counts at both of its ends; a tie inside counts for the group twice
    all_work = np.bincount(a, weights=counts, minlength=communities) + np.bincount(
        b, weights=counts, minlength=communities
    )
    roles = np.zeros((communities, 3), dtype=np.int64)
    np.add.at(roles, (membership, network.role_of), 1)
    candidates = np.flatnonzero(
        (roles[:, 0] >= rules.circle_min_verifiers)
        & (roles[:, 1] >= rules.circle_min_providers)
        & (roles[:, 2] >= rules.circle_min_clients)
    )
    if not len(candidates):
        return []
    # A work lies inside a group when every one of its ties does.
    tie_group_a, tie_group_b = membership[network.tie_a], membership[network.tie_b]
    crossing = np.bincount(network.tie_work[tie_group_a != tie_group_b], minlength=len(works))
    work_group = np.full(len(works), -1, dtype=np.int64)
    work_group[network.tie_work] = tie_group_a
    work_group[crossing > 0] = -1
    found = []
    for c in candidates.tolist():
        verifiers, providers, clients = (int(n) for n in roles[c])
        inside_work = tuple(sorted(works[w].engagement_id for w in np.flatnonzero(work_group == c)))
        member_nodes = np.flatnonzero(membership == c)
        circle = Circle(
            members=tuple(sorted(network.names[i] for i in member_nodes)),
            verifiers=verifiers,
            providers=providers,
            clients=clients,
            engagements=len(inside_work),
            cohesion=round(cohesion(float(internal[c]), possible_pairs(verifiers, providers, clients)), 3),
            exclusivity=round(exclusivity(2 * float(internal_work[c]), float(all_work[c])), 3),
        )
        if not is_closed_circle(circle, rules):
            continue
        members = {
            role: tuple(sorted(network.names[i] for i in member_nodes if network.roles[i] == r))
            for r, role in enumerate(ROLES)
        }
        found.append(FoundCircle(circle, members, inside_work))
    return sorted(found, key=lambda f: (-f.circle.cohesion * f.circle.exclusivity, f.circle.members))
