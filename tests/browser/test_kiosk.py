"""A patient at the kiosk, the counter calling, the board showing it — in Debian chromium."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, Page, expect
from sqlalchemy.orm import Session

from tests.helpers import PASSWORD, add_user
from tests.registration.kiosk_data import KioskDemo, qr_of, seed_kiosk_demo, unused_cccd

PORTRAIT = {"width": 1080, "height": 1920}


@pytest.fixture
def demo(db: Session) -> KioskDemo:
    demo = seed_kiosk_demo(db)
    add_user(db, "tiepdon", "receptionist", demo.hospital)
    return demo


def _log_in(page: Page) -> None:
    page.get_by_label("Tên đăng nhập").fill("tiepdon")
    page.get_by_label("Mật khẩu").fill(PASSWORD)
    page.get_by_role("button", name="Đăng nhập").click()


@pytest.fixture
def kiosk(browser: Browser, live_server: str, demo: KioskDemo) -> Iterator[Page]:
    """A portrait touch screen activated as the hospital's kiosk by its receptionist."""
    context = browser.new_context(locale="vi-VN", viewport=PORTRAIT, has_touch=True)
    page = context.new_page()
    page.goto(f"{live_server}/kiosk/{demo.hospital}")
    page.get_by_role("link", name="Đăng nhập để kích hoạt").tap()
    _log_in(page)
    page.get_by_role("button", name="Kích hoạt ki-ốt").tap()
    expect(page.get_by_role("heading", name="Quét mã QR trên thẻ CCCD")).to_be_visible()
    cookies = {c["name"]: c for c in context.cookies()}
    assert "yteso_session" not in cookies and cookies["yteso_kiosk"]["httpOnly"]
    yield page
    context.close()


def _type_on_keypad(page: Page, text: str) -> None:
    for character in text:
        page.locator("#screen-keypad .key", has_text=re.compile(f"^{character}$")).tap()
    page.get_by_role("button", name="Tiếp tục").tap()


def _choose_examination(page: Page) -> None:
    page.get_by_role("button", name="Đúng, chọn khoa khám").tap()
    page.locator("[data-department=K01]").tap()


def test_known_patient_scans_the_cccd_qr_and_gets_a_ticket(kiosk: Page, demo: KioskDemo) -> None:
    scan = kiosk.locator("#scan-input")
    expect(scan).to_be_focused()
    scan.type(qr_of(demo.valid.person))  # the scanner types into the focused field
    scan.press("Enter")
    name = kiosk.get_by_test_id("confirm-name")
    expect(name).to_contain_text(demo.valid.person.full_name.split()[0])
    expect(name).to_contain_text("*")
    expect(kiosk.get_by_test_id("insurance-status")).to_contain_text("còn hạn")
    _choose_examination(kiosk)
    expect(kiosk.locator("[data-ticket-number]")).to_have_attribute("data-ticket-number", "K01-001")
    expect(kiosk.locator("#ticket-qr svg")).to_be_visible()
    kiosk.get_by_role("button", name="Xong").tap()
    expect(kiosk.locator("#scan-input")).to_be_focused()


def test_known_patient_types_the_bhyt_number(kiosk: Page, demo: KioskDemo) -> None:
    kiosk.get_by_role("button", name="Nhập mã thẻ BHYT").tap()
    _type_on_keypad(kiosk, demo.valid.card_number)
    expect(kiosk.get_by_test_id("insurance-status")).to_contain_text("còn hạn")
    kiosk.get_by_label("Phụ nữ có thai").check()
    _choose_examination(kiosk)
    expect(kiosk.locator("[data-ticket-number]")).to_have_text("K01-001")
    expect(kiosk.locator("#ticket-priority")).to_contain_text("Phụ nữ có thai")


