"""The registry's volumes (seed/volumes.py) as `neo4j-admin database import` CSV files, beside the people's
(bench/admin_import.py): applications, exams, evaluations, complaints, misconduct, draws with seats and events, and
the audit chain with its `ABOUT` links. Bench only."""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterable, Iterator
from contextlib import ExitStack
from datetime import date
from pathlib import Path
from typing import Any

from seed.volumes import AuditSpool, batch_volume, exam_sessions, filler_chain

# label → header; a column named ":ID(...)" alone is the import's key only, never stored (the services write none).
NODES: dict[str, list[str]] = {
    "Application": ["id:ID(Application)", "work_type", "level:int", "registered_on:date", "valid_until:date",
                    "fee_cny:int", "related_work_years:int", "eligibility", "created_at:datetime"],
    "TrainingRecord": ["id:ID(TrainingRecord)", "part", "hours:float", "completed_on:date", "mode",
                       "created_at:datetime"],
    "ExamSession": ["id:ID(ExamSession)", "starts_at:datetime", "ends_at:datetime", "day:date", "subject",
                    "capacity:int", "mode", "created_at:datetime"],
    "ExamResult": ["id:ID(ExamResult)", "score:float", "passed:boolean", "attempt:int", "free:boolean", "source",
                   "recorded_at:datetime"],
    "Evaluation": ["id:ID(Evaluation)", "pair", "score:float", "work_type", "criteria:string[]",
                   "criterion_scores:int[]", "weights:int[]", "effective:boolean", "on_time:boolean",
                   "due_on:date", "created_on:date", "created_at:datetime", "entered_by"],
    "Complaint": ["id:ID(Complaint)", "text", "status", "created_at:datetime", "created_on:date", "filed_by",
                  "filer_role", "updated_at:datetime"],
    "ComplaintEvent": [":ID(ComplaintEvent)", "status", "reason", "at:datetime", "by"],
    "MisconductRecord": ["id:ID(MisconductRecord)", "category", "points:int", "occurred_on:date", "recorded_on:date",
                         "evidence", "note", "origin", "effective:boolean", "created_at:datetime", "entered_by"],
    "Draw": ["id:ID(Draw)", "purpose", "title", "organization_id", "work_type", "min_level:int", "size:int",
             "reserves:int", "panel_date:date", "reference_date:date", "secret", "seed_commitment", "seed",
             "candidate_count:int", "matched_count:int", "window_years:int", "draw_cap:int", "response_hours:int",
             "created_by", "created_at:datetime", "updated_at:datetime", "status", "shortfall:int",
             "disclosed:boolean", "event_count:int"],
    "DrawEvent": ["key:ID(DrawEvent)", "seq:int", "kind", "at:datetime", "draw_id", "by", "detail", "count:int",
                  "practitioner_id", "order:int", "role", "deadline:datetime", "response"],
}  # fmt: skip

# file → (relationship type, header); the ends' id spaces name the labels they join.
RELATIONSHIPS: dict[str, tuple[str, list[str]]] = {
    "application_by": ("BY", [":START_ID(Application)", ":END_ID(Practitioner)"]),
    "has_training": ("HAS_TRAINING", [":START_ID(Application)", ":END_ID(TrainingRecord)"]),
    "registered_for": ("REGISTERED_FOR", [":START_ID(Application)", ":END_ID(ExamSession)", "at:datetime"]),
    "result_of": ("OF", [":START_ID(ExamResult)", ":END_ID(Application)"]),
    "in_session": ("IN_SESSION", [":START_ID(ExamResult)", ":END_ID(ExamSession)"]),
    "from_result": ("FROM_RESULT", [":START_ID(Certificate)", ":END_ID(ExamResult)"]),
    "evaluation_of": ("OF", [":START_ID(Evaluation)", ":END_ID(Practitioner)"]),
    "for_engagement": ("FOR_ENGAGEMENT", [":START_ID(Evaluation)", ":END_ID(Engagement)"]),
    "evaluation_by": ("BY", [":START_ID(Evaluation)", ":END_ID(Organization)"]),
    "complaint_about": ("ABOUT", [":START_ID(Complaint)", ":END_ID(Practitioner)"]),
    "complaint_event": ("HAS_EVENT", [":START_ID(Complaint)", ":END_ID(ComplaintEvent)"]),
    "has_record": ("HAS_RECORD", [":START_ID(Practitioner)", ":END_ID(MisconductRecord)"]),
    "from_complaint": ("FROM_COMPLAINT", [":START_ID(MisconductRecord)", ":END_ID(Complaint)"]),
    "draw_for": ("FOR", [":START_ID(Draw)", ":END_ID(Organization)"]),
    "drew": ("DREW", [":START_ID(Draw)", ":END_ID(Practitioner)", "order:int", "role", "status", "via",
                      "invited_at:datetime", "deadline:datetime", "responded_at:datetime"]),
    "draw_event": ("HAS_EVENT", [":START_ID(Draw)", ":END_ID(DrawEvent)"]),
}  # fmt: skip

