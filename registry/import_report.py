"""The report of one import: rows read, valid and invalid, errors by row and column, and what was written."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict, dataclass, field
from typing import Any

from registry.import_rows import ImportRow, RowError

# --- Report --------------------------------------------------------------------------------------------------

MAX_STORED_ERRORS = 1000


@dataclass
class ImportReport:
    """What an import did: rows read, valid and invalid, errors (first 1000 kept), warnings, and graph counts."""

    rows_read: int = 0
    rows_valid: int = 0
    rows_invalid: int = 0
    error_count: int = 0  # all errors, including those not kept in `errors`
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Filled in by the writer; an import never edits people already stored, so nothing counts updates.
    import_id: str | None = None  # the ImportBatch that records this import
    practitioners_created: int = 0
    certificates_created: int = 0
    certificates_unchanged: int = 0
    certificates_conflicting: int = 0

    def record(self, row: ImportRow | None, errors: Iterable[RowError] = ()) -> None:
        """Count one validated row and keep its errors."""
        errors = list(errors)
        self.rows_read += 1
        if row is not None and not errors:
            self.rows_valid += 1
        else:
            self.rows_invalid += 1
        self.add_errors(errors)

    def reject(self, count: int = 1) -> None:
        """Move rows counted valid to invalid, e.g. rows consistency_errors or the writer turned down."""
        count = min(count, self.rows_valid)
        self.rows_valid -= count
        self.rows_invalid += count

    def add_errors(self, errors: Iterable[RowError]) -> None:
        """Count errors and keep the first MAX_STORED_ERRORS, so a broken file cannot fill memory."""
        for error in errors:
            self.error_count += 1
            if len(self.errors) < MAX_STORED_ERRORS:
                self.errors.append(error)

    def add_warning(self, message: str) -> None:
        """Keep a warning once."""
        if message not in self.warnings:
            self.warnings.append(message)

    @property
    def errors_truncated(self) -> bool:
        """Whether some errors were counted but not kept."""
        return self.error_count > len(self.errors)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data, errors as a list of dicts."""
        data = asdict(self)  # also turns each RowError into a dict
        data["errors_truncated"] = self.errors_truncated
        return data