def test_new_patient_fills_the_short_form(kiosk: Page, demo: KioskDemo) -> None:
    template = demo.valid.person
    assert template.birth_date is not None
    kiosk.get_by_role("button", name="Nhập số CCCD").tap()
    _type_on_keypad(kiosk, unused_cccd(template))
    expect(kiosk.get_by_role("heading", name="Đăng ký người bệnh mới")).to_be_visible()
    form = kiosk.locator("#register-form")
    form.get_by_label("Họ và tên").fill("Lò Thị Mẩy")
    form.get_by_label("Số điện thoại").fill("12345")
    form.get_by_label("Họ và tên").focus()  # leaving the phone field checks it
    expect(kiosk.locator("[data-error-for=phone]")).to_contain_text("bắt đầu bằng 0")
    form.get_by_label("Số điện thoại").fill("0912345678")
    form.get_by_label("Nam" if template.sex == 1 else "Nữ", exact=True).check()
    expect(form.locator("select[name=commune_code] option")).not_to_have_count(1)
    form.get_by_label("Xã / phường nơi ở").select_option(index=1)
    form.get_by_label("Ngày sinh").fill(f"04/03/{template.birth_date.year - 1}")
    form.get_by_role("button", name="Đăng ký").tap()  # the CCCD says another birth year
    expect(kiosk.locator("[data-error-for=birth_date]")).to_contain_text("không khớp")
    form.get_by_label("Ngày sinh").fill(f"04/03/{template.birth_date.year}")
    form.get_by_role("button", name="Đăng ký").tap()
    expect(kiosk.get_by_test_id("confirm-name")).to_have_text("Lò T*** M*")
    _choose_examination(kiosk)
    expect(kiosk.locator("[data-ticket-number]")).to_have_text("K01-001")


def test_expired_card_is_said_plainly(kiosk: Page, demo: KioskDemo) -> None:
    kiosk.get_by_role("button", name="Nhập mã thẻ BHYT").tap()
    _type_on_keypad(kiosk, demo.expired.card_number)
    expect(kiosk.get_by_test_id("insurance-status")).to_contain_text("hết hạn")
    kiosk.get_by_role("button", name="← Không phải tôi").tap()
    expect(kiosk.get_by_role("heading", name="Quét mã QR trên thẻ CCCD")).to_be_visible()


def test_garbled_scan_shows_a_message_and_stays_on_start(kiosk: Page) -> None:
    scan = kiosk.locator("#scan-input")
    scan.type("019|garbled|qr")
    scan.press("Enter")
    expect(kiosk.get_by_role("alert")).to_contain_text("Không đọc được mã QR")
    expect(scan).to_be_focused()


def test_inactivity_returns_to_the_start(kiosk: Page) -> None:
    kiosk.clock.install()
    kiosk.reload()
    kiosk.get_by_role("button", name="Nhập số CCCD").tap()
    expect(kiosk.get_by_role("heading", name="Nhập số CCCD")).to_be_visible()
    kiosk.clock.fast_forward(30_000)
    expect(kiosk.get_by_role("heading", name="Nhập số CCCD")).to_be_visible()
    kiosk.clock.fast_forward(31_000)
    expect(kiosk.get_by_role("heading", name="Quét mã QR trên thẻ CCCD")).to_be_visible()


def test_counter_calls_the_next_ticket_and_the_board_shows_it(
    kiosk: Page, browser: Browser, live_server: str, demo: KioskDemo
) -> None:
    kiosk.locator("#scan-input").type(qr_of(demo.valid.person))
    kiosk.locator("#scan-input").press("Enter")
    _choose_examination(kiosk)
    expect(kiosk.locator("[data-ticket-number]")).to_have_text("K01-001")

    board_context = browser.new_context(locale="vi-VN", viewport={"width": 1920, "height": 1080})
    board = board_context.new_page()
    board.goto(f"{live_server}/kiosk/{demo.hospital}/board")
    expect(board.locator("#board-status")).to_contain_text("Cập nhật")
    expect(board.locator("#board-empty")).to_be_visible()

    staff_context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    counter = staff_context.new_page()
    counter.goto(f"{live_server}/kiosk/{demo.hospital}/counter")
    _log_in(counter)
    expect(counter.get_by_test_id("queue")).to_contain_text("K01-001")
    counter.get_by_label("Quầy / phòng").fill("Phòng khám 2")
    counter.get_by_role("button", name="Gọi số tiếp theo").click()
    expect(counter.get_by_test_id("current-number")).to_have_text("K01-001")
    expect(counter.locator("#current-name")).to_have_text(demo.valid.person.full_name)

    row = board.locator("#board-rows tr").first
    expect(row).to_contain_text("K01-001", timeout=3000)
    expect(row).to_contain_text("Phòng khám 2")
    expect(board.get_by_test_id("board")).not_to_contain_text(demo.valid.person.full_name)
    board_context.close()
    staff_context.close()
