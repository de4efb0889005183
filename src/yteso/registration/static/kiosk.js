// Kiosk screens: start (scan) → keypad → register → confirm → departments → ticket.
// The server keeps who the patient is; this page holds only a short-lived random token.
"use strict";
(function () {
  const facility = document.body.dataset.facility;
  const api = "/api/kiosk/" + facility;
  const IDLE_MS = 60000;
  const autoPrint = new URLSearchParams(location.search).get("print") === "auto";
  const LETTERS = "ABCDEFGHIJKLMNOPQRSTUVWXYZ";
  const state = { token: null, keypad: "cccd", history: [], requestId: null, claimed: "" };
  let idleTimer = null;

  const $ = (id) => document.getElementById(id);
  const message = $("message");

  function say(text) {
    message.textContent = text || "";
    message.hidden = !text;
  }

  function show(name, remember = true) {
    const current = document.querySelector(".screen:not([hidden])");
    if (remember && current && current.dataset.screen !== name) {
      state.history.push(current.dataset.screen);
    }
    document.querySelectorAll(".screen").forEach((s) => { s.hidden = s.dataset.screen !== name; });
    say("");
    if (name === "start") { $("scan-input").value = ""; $("scan-input").focus(); }
    if (name === "keypad") { $("keypad-input").focus(); }
    armIdle();
  }

  function reset() {
    state.token = null; state.history = []; state.requestId = null; state.claimed = "";
    $("register-form").reset();
    clearErrors();
    show("start", false);
  }

  function armIdle() {
    clearTimeout(idleTimer);
    const onStart = !$("screen-start").hidden;
    if (!onStart) { idleTimer = setTimeout(reset, IDLE_MS); }
  }

  // One request at a time: a scanner's double Enter or a double tap sends nothing twice.
  let busy = false;
  async function once(action) {
    if (busy) { return; }
    busy = true;
    document.body.classList.add("busy");
    try { await action(); } finally { busy = false; document.body.classList.remove("busy"); }
  }

  async function call(path, body, method = "POST") {
    const options = { method, headers: { "Accept": "application/json" }, credentials: "same-origin" };
    if (body !== undefined) {
      options.headers["Content-Type"] = "application/json";
      options.body = JSON.stringify(body);
    }
    let response;
    try {
      response = await fetch(api + path, options);
    } catch (error) {
      throw { message: "Mất kết nối tới máy chủ. Vui lòng thử lại hoặc đến quầy tiếp đón." };
    }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) {
      const error = data.error || {};
      throw { status: response.status, message: error.message || "Có lỗi, vui lòng thử lại.", problems: error.problems || [] };
    }
    return data;
  }

  function problemText(error) {
    const problems = (error.problems || []).map((p) => p.message).filter((m) => m && m !== error.message);
    return [error.message, ...problems].join(" ");
  }

  // --- identify -----------------------------------------------------------------------
  function identify(body) { return once(() => identifyNow(body)); }

  async function identifyNow(body) {
    try {
      const result = await call("/identify", body);
      state.token = result.token;
      state.requestId = null;
      if (result.known) { showConfirm(result); } else { show("register"); loadCommunes(); }
    } catch (error) {
      say(problemText(error));
      if (!$("screen-start").hidden) { $("scan-input").value = ""; $("scan-input").focus(); }
    }
  }

  $("scan-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const text = $("scan-input").value.trim();
    if (!text) { return; }
    // A scanner types the whole QR (with "|"); a keyboard user may type a number here too.
    if (text.includes("|")) { identify({ qr: text }); }
    else if (/^\d{12}$/.test(text.replace(/\s/g, ""))) { identify({ cccd: text }); }
    else { identify({ bhyt: text }); }
  });

  // --- keypad -------------------------------------------------------------------------
  function keyButton(label, onTap, cls = "") {
    const button = document.createElement("button");
    button.type = "button"; button.textContent = label; button.className = "key " + cls;
    button.addEventListener("click", () => { onTap(); $("keypad-input").focus(); armIdle(); });
    return button;
  }

  function typeKey(character) {
    const input = $("keypad-input");
    const max = state.keypad === "cccd" ? 12 : 15;
    if (input.value.length < max) { input.value += character; }
  }

  function buildKeypad() {
    const digits = $("keypad-digits");
    "1234567890".split("").forEach((d) => digits.appendChild(keyButton(d, () => typeKey(d))));
    const letters = $("keypad-letters");
    LETTERS.split("").forEach((l) => letters.appendChild(keyButton(l, () => typeKey(l), "letter")));
  }

  function openKeypad(kind) {
    state.keypad = kind;
    const isCard = kind === "bhyt";
    $("keypad-title").textContent = isCard ? "Nhập mã thẻ BHYT" : "Nhập số CCCD";
    $("keypad-label").textContent = isCard ? "Mã thẻ BHYT (15 ký tự, ví dụ GD4191234567890)" : "Số CCCD (12 chữ số)";
    $("keypad-letters").hidden = !isCard;
    $("keypad-input").value = "";
    show("keypad");
  }

  document.querySelectorAll("[data-keypad]").forEach((button) => {
    button.addEventListener("click", () => openKeypad(button.dataset.keypad));
  });
  $("keypad-delete").addEventListener("click", () => {
    const input = $("keypad-input");
    input.value = input.value.slice(0, -1);
    input.focus();
  });
  $("keypad-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = $("keypad-input").value.replace(/\s/g, "").toUpperCase();
    const expected = state.keypad === "cccd" ? 12 : 15;
    if (value.length !== expected) {
      say(state.keypad === "cccd" ? "Số CCCD phải gồm đúng 12 chữ số." : "Mã thẻ BHYT phải gồm đúng 15 ký tự.");
      return;
    }
    identify(state.keypad === "cccd" ? { cccd: value } : { bhyt: value });
  });

  // --- registration -------------------------------------------------------------------
  let communesLoaded = false;
  async function loadCommunes() {
    if (communesLoaded) { return; }
    const response = await fetch("/api/reference/communes?province=19");
    if (!response.ok) { return; }
    const select = document.querySelector("#register-form select[name=commune_code]");
    (await response.json()).forEach((commune) => {
      const option = document.createElement("option");
      option.value = commune.code; option.textContent = commune.name;
      select.appendChild(option);
    });
    communesLoaded = true;
  }

  function clearErrors() {
    document.querySelectorAll(".field-error").forEach((p) => { p.textContent = ""; });
  }

  function fieldError(field, text) {
    const target = document.querySelector(`[data-error-for="${field}"]`);
    if (target) { target.textContent = text; return true; }
    return false;
  }

  // "4/3/1985" or "04031985" → "1985-03-04"; "" when it is no calendar date.
  function isoDate(text) {
    const digits = (text || "").trim().split(/[^0-9]+/).filter(Boolean);
    const parts = digits.length === 1 && digits[0].length === 8
      ? [digits[0].slice(0, 2), digits[0].slice(2, 4), digits[0].slice(4)] : digits;
    if (parts.length !== 3 || parts[2].length !== 4) { return ""; }
    const [day, month, year] = parts.map(Number);
    const date = new Date(Date.UTC(year, month - 1, day));
    if (date.getUTCDate() !== day || date.getUTCMonth() !== month - 1 || year < 1900) { return ""; }
    return `${year}-${String(month).padStart(2, "0")}-${String(day).padStart(2, "0")}`;
  }

  function checkRegistration(form) {
    const data = Object.fromEntries(new FormData(form).entries());
    const errors = {};
    if (!data.full_name || data.full_name.trim().split(/\s+/).length < 2) { errors.full_name = "Nhập đủ họ và tên (ít nhất 2 từ)."; }
    data.birth_date = isoDate(data.birth_date);
    if (!data.birth_date) { errors.birth_date = "Ghi ngày sinh dạng ngày/tháng/năm, ví dụ 04/03/1985."; }
    else if (new Date(data.birth_date) > new Date()) { errors.birth_date = "Ngày sinh không được sau hôm nay."; }
    if (!data.sex) { errors.sex = "Chọn Nam hoặc Nữ."; }
    if (!data.commune_code) { errors.commune_code = "Chọn xã / phường."; }
    if (!/^0\d{9,10}$/.test((data.phone || "").replace(/\s/g, ""))) { errors.phone = "Số điện thoại gồm 10–11 chữ số, bắt đầu bằng 0."; }
    return { data, errors };
  }

  const registerForm = $("register-form");
  registerForm.addEventListener("input", armIdle);
  registerForm.addEventListener("focusout", () => {
    clearErrors();
    const { data, errors } = checkRegistration(registerForm);
    Object.entries(errors).forEach(([field, text]) => { if (data[field]) { fieldError(field, text); } });
  });
  registerForm.addEventListener("submit", async (event) => {
    event.preventDefault();
    clearErrors();
    const { data, errors } = checkRegistration(registerForm);
    if (Object.keys(errors).length) {
      Object.entries(errors).forEach(([field, text]) => fieldError(field, text));
      return;
    }
    const body = { token: state.token, full_name: data.full_name.trim(), birth_date: data.birth_date,
      sex: Number(data.sex), commune_code: data.commune_code, phone: data.phone.replace(/\s/g, "") };
    await once(async () => {
      try {
        showConfirm(await call("/register", body));
      } catch (error) {
        const placed = (error.problems || []).map((p) => fieldError(p.field, p.message)).some(Boolean);
        say(placed ? error.message : problemText(error));
      }
    });
  });

  // --- confirm ------------------------------------------------------------------------
  function insuranceText(insurance) {
    const parts = [];
    if (insurance.card_number_masked) { parts.push("Thẻ " + insurance.card_number_masked); }
    if (insurance.group) { parts.push("Đối tượng " + insurance.group); }
    if (insurance.benefit_level) { parts.push("Mức hưởng " + insurance.benefit_level + " %"); }
    if (insurance.registered_facility) { parts.push("Nơi ĐK KCB ban đầu " + insurance.registered_facility); }
    if (insurance.valid_to) { parts.push("Hạn thẻ " + insurance.valid_to.split("-").reverse().join("/")); }
    if (insurance.in_network === true) { parts.push("Đúng tuyến"); }
    if (insurance.in_network === false) { parts.push("Không đúng tuyến"); }
    return parts.join(" · ");
  }

  function showConfirm(result) {
    state.token = result.token;
    if (result.existing_ticket) { showTicket(result.existing_ticket); return; }
    $("confirm-name").textContent = result.masked_name;
    $("confirm-birth").textContent = result.birth_year || "—";
    const insurance = result.insurance;
    const box = $("confirm-insurance");
    box.textContent = insurance.message_vi;
    box.className = "insurance " + insurance.status;
    $("confirm-insurance-details").textContent = insuranceText(insurance);
    $("confirm-warnings").hidden = !result.warnings.length;
    $("confirm-warnings").textContent = result.warnings.length ? "Lưu ý: thông tin sẽ được quầy tiếp đón kiểm tra lại." : "";
    $("confirm-priority").textContent = result.priority_label;
    state.claimed = "";
    document.querySelectorAll("input[name=claimed]").forEach((r) => { r.checked = r.value === ""; });
    show("confirm");
  }

  document.querySelectorAll("input[name=claimed]").forEach((radio) => {
    radio.addEventListener("change", () => { state.claimed = radio.value; armIdle(); });
  });
  $("confirm-ok").addEventListener("click", showDepartments);

  // --- departments and ticket ---------------------------------------------------------
  async function showDepartments() {
    state.requestId = state.requestId || (self.crypto && crypto.randomUUID ? crypto.randomUUID() : String(Date.now()) + Math.random().toString(16).slice(2));
    try {
      const departments = await call("/departments", undefined, "GET");
      const list = $("department-list");
      list.replaceChildren(...departments.map(departmentButton));
      show("departments");
    } catch (error) { say(problemText(error)); }
  }

  function departmentButton(department) {
    const button = document.createElement("button");
    button.type = "button"; button.className = "department";
    button.dataset.department = department.code;
    const name = document.createElement("span"); name.className = "name"; name.textContent = department.name;
    const wait = document.createElement("span"); wait.className = "wait";
    wait.textContent = `${department.waiting} người chờ · khoảng ${department.estimated_wait_minutes} phút`;
    button.append(name, wait);
    button.addEventListener("click", () => once(() => takeTicket(department.code, button)));
    return button;
  }

  async function takeTicket(code, button) {
    document.querySelectorAll(".department").forEach((b) => { b.disabled = true; });
    button.classList.add("chosen");
    try {
      const ticket = await call("/tickets", { token: state.token, department_code: code,
        claimed_priority: state.claimed || null, request_id: state.requestId });
      showTicket(ticket);
    } catch (error) {
      say(problemText(error));
      document.querySelectorAll(".department").forEach((b) => { b.disabled = false; });
    }
  }

  function showTicket(ticket) {
    const number = $("ticket-number");
    number.textContent = ticket.display_number;
    number.dataset.ticketNumber = ticket.display_number;
    $("ticket-room").textContent = ticket.room;
    $("ticket-wait").textContent = ticket.people_ahead === 0
      ? "Quý khách sắp được gọi. You will be called shortly."
      : `Trước quý khách: ${ticket.people_ahead} người · dự kiến được gọi khoảng ${ticket.estimated_time} (${ticket.estimated_wait_minutes} phút)`;
    $("ticket-priority").textContent = ticket.priority === "none" ? "" : "Ưu tiên: " + ticket.priority_label;
    $("ticket-qr").innerHTML = ticket.qr_svg || "";  // server-made SVG of the ticket id only
    $("ticket-issued").textContent = "Lấy số lúc " + new Date(ticket.issued_at).toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit" });
    state.history = [];
    show("ticket", false);
    // With a ticket printer, start Chromium with --kiosk-printing and open /kiosk/CODE?print=auto.
    if (autoPrint) { window.print(); }
  }

  $("ticket-print").addEventListener("click", () => window.print());
  $("ticket-done").addEventListener("click", reset);

  // --- navigation, idle, clock --------------------------------------------------------
  document.querySelectorAll("[data-back]").forEach((button) => {
    button.addEventListener("click", () => {
      // "Not me" on the confirm screen starts over; other screens go one step back.
      const previous = button.dataset.back === "start" ? null : state.history.pop();
      if (!previous || previous === "start") { reset(); } else { show(previous, false); }
    });
  });
  ["pointerdown", "keydown"].forEach((type) => document.addEventListener(type, armIdle));
  // The scanner types into the focused field: keep it focused on the start screen.
  document.addEventListener("click", () => {
    if (!$("screen-start").hidden && document.activeElement.tagName !== "INPUT") { $("scan-input").focus(); }
  });
  function tick() {
    $("clock").textContent = new Date().toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit" });
  }
  buildKeypad();
  tick(); setInterval(tick, 10000);
  reset();
})();
