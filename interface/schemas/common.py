"""Fields and shapes shared by several resources."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from registry.formulas import FORMULA_RULE, FORMULA_STARTS, looks_like_formula
from registry.taxonomy import LEVEL_RANKS, WORK_TYPE_CODES

MAX_PER_PAGE = 100


class StrictInteger(fields.Integer):
    """An integer that refuses strings, floats and booleans in JSON bodies."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(strict=True, **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> int:
        if isinstance(value, bool):
            raise ValidationError("Not a valid integer.")
        return super()._deserialize(value, attr, data, **kwargs)


class StrictBoolean(fields.Boolean):
    """true or false, not "yes", 1 or "on" (JSON bodies only)."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> bool:
        if not isinstance(value, bool):
            raise ValidationError("Not a valid boolean; use true or false.")
        return value


def refuse_formula(text: str) -> None:
    """Refuse text a spreadsheet would run as a formula (registry/formulas.py: the rule the import applies)."""
    if looks_like_formula(text):
        raise ValidationError(FORMULA_RULE[0].upper() + FORMULA_RULE[1:] + ".")


# The formula starts as a pattern's character class ("-" is the only one special there).
_FORMULA_CLASS = "[" + FORMULA_STARTS.replace("-", "\\-") + "]"


class Text(fields.String):
    """A trimmed string with a length limit; blank after trimming counts as missing for required fields.

    `refuses_formulas`: names that come back in spreadsheets (a person's, an organization's) may not start like a
    formula, as the bulk import refuses them (registry/formulas.py)."""

    def __init__(
        self,
        *,
        max_length: int,
        min_length: int = 1,
        multiline: bool = False,
        refuses_formulas: bool = False,
        **kwargs: Any,
    ) -> None:
        super().__init__(validate=validate.Length(min=min_length, max=max_length), **kwargs)
        self.allowed_controls = "\n\t" if multiline else ""
        self.refuses_formulas = refuses_formulas
        # The same rule for the API description (api/models.py): no control characters but the
        # allowed ones, something other than blanks when text is required, and no formula start.
        controls = "\\u0000-\\u0008\\u000b-\\u001f" if multiline else "\\u0000-\\u001f"
        start = f"^(?!\\s*{_FORMULA_CLASS})" if refuses_formulas else "^"
        self.swagger_pattern = (
            f"{start}[^{controls}]*[^\\s{controls}][^{controls}]*$"
            if min_length > 0
            else f"{start}[^{controls}]*$"
        )

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs).strip()
        if any(ord(ch) < 32 and ch not in self.allowed_controls for ch in text):
            raise ValidationError("Line breaks and control characters are not allowed here.")
        if self.refuses_formulas:
            refuse_formula(text)
        return text


def work_type_field(**kwargs: Any) -> fields.String:
    kwargs.setdefault("metadata", {"example": "verification"})
    return fields.String(validate=validate.OneOf(sorted(WORK_TYPE_CODES)), **kwargs)


def level_field(strict: bool = True, **kwargs: Any) -> fields.Integer:
    klass = StrictInteger if strict else fields.Integer
    kwargs.setdefault("metadata", {"example": 2})
    return klass(validate=validate.OneOf(sorted(LEVEL_RANKS)), **kwargs)


def region_code_field(**kwargs: Any) -> fields.String:
    return fields.String(
        validate=validate.Regexp(r"^[0-9]{6}\Z", error="Not a 6-digit GB/T 2260 code."), **kwargs
    )


def code_field(**kwargs: Any) -> fields.String:
    return fields.String(
        validate=validate.Regexp(r"^[a-z][a-z0-9_]{0,49}\Z", error="Not a known code."), **kwargs
    )


class RefSchema(Schema):
    """A taxonomy item as other resources embed it."""

    code = fields.String()
    name_zh = fields.String()


class PersonRefSchema(Schema):
    """A practitioner as other resources embed it."""

    id = fields.String()
    name = fields.String()


class OrganizationRefSchema(Schema):
    """An organization as other resources embed it."""

    id = fields.String()
    name = fields.String()
    kind = fields.String()


class PageArgs(Schema):
    page = fields.Integer(load_default=1, validate=validate.Range(min=1, max=100_000))
    per_page = fields.Integer(load_default=20, validate=validate.Range(min=1, max=MAX_PER_PAGE))


def page_of(items: list[Any], total: int, page: int, per_page: int, **extra: Any) -> dict[str, Any]:
    """The list envelope every collection endpoint returns."""
    return {"items": items, "total": total, "page": page, "per_page": per_page, **extra}


def whole_list(items: list[Any], **extra: Any) -> dict[str, Any]:
    """The list envelope for a short list returned whole (reference data, a person's certificates)."""
    return page_of(items, len(items), 1, max(1, len(items)), **extra)
