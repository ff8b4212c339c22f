"""One declaration per endpoint: each decorator registers the Swagger description *and* does the work.

    @ns.route("")
    class Things(Resource):
        @require(ADMIN)
        @creates(ns, ThingSchema(), "things_thing_item", thing_id="id")
        @accepts(ns, ThingInputSchema())
        def post(self, data): ...          # data: the validated body

        @paginated(ns, ThingArgs(), ThingSchema())
        def get(self, args): ...           # args: the validated query; return Page(items, total)

`require` goes outermost, so a caller without the role is told so before the body is validated.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import url_for
from flask_restx import Namespace
from flask_restx import fields as rx
from marshmallow import Schema

from api.models import input_model, model, parameters
from interface.schemas import body, query
from interface.schemas.common import page_of
from services.context import Page

Method = Callable[..., Any]


def accepts(ns: Namespace, schema: Schema, *, partial: bool = False, name: str | None = None) -> Method:
    """Validate the JSON body with `schema` and pass it as `data` (partial: every field optional)."""
    documented = input_model(ns, schema, name)

    def decorator(method: Method) -> Method:
        @functools.wraps(method)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            data = body(schema, partial=tuple(schema.fields) if partial else False)
            return method(*args, data=data, **kwargs)

        what = "changed fields only" if partial else "the request body"
        description = f"{what}: {(schema.__doc__ or type(schema).__name__).strip().splitlines()[0]}"
        return ns.expect((documented, description), validate=False)(wrapper)

    return decorator


def with_query(ns: Namespace, schema: Schema) -> Method:
    """Validate the query string with `schema` and pass it as `args`; every parameter documented."""

    def decorator(method: Method) -> Method:
        @functools.wraps(method)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return method(*args, args=query(schema), **kwargs)

        return ns.doc(params=parameters(schema))(wrapper)

    return decorator


def _dumper(schema: Schema | None, present: Callable[[Any], Any] | None) -> Callable[[Any], Any]:
    if present is not None:
        return present
    if schema is not None:
        return schema.dump
    return lambda value: value


def _answering(
    ns: Namespace,
    status: int,
    description: str,
    schema: Schema | None,
    respond: Callable[[Any, Callable[[Any], Any]], Any],
    present: Callable[[Any], Any] | None,
) -> Method:
    dump = _dumper(schema, present)

    def decorator(method: Method) -> Method:
        @functools.wraps(method)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            return respond(method(*args, **kwargs), dump)

        documented = (status, description) if schema is None else (status, description, model(ns, schema))
        return ns.response(*documented)(wrapper)

    return decorator


def returns(
    ns: Namespace,
    schema: Schema | None,
    *,
    description: str = "OK",
    present: Callable[[Any], Any] | None = None,
) -> Method:
    """Document the 200 answer with `schema` and dump what the method returns with it (or `present`)."""
    return _answering(ns, 200, description, schema, lambda view, dump: dump(view), present)


def creates(
    ns: Namespace,
    schema: Schema,
    endpoint: str,
    *,
    present: Callable[[Any], Any] | None = None,
    **location: str,
) -> Method:
    """201 Created with a Location header: `location` maps the endpoint's URL arguments to keys of the view."""

    def respond(view: Any, dump: Callable[[Any], Any]) -> Any:
        target = url_for(endpoint, **{argument: view[key] for argument, key in location.items()})
        return dump(view), 201, {"Location": target}

    return _answering(ns, 201, "Created", schema, respond, present)


def envelope_model(ns: Namespace, item_schema: Schema | None, name: str | None = None) -> Any:
    """The Swagger model of the list envelope {items, total, page, per_page} around `item_schema`."""
    item_name = name or (type(item_schema).__name__.removesuffix("Schema") if item_schema else "Item")
    model_name = item_name + "Page"
    if model_name in ns.models:
        return ns.models[model_name]
    items = rx.List(rx.Nested(model(ns, item_schema, name))) if item_schema else rx.List(rx.Raw)
    return ns.model(
        model_name,
        {
            "items": items,
            "total": rx.Integer(description="matches in all pages"),
            "page": rx.Integer(description="this page, from 1"),
            "per_page": rx.Integer(description="items per page (max 100)"),
        },
    )


def paginated(
    ns: Namespace,
    args_schema: Schema,
    item_schema: Schema | None = None,
    *,
    present: Callable[[list[Any]], list[Any]] | None = None,
) -> Method:
    """Validate the query (with page and per_page) and wrap the method's `Page` in the list envelope."""
    dump = present or (
        functools.partial(item_schema.dump, many=True) if item_schema else (lambda items: items)
    )

    def decorator(method: Method) -> Method:
        @functools.wraps(method)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            arguments = query(args_schema)
            result: Page = method(*args, args=arguments, **kwargs)
            return page_of(
                dump(result.items), result.total, arguments["page"], arguments["per_page"], **result.extra
            )

        documented = ns.doc(params=parameters(args_schema))(wrapper)
        return ns.response(200, "A page of results", envelope_model(ns, item_schema))(documented)

    return decorator
