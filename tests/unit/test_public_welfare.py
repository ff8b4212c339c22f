"""The public-welfare record's sums and who sees it (registry/public_welfare.py, registry/visibility.py)."""

from registry.public_welfare import credit_entry, record
from registry.visibility import VISIBILITY_DEFAULTS, hidden_fields, present


def test_the_record_adds_up_the_years_oldest_first():
    summary = record(
        [{"year": 2026, "activities": 2, "hours": 7.5}, {"year": 2025, "activities": 1, "hours": 4}]
    )
    assert summary == {
        "activities": 3,
        "hours": 11.5,
        "by_year": [
            {"year": 2025, "activities": 1, "hours": 4.0},
            {"year": 2026, "activities": 2, "hours": 7.5},
        ],
    }


def test_no_counted_participation_is_an_empty_record():
    assert record([]) == {"activities": 0, "hours": 0.0, "by_year": []}


def test_a_year_without_hours_recorded_still_counts_its_activities():
    assert record([{"year": 2026, "activities": 1, "hours": None}])["activities"] == 1


def test_the_credit_entry_is_a_count_and_hours_under_its_chinese_name():
    entry = credit_entry({"activities": 3, "hours": 11.5, "by_year": []})
    assert entry == {"label": "公益服务", "activities": 3, "hours": 11.5}


def test_the_record_is_public_by_default():
    assert VISIBILITY_DEFAULTS["public_welfare"] == "public"
    assert "public_welfare" not in hidden_fields(None, "public")


def test_hiding_the_record_hides_the_credit_summarys_public_service_too():
    view = {
        "id": "p1", "name": "张三", "public_profile": True, "visibility": {"public_welfare": "private"},
        "public_welfare": {"activities": 1, "hours": 2.0, "by_year": []},
        "credit": {"records": 0, "public_welfare": {"label": "公益服务", "activities": 1, "hours": 2.0}},
    }  # fmt: skip
    shown = present(view, "client")
    assert "public_welfare" not in shown and "public_welfare" not in shown["credit"]
    assert shown["credit"]["records"] == 0
    assert present(view, "admin")["credit"]["public_welfare"]["activities"] == 1
    assert present(view, "practitioner", is_self=True)["public_welfare"]["activities"] == 1
