"""Reference data: work types, levels, pools, regions, industries, specialties, qualifications."""

from __future__ import annotations

from flask_restx import Namespace, Resource

from interface.context import get_graph
from interface.schemas.common import whole_list
from services import reference

ns = Namespace("taxonomy", description="Reference data (public)")


def _resource_for(kind: str) -> type[Resource]:
    class TaxonomyList(Resource):
        @ns.doc(security=[])
        def get(self) -> dict:
            return whole_list(reference.items(get_graph(), kind))

    TaxonomyList.get.__doc__ = f"All {kind.replace('-', ' ')} with their codes."
    TaxonomyList.__name__ = "Taxonomy" + kind.title().replace("-", "")
    return TaxonomyList


for _kind in reference.TAXONOMY_KINDS:
    ns.add_resource(_resource_for(_kind), f"/{_kind}")
