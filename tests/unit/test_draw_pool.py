"""The pool-wide exclusions' row set (registry/draw_pool.py): read back as sealed, and any change shows in its
commitment."""

from __future__ import annotations

import zlib

from registry.draw_pool import (
    commitment,
    counts,
    decode,
    decode_paths,
    encode,
    encode_paths,
    is_pooled,
    properties,
)
from registry.draw_seal import digest, record_parts
from registry.draws import Exclusion

ROWS = [
    Exclusion("b", "certificate_status", "certificate C-2 is revoked"),
    Exclusion("a", "sanction", "bar S-1 active on 2026-12-10 (until indefinite)"),
    Exclusion("a", "certificate_status", "certificate C-1 is suspended"),
]


def test_rows_come_back_sorted_whatever_order_they_were_given_in():
    assert decode(encode(ROWS)) == decode(encode(list(reversed(ROWS))))
    assert [(r["practitioner_id"], r["rule"]) for r in decode(encode(ROWS))] == [
        ("a", "certificate_status"), ("a", "sanction"), ("b", "certificate_status")
    ]  # fmt: skip


def test_the_commitment_changes_with_any_row_and_names_an_unreadable_set():
    sealed = commitment(encode(ROWS))
    assert sealed["count"] == 3
    assert commitment(encode(ROWS[1:]))["digest"] != sealed["digest"]
    changed = [Exclusion("b", "certificate_status", "certificate C-9 is revoked"), *ROWS[1:]]
    assert commitment(encode(changed))["digest"] != sealed["digest"]
    assert commitment(b"not zlib")["digest"] == "unreadable" and decode(b"not zlib") == []
    assert commitment(zlib.compress(b"{}"))["count"] == 0


def test_only_the_pool_wide_rules_are_pooled_and_counted_per_rule():
    assert [is_pooled(e) for e in ROWS] == [True, True, True]
    assert not is_pooled(Exclusion("a", "employment", "employed by the organization currently"))
    stored = properties(ROWS)
    assert dict(zip(stored["pool_rules"], stored["pool_rule_counts"], strict=True)) == counts(
        decode(encode(ROWS))
    )
    assert stored["pool_rule_counts"] == [2, 1] and stored["pool_exclusion_count"] == 3


def test_the_sealed_exclusions_part_holds_the_set_and_draws_sealed_before_hash_as_they_did():
    row = {"practitioner_id": "c", "rule": "manual", "detail": "co-author", "seq": 3, "stage": "sealing"}
    before = record_parts({}, [row])["exclusions"]
    assert isinstance(before, list)  # no set: the part is the sorted list, as it always was
    with_set = record_parts(
        {"pool_exclusions": encode(ROWS)}, [row, {**row, "pooled": True, "practitioner_id": "a"}]
    )
    assert with_set["exclusions"]["rows"] == before  # the pooled rows read back are sealed through the set
    other = record_parts({"pool_exclusions": encode(ROWS[1:])}, [row])
    assert digest(other["exclusions"]) != digest(with_set["exclusions"])


def test_the_path_set_gives_each_seq_its_path_and_an_unreadable_set_gives_none():
    paths = {7: '[{"rel":"EMPLOYED_BY"}]', 3: '[{"rel":"WORKED_ON"},{"rel":"EMPLOYED_BY"}]'}
    assert decode_paths(encode_paths(paths)) == paths
    assert decode_paths(encode_paths(paths)) == decode_paths(encode_paths(dict(reversed(paths.items()))))
    assert decode_paths(b"not zlib") == {} and decode_paths(None) == {}
    assert decode_paths(zlib.compress(b'{"seqs": [1], "paths": []}')) == {}  # columns that do not pair up


def test_paths_of_one_organization_compress_well_below_their_size():
    step = '{"from":{"id":"%s","name":"张三","type":"Practitioner"},"rel":"EMPLOYED_BY","to":{"id":"org-1"}}'
    paths = {seq: "[" + step % f"person-{seq:04d}" + "]" for seq in range(3, 303)}
    assert len(encode_paths(paths)) * 4 < sum(len(p.encode()) for p in paths.values())
