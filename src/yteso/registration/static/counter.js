// Counter: call next (priority first), recall, skip, complete, transfer; queue refreshed.
"use strict";
(function () {
  const root = document.getElementById("counter");
  const api = "/api/kiosk/" + root.dataset.facility + "/counter";
  const $ = (id) => document.getElementById(id);
  let current = null;

  function say(text) {
    $("counter-message").textContent = text || "";
    $("counter-message").hidden = !text;
  }

  async function call(path, body, method = "POST") {
    const options = { method, headers: { "Accept": "application/json" }, credentials: "same-origin" };
    if (body !== undefined) { options.headers["Content-Type"] = "application/json"; options.body = JSON.stringify(body); }
    const response = await fetch(api + path, options);
    if (response.status === 204) { return null; }
    const data = await response.json().catch(() => ({}));
    if (!response.ok) { throw new Error((data.error && data.error.message) || "Có lỗi, vui lòng thử lại."); }
    return data;
  }

  function showCurrent(ticket) {
    current = ticket;
    $("current").hidden = !ticket;
    if (!ticket) { return; }
    $("current-number").textContent = ticket.display_number;
    $("current-name").textContent = ticket.name;
    const facts = [ticket.birth_year ? "sinh " + ticket.birth_year : "", ticket.insured ? "có BHYT" : "không BHYT",
      ticket.priority === "none" ? "" : "ưu tiên: " + ticket.priority_label, ticket.status_label];
    $("current-facts").textContent = facts.filter(Boolean).join(" · ");
  }

  async function refresh() {
    try {
      const view = await call("/queue?department=" + encodeURIComponent($("counter-department").value), undefined, "GET");
      $("queue-summary").textContent = `(${view.department.waiting} người chờ · khoảng ${view.department.estimated_wait_minutes} phút · ${view.department.service_minutes} phút/người${view.department.measured ? "" : ", mặc định"})`;
      const rows = [...view.called, ...view.waiting].map((t) => {
        const tr = document.createElement("tr");
        tr.dataset.number = t.display_number;
        [t.display_number, t.name, t.priority === "none" ? "" : t.priority_label, t.status_label + (t.counter ? " · " + t.counter : "")]
          .forEach((text) => { const td = document.createElement("td"); td.textContent = text; tr.appendChild(td); });
        return tr;
      });
      $("queue-rows").replaceChildren(...rows);
    } catch (error) { say(error.message); }
  }

  async function act(path, body) {
    say("");
    try { return await call(path, body); } catch (error) { say(error.message); return undefined; }
  }

  $("call-next").addEventListener("click", async () => {
    const ticket = await act("/call-next", { department_code: $("counter-department").value, counter: $("counter-name").value.trim() || "Quầy" });
    if (ticket === null) { say("Không còn người chờ ở khoa này."); }
    if (ticket) { showCurrent(ticket); }
    refresh();
  });
  $("recall").addEventListener("click", async () => { if (current) { const t = await act(`/tickets/${current.id}/recall`); if (t) { showCurrent(t); } refresh(); } });
  $("skip").addEventListener("click", async () => { if (current && await act(`/tickets/${current.id}/skip`)) { showCurrent(null); } refresh(); });
  $("complete").addEventListener("click", async () => { if (current && await act(`/tickets/${current.id}/complete`)) { showCurrent(null); } refresh(); });
  $("transfer").addEventListener("click", async () => {
    if (!current) { return; }
    const moved = await act(`/tickets/${current.id}/transfer`, { department_code: $("transfer-department").value });
    if (moved) { showCurrent(null); say(`Đã chuyển: số mới ${moved.display_number} tại ${moved.department_name}.`); }
    refresh();
  });
  $("counter-department").addEventListener("change", () => { showCurrent(null); refresh(); });
  refresh();
  setInterval(refresh, 5000);
})();
