from registry.text import is_encodable, printable_key, unencodable_paths


def test_lone_surrogates_are_not_text_but_pairs_and_chinese_are():
    assert not is_encodable("\ud800")
    assert not is_encodable("a\udfffb")
    assert is_encodable("王小明 \U0001f600")


def test_every_unencodable_string_and_key_is_found_by_its_path():
    data = {"name": "\ud800", "team": [{"role": "ok"}, {"role": "x\udc00"}], "\ud801": 1, "fine": "好"}
    assert unencodable_paths(data) == ["name", "team.1.role", "\\ud801"]


def test_a_key_is_shown_with_its_surrogates_escaped():
    assert printable_key("a\ud800") == "a\\ud800"
