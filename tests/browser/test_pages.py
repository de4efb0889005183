from __future__ import annotations

from playwright.sync_api import Page, expect
from sqlalchemy.orm import Session

from tests.helpers import RULES, add_user
from yteso.synth.seed import seed_facilities


def test_start_page_shows_each_part_in_vietnamese(
    page: Page, live_server: str, db: Session
) -> None:
    seed_facilities(db, 7, RULES)
    db.commit()
    page.goto(live_server + "/")
    expect(page.locator("h1")).to_contain_text("Thái Nguyên")
    expect(page.get_by_role("link", name="Danh mục cơ sở KCB").first).to_be_visible()
    expect(page.get_by_text("dữ liệu mẫu (demo)")).to_be_visible()
    page.get_by_role("link", name="API (OpenAPI)").click()
    expect(page).to_have_url(live_server + "/docs")


def test_analyst_searches_and_filters_the_facility_registry(
    page: Page, live_server: str, db: Session
) -> None:
    seed_facilities(db, 7, RULES)
    add_user(db, "phantich", "doh_analyst")
    page.goto(live_server + "/login?next=/facilities")
    page.get_by_label("Tên đăng nhập").fill("phantich")
    page.get_by_label("Mật khẩu").fill("mat-khau-thu-nghiem")
    page.get_by_role("button", name="Đăng nhập").tap()
    expect(page).to_have_url(live_server + "/facilities")
    expect(page.get_by_test_id("who")).to_contain_text("doh_analyst")
    total = page.get_by_test_id("facility-total")
    expect(total).to_contain_text("Tìm thấy")
    all_count = int(total.inner_text().split()[2])
    assert all_count > 140

    page.get_by_label("Loại hình").select_option("commune_health_station")
    expect(total).to_have_text("Tìm thấy 92 cơ sở")
    page.get_by_label("Tìm theo tên hoặc mã").fill("tram y te xa dai tu")
    page.get_by_role("button", name="Lọc").tap()
    rows = page.get_by_test_id("facility-table").locator("tbody tr")
    expect(rows).to_have_count(1)
    expect(rows.first).to_contain_text("Trạm Y tế xã Đại Từ")

    code = rows.first.get_attribute("data-code") or ""
    rows.first.get_by_role("link").tap()
    expect(page.locator("h1")).to_have_text("Trạm Y tế xã Đại Từ")
    expect(page.get_by_test_id("facility-code")).to_have_text(code)


def test_facility_list_pages_through_results(page: Page, live_server: str, db: Session) -> None:
    seed_facilities(db, 7, RULES)
    db.commit()
    page.goto(live_server + "/facilities?kind=commune_health_station")
    expect(page.get_by_text("Trang 1 / 4")).to_be_visible()
    first_page_codes = page.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.code)"
    )
    page.get_by_test_id("next-page").tap()
    expect(page.get_by_text("Trang 2 / 4")).to_be_visible()
    second_page_codes = page.locator("tbody tr").evaluate_all(
        "rows => rows.map(r => r.dataset.code)"
    )
    assert len(first_page_codes) == 25 and not set(first_page_codes) & set(second_page_codes)
