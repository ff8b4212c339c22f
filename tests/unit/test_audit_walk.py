"""The chain check's fast path (canonical text built directly, then hashed) decides as the slow computation does:
the same hashes for every kind of stored value, a fallback for values it cannot write, and each break found at the
same entry as a plain recomputation through canonical()."""

from datetime import date

from registry.audit import GENESIS, ROW_FIELDS, Actor, ChainWalk, canonical, content_of, entry_hash, new_entry


def stored(count: int, **overrides) -> list[dict]:
    entries, previous = [], GENESIS
    for seq in range(1, count + 1):
        actor = Actor("key", "admin", f"k{seq}", '省级管理员 "甲"', f"req-{seq}") if seq % 2 else Actor.cli()
        changes = {"name": "changed", "note": {"before": None, "after": "换行\n和\\反斜杠"}, "n": seq * 1.5}
        entry = new_entry(seq, previous, f"2026-12-07T00:00:{seq:02d}.000001+00:00", actor, entity="practitioner",
                          entity_id=None if seq == 3 else f"p-{seq}", action="update", changes=changes,
                          subjects=[f"p-{seq}", "p-0"] if seq % 3 else [])  # fmt: skip
        entry.update(overrides.get(seq, {}))
        entries.append(entry)
        previous = entry["hash"]
    return entries


def rows(entries: list[dict]) -> list[tuple]:
    return [tuple(entry.get(field) for field in ROW_FIELDS) for entry in entries]


def slow_first_break(entries: list[dict]) -> int | None:
    previous = GENESIS
    for expected, entry in enumerate(entries, start=1):
        if entry["seq"] != expected or entry["previous_hash"] != previous:
            return entry["seq"]
        if entry_hash(previous, content_of(entry)) != entry["hash"]:
            return entry["seq"]
        previous = entry["hash"]
    return None


def test_an_intact_chain_verifies_in_pages_of_any_size():
    entries = stored(12)
    for page in (1, 5, 12):
        walk = ChainWalk()
        for start in range(0, 12, page):
            assert walk.rows(rows(entries[start : start + page]))
        assert walk.result(12, entries[-1]["hash"]).verified


def test_a_changed_value_is_found_at_the_entry_the_slow_computation_names():
    for seq, field, value in [(4, "action", "delete"), (7, "subjects", ["p-9"]), (2, "changes", "{}"),
                              (9, "at", "2026-12-07T00:00:09+00:00"), (5, "actor_label", None)]:  # fmt: skip
        entries = stored(10)
        entries[seq - 1][field] = value
        walk = ChainWalk()
        walk.rows(rows(entries))
        result = walk.result(10, entries[-1]["hash"])
        assert not result.verified
        assert result.first_bad_seq == slow_first_break(entries) == seq
        assert result.problem == "its content does not match its hash"


def test_a_value_the_fast_text_cannot_write_is_hashed_through_canonical():
    # A date where text is stored: the C encoder refuses it, canonical() writes it as ISO text.
    entries = stored(3)
    odd = dict(entries[1], at=date(2026, 12, 7))
    odd["hash"] = entry_hash(odd["previous_hash"], content_of(odd))
    entries[1] = odd
    entries[2] = new_entry(3, odd["hash"], entries[2]["at"], Actor.cli(), entity="practitioner", entity_id="p-3",
                           action="update", changes={}, subjects=["p-3"])  # fmt: skip
    walk = ChainWalk()
    assert walk.rows(rows(entries))
    assert walk.result(3, entries[-1]["hash"]).verified


def test_canonical_text_is_the_same_with_and_without_the_flat_shortcut():
    content = {"b": [1, "二", None, True], "a": "x\u2028y", "c": 1.25, "d": None}
    nested = {"z": {"b": 1, "a": date(2026, 1, 2)}, **content}
    assert canonical(content) == '{"a":"x\u2028y","b":[1,"二",null,true],"c":1.25,"d":null}'
    assert canonical(nested).startswith(canonical(content)[:-1] + ',"z":{"a":"2026-01-02","b":1}')


def test_missing_and_relinked_entries_and_a_short_head_are_breaks():
    entries = stored(6)
    walk = ChainWalk()
    walk.rows(rows(entries[:2] + entries[3:]))
    assert walk.result(6, entries[-1]["hash"]).problem == "entry 3 is missing"
    walk = ChainWalk()
    walk.rows(rows(entries[:5]))
    result = walk.result(6, entries[-1]["hash"])
    assert (result.verified, result.first_bad_seq) == (False, 6)
