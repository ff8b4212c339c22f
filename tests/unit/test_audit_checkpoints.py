"""The audit chain's signed checkpoints: a rewritten chain that re-hashes every entry after the change still
fails at the first checkpoint it crosses, and only the key outside the database can sign one."""

from pathlib import Path

from adapters.signing import signer, verifies
from registry.audit import (
    GENESIS,
    Checkpoint,
    checkpoint_message,
    content_of,
    entry_hash,
    verify_chain,
)
from registry.statistics.open_data import checkpoint_line


def chain(actions: list[str]) -> list[dict]:
    entries, previous = [], GENESIS
    for seq, action in enumerate(actions, start=1):
        entry = {"seq": seq, "at": f"2026-12-07T00:00:{seq:02d}", "entity": "practitioner", "action": action}
        entry["previous_hash"] = previous
        entry["hash"] = entry_hash(previous, content_of(entry))
        entries.append(entry)
        previous = entry["hash"]
    return entries


def test_an_intact_chain_matches_its_checkpoints():
    entries = chain(["register"] * 6)
    anchors = {3: (entries[2]["hash"], "2026-12-06")}
    assert verify_chain(entries, 6, entries[-1]["hash"], anchors=anchors).verified


def test_a_rewritten_and_rehashed_chain_fails_at_the_first_checkpoint_after_the_change():
    entries = chain(["register"] * 8)
    anchors = {5: (entries[4]["hash"], "2026-12-06")}
    forged = chain(["register", "register", "forged"] + ["register"] * 5)  # entry 3 changed, all re-hashed
    assert verify_chain(forged, 8, forged[-1]["hash"]).verified  # without a checkpoint nothing shows
    check = verify_chain(forged, 8, forged[-1]["hash"], anchors=anchors)
    assert not check.verified
    assert check.first_bad_seq == 5 and "signed on 2026-12-06" in check.problem


def test_a_check_from_a_checkpoint_starts_at_its_hash():
    entries = chain(["register"] * 6)
    rest = verify_chain(entries[3:], 6, entries[-1]["hash"], start_seq=3, start_hash=entries[2]["hash"])
    assert rest.verified and rest.entries == 3
    wrong_start = verify_chain(entries[3:], 6, entries[-1]["hash"], start_seq=3, start_hash=GENESIS)
    assert not wrong_start.verified and wrong_start.first_bad_seq == 4


def test_only_the_key_signs_and_any_change_to_the_message_breaks_the_signature(tmp_path: Path):
    key = signer(str(tmp_path / "key"))
    message = checkpoint_message("2026-12-07", 42, "ab" * 32)
    signature = key.sign(message)
    assert key.verifies(message, signature)
    assert verifies(key.public_key, message, signature)
    assert not key.verifies(checkpoint_message("2026-12-07", 43, "ab" * 32), signature)
    assert not key.verifies(checkpoint_message("2026-12-08", 42, "ab" * 32), signature)
    other = signer(str(tmp_path / "other"))
    assert other.key_id != key.key_id and not other.verifies(message, signature)
    assert not key.verifies(message, "not base64!")


def test_the_key_file_is_made_once_and_kept_private(tmp_path: Path):
    path = tmp_path / "signing" / "ed25519.key"
    first = signer(str(path))
    assert path.stat().st_mode & 0o777 == 0o600
    signer.cache_clear()
    assert signer(str(path)).key_id == first.key_id  # read back, not made anew


def test_the_open_data_line_carries_what_anyone_needs_to_check_the_signature(tmp_path: Path):
    key = signer(str(tmp_path / "key"))
    signature = key.sign(checkpoint_message("2026-12-07", 7, "cd" * 32))
    line = checkpoint_line(Checkpoint("2026-12-07", 7, "cd" * 32, key.key_id, signature), key.public_key)
    fields = dict(part.split("=", 1) for part in line.removeprefix("# audit-checkpoint ").split(" "))
    message = checkpoint_message(fields["day"], int(fields["seq"]), fields["hash"])
    assert verifies(fields["public_key"], message, fields["signature"])
    assert checkpoint_line(None, key.public_key).startswith("# audit-checkpoint none")