AUDIT_NODES: dict[str, list[str]] = {
    "AuditEntry": [":ID(AuditEntry)", "seq:int", "at", "actor_kind", "actor_role", "actor_prefix", "actor_label",
                   "request_id", "entity", "entity_id", "action", "changes", "subjects:string[]", "previous_hash",
                   "hash"],
    "AuditChain": ["id:ID(AuditChain)", "seq:int", "last_hash"],
}  # fmt: skip
AUDIT_RELATIONSHIPS: dict[str, tuple[str, list[str]]] = {
    "audit_about": ("ABOUT", [":START_ID(AuditEntry)", ":END_ID(Practitioner)"]),
}


def _key(column: str) -> str:
    return column.split(":", 1)[0] or "id"


def _writers(stack: ExitStack, folder: Path, specs: Iterable[tuple[str, list[str]]]) -> dict[str, Any]:
    writers = {}
    for name, header in specs:
        handle = stack.enter_context((folder / f"{name}.csv").open("w", newline="", encoding="utf-8"))
        writers[name] = (csv.writer(handle), [_key(column) for column in header])
        writers[name][0].writerow(header)
    return writers


def write_volumes(
    registry: Any, folder: Path, cell: Callable[[Any], str], *, with_links: bool = True
) -> dict[str, int]:
    """Write the volumes of `registry` (the same batches as the people's CSV files) and its audit chain."""
    today = registry.today
    organizations = {o["id"]: o for o in registry.organizations}
    sessions = exam_sessions(today)
    spool = AuditSpool(folder)
    counts: dict[str, int] = {}
    specs = [*NODES.items(), *((f, h) for f, (_, h) in RELATIONSHIPS.items())]
    with ExitStack() as stack:
        writers = _writers(stack, folder, specs)
        for props in sessions:
            _node(writers, "ExamSession", props, cell)
        counts["ExamSession"] = len(sessions)
        for number, batch in enumerate(registry.batches(5000)):
            volume = batch_volume(registry.seed, number, batch, organizations, today, sessions)
            for label, rows in volume.nodes.items():
                counts[label] = counts.get(label, 0) + len(rows)
                for props in rows:
                    _node(writers, label, props, cell)
            for name, rows in volume.links.items():
                writer, keys = writers[name]
                for start, end, props in rows:
                    writer.writerow([start, end, *(cell(props.get(k)) for k in keys[2:])])
            spool.add(volume.audit)
    counts["AuditEntry"] = write_audit(folder, spool.chained(), cell, with_links=with_links)
    return counts


def write_audit(folder: Path, entries: Iterator[dict[str, Any]], cell: Callable[[Any], str], *,
                with_links: bool = True) -> int:  # fmt: skip
    """Write a chain of stored audit entries, its head, and (with_links) their ABOUT links; how many entries."""
    count, head = 0, None
    with ExitStack() as stack:
        writers = _writers(
            stack, folder, [*AUDIT_NODES.items(), *((f, h) for f, (_, h) in AUDIT_RELATIONSHIPS.items())]
        )
        entry_writer, keys = writers["AuditEntry"]
        about = writers["audit_about"][0]
        for entry in entries:
            key = f"a{entry['seq']}"
            # The csv module writes text and numbers as they are and None as an empty cell: only lists need joining.
            entry_writer.writerow([key, *(entry.get(k) for k in keys[1:-3]), ";".join(entry["subjects"]),
                                   entry["previous_hash"], entry["hash"]])  # fmt: skip
            if with_links:
                for subject in entry["subjects"]:
                    about.writerow([key, subject])
            count, head = count + 1, entry
        if head is not None:
            writers["AuditChain"][0].writerow(["registry", head["seq"], head["hash"]])
    return count


def write_filler_audit(folder: Path, count: int, today: date, cell: Callable[[Any], str]) -> int:
    """A chain of `count` entries alone (no people behind them), for the audit check's benchmark."""
    folder.mkdir(parents=True, exist_ok=True)
    return write_audit(folder, filler_chain(count, today), cell, with_links=False)


def arguments(folder: Path, *, volumes: bool = True) -> Iterator[str]:
    """The importer's --nodes/--relationships arguments for the files written here."""
    nodes = {**(NODES if volumes else {}), **AUDIT_NODES}
    relationships = {**(RELATIONSHIPS if volumes else {}), **(AUDIT_RELATIONSHIPS if volumes else {})}
    for label in nodes:
        yield f"--nodes={label}={folder / f'{label}.csv'}"
    for name, (kind, _) in relationships.items():
        yield f"--relationships={kind}={folder / f'{name}.csv'}"


def _node(writers: dict[str, Any], label: str, props: dict[str, Any], cell: Callable[[Any], str]) -> None:
    writer, keys = writers[label]
    writer.writerow([cell(props.get(k)) for k in keys])
