"""The rule of the kept page views (services/search_index/page_views.py): served only while the person is
unchanged since the revision they were read at, for the day they were read for, within the size."""

from __future__ import annotations

from datetime import date, timedelta

from services.search_index.page_views import PageViews

DAY = date(2026, 11, 25)


class Graph:
    """Views read "from the graph": each read gives a new object and is counted."""

    def __init__(self):
        self.reads: list[list[str]] = []
        self.during_read = None  # something that happens while the graph is being read

    def read(self, ids):
        self.reads.append(list(ids))
        if self.during_read:
            self.during_read()
        return {person: {"id": person, "read": len(self.reads)} for person in ids}


def test_a_view_is_read_once_then_served_from_what_was_kept():
    cache, graph = PageViews(), Graph()
    first = cache.get(["a", "b"], DAY, 5, graph.read)
    again = cache.get(["b", "a"], DAY, 5, graph.read)
    assert again == first and graph.reads == [["a", "b"]]
    assert cache.status() == {"kept": 2, "hits": 2, "misses": 2}


def test_a_change_drops_the_person_only():
    cache, graph = PageViews(), Graph()
    cache.get(["a", "b"], DAY, 5, graph.read)
    cache.forget([("a", 6)])
    views = cache.get(["a", "b"], DAY, 6, graph.read)
    assert graph.reads == [["a", "b"], ["a"]]
    assert views["a"]["read"] == 2 and views["b"]["read"] == 1


def test_a_view_read_before_a_change_was_applied_is_not_kept_after_it():
    cache, graph = PageViews(), Graph()
    # The change to "a" (revision 7) is applied by another request while this one reads at revision 6.
    graph.during_read = lambda: cache.forget([("a", 7)])
    cache.get(["a"], DAY, 6, graph.read)
    graph.during_read = None
    cache.get(["a"], DAY, 7, graph.read)
    assert len(graph.reads) == 2  # the view read at 6 was not served at 7


def test_a_view_read_after_the_change_is_kept():
    cache, graph = PageViews(), Graph()
    cache.forget([("a", 7)])
    cache.get(["a"], DAY, 7, graph.read)
    cache.get(["a"], DAY, 7, graph.read)
    assert len(graph.reads) == 1


def test_views_are_kept_per_day():
    cache, graph = PageViews(), Graph()
    cache.get(["a"], DAY, 1, graph.read)
    cache.get(["a"], DAY + timedelta(days=1), 1, graph.read)
    assert len(graph.reads) == 2


def test_the_least_recently_used_go_first_beyond_the_size():
    cache, graph = PageViews(size=2), Graph()
    cache.get(["a", "b"], DAY, 1, graph.read)
    cache.get(["a"], DAY, 1, graph.read)  # "a" used again: "b" is now the oldest
    cache.get(["c"], DAY, 1, graph.read)
    cache.get(["a", "b"], DAY, 1, graph.read)
    assert graph.reads[-1] == ["b"] and cache.status()["kept"] == 2


def test_a_rebuild_drops_everything_and_reads_begun_before_it():
    cache, graph = PageViews(), Graph()
    cache.get(["a"], DAY, 9, graph.read)
    graph.during_read = lambda: cache.clear(2)  # a wiped graph: its counter started again
    cache.get(["b"], DAY, 9, graph.read)
    graph.during_read = None
    cache.get(["a", "b"], DAY, 2, graph.read)
    cache.get(["a", "b"], DAY, 2, graph.read)
    assert graph.reads == [["a"], ["b"], ["a", "b"]]


def test_many_changes_start_the_cache_over_without_serving_older_reads(monkeypatch):
    monkeypatch.setattr("services.search_index.page_views.CHANGES_KEPT", 3)
    cache, graph = PageViews(), Graph()
    cache.get(["z"], DAY, 10, graph.read)
    cache.forget([("a", 11), ("b", 12), ("c", 13), ("d", 14)])
    assert cache.status()["kept"] == 0 and not cache.changed_at
    cache.get(["z"], DAY, 10, graph.read)  # read at 10 < 14: not kept
    cache.get(["z"], DAY, 14, graph.read)
    cache.get(["z"], DAY, 14, graph.read)
    assert graph.reads == [["z"], ["z"], ["z"]]
