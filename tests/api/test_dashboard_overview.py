"""看板's first screen, read without JavaScript: the headline numbers and the provinces as a tile grid, each the
answer the API gives the same role to the same question, suppressed the same way (issue 22 item 16)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from registry.reference import PROVINCES
from services.statistics import cache_for

STATS = "/api/v1/stats"
DIVISIONS = dict(PROVINCES)  # China's 34 provincial-level divisions, code → full name


@pytest.fixture(autouse=True)
def exact_statistics(app):
    cache = cache_for(app.extensions["graph"])
    cache.settings = replace(cache.settings, refresh="sync")


def visitor(app, key: str | None = None):
    """A browser on the portal: anonymous, or logged in with `key`."""
    browser = app.test_client()
    if key is not None:
        form = browser.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        assert browser.post("/login", data={"key": key, "csrf_token": token}).status_code == 302
    return browser


def shown(value) -> str:
    """A number as the page writes it; a suppressed one as a dash."""
    if value is None:
        return "—"
    return f"{value:g}" if isinstance(value, float) else str(value)


def headline(page: str, key: str) -> str | None:
    found = re.search(rf'data-testid="headline-{key}-value">([^<]*)<', page)
    return found.group(1) if found else None


def tiles(page: str) -> dict[str, tuple[str, str]]:
    """Province code → (the tile's title, the value written on it)."""
    found = re.findall(
        r'data-testid="tile-(\d{6})"\s+title="([^"]*)">.*?data-testid="tile-value">([^<]*)<', page, re.S
    )
    return {code: (title, value) for code, title, value in found}


def totals(client, headers, statistic: str, **params) -> dict:
    response = client.get(f"{STATS}/{statistic}", query_string=params, headers=headers)
    assert response.status_code == 200
    return response.get_json()["totals"]


def test_the_dashboard_opens_with_the_numbers_that_matter_as_the_api_gives_them(
    app, client, keys, as_role, ids
):
    government = as_role("government")
    page = visitor(app, keys["government"]).get("/dashboards").get_data(as_text=True)

    pools = totals(client, government, "supply", table="pools")
    assert headline(page, "holders") == shown(totals(client, government, "supply")["holders"])
    assert headline(page, "talent") == shown(pools["talent_members"])
    assert headline(page, "expert") == shown(pools["expert_members"])
    assert headline(page, "expiring") == shown(
        totals(client, government, "expiring", within=90)["certificates"]
    )
    coverage = totals(client, government, "demand")
    assert headline(page, "coverage") == shown(coverage["coverage"])
    assert f"目标 {shown(coverage['target'])}" in page
    # first the numbers, then the provinces, then the charts as before
    assert page.index('data-testid="headlines"') < page.index('data-testid="province-grid"')
    assert page.index('data-testid="province-grid"') < page.index('data-testid="stat-supply-provinces"')


@pytest.mark.parametrize("role", ["government", "admin"])
def test_each_province_tile_shows_the_apis_total_for_that_province_suppressed_for_the_role(
    app, client, keys, as_role, ids, role
):
    page = visitor(app, keys[role]).get("/dashboards?measure=holders").get_data(as_text=True)
    grid = tiles(page)
    assert set(grid) == set(DIVISIONS) and len(grid) == 34
    for code, (title, value) in grid.items():
        assert value == shown(totals(client, as_role(role), "supply", region=code)["holders"]), code
        assert title.startswith(f"{DIVISIONS[code]}："), title  # the full name, e.g. 湖北省
    # 湖北: 张伟, 李娜 and 黄敏 hold valid certificates — 3, under the minimum of 5
    hubei_title, hubei = grid["420000"]
    assert hubei == ("—" if role == "government" else "3")
    assert ("已隐藏" in hubei_title) == (role == "government")
    assert 'data-testid="grid-legend"' in page and 'data-testid="province-grid-table"' in page


def test_the_measure_is_in_the_query_string_and_only_what_the_role_may_read(app, keys, ids):
    government = visitor(app, keys["government"])
    page = government.get("/dashboards?measure=expiring").get_data(as_text=True)
    assert re.search(r'aria-current="true">90 天内到期的证书<', page)
    assert "各省（区、市）：90 天内到期的证书" in page
    csv = government.get("/dashboards/province-grid/expiring.csv")
    assert csv.status_code == 200 and "湖北省" in csv.get_data(as_text=True)

    client = visitor(app, keys["client"])
    page = client.get("/dashboards?measure=expiring").get_data(as_text=True)  # clients read the supply only
    assert "各省（区、市）：有效持证人数" in page and "90 天内到期的证书" not in page
    assert headline(page, "holders") is not None and headline(page, "coverage") is None
    assert client.get("/dashboards/province-grid/expiring.csv").status_code == 403

    public = visitor(app)
    page = public.get("/dashboards?measure=holders").get_data(as_text=True)
    home = public.get("/").get_data(as_text=True)
    talent = re.search(r'data-testid="talent-size">(\d+)<', home).group(1)
    assert headline(page, "talent") == talent and headline(page, "holders") is None
    assert "各省（区、市）：同意公开展示的人员" in page
    grid = tiles(page)
    assert grid["420000"][1] == "1" and grid["110000"][1] == "1"  # 张伟 (武汉) and 王芳 (北京) consented
    assert public.get("/dashboards/province-grid/holders.csv").status_code == 401
