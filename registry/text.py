"""Text the registry can store: valid Unicode, i.e. encodable as UTF-8 (what Neo4j and JSON carry).

JSON may spell a lone UTF-16 surrogate (`"\\ud800"`); Python decodes it to a str that no UTF-8 encoder
accepts, so such text is refused where it enters, never stored or echoed (issue 9).
"""

from __future__ import annotations

from typing import Any

UNENCODABLE_MESSAGE = (
    "Contains characters that are not valid Unicode text (a lone surrogate such as \\ud800)."
)


def is_encodable(text: str) -> bool:
    """Whether the text is valid Unicode (no lone surrogates)."""
    try:
        text.encode("utf-8")
    except UnicodeEncodeError:
        return False
    return True


def printable_key(key: str) -> str:
    """A key as it can be shown in an error: unencodable characters escaped (\\ud800)."""
    return key.encode("utf-8", "backslashreplace").decode("utf-8")


def unencodable_paths(value: Any, path: str = "") -> list[str]:
    """Dotted paths (list items by index) of every string, or mapping key, in `value` that is not valid text."""
    if isinstance(value, str):
        return [] if is_encodable(value) else [path or "_body"]
    if isinstance(value, dict):
        found = []
        for key, item in value.items():
            key_text = str(key)
            where = f"{path}.{printable_key(key_text)}" if path else printable_key(key_text)
            found += [] if is_encodable(key_text) else [where]
            found += unencodable_paths(item, where)
        return found
    if isinstance(value, list | tuple):
        return [p for index, item in enumerate(value) for p in unencodable_paths(item, f"{path}.{index}")]
    return []
