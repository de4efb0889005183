// Display board: server-sent events carry the whole board each time it changes.
"use strict";
(function () {
  const facility = document.body.dataset.facility;
  const rows = document.getElementById("board-rows");
  const empty = document.getElementById("board-empty");
  const status = document.getElementById("board-status");

  function row(entry, index) {
    const tr = document.createElement("tr");
    if (index === 0) { tr.className = "latest"; }
    tr.dataset.number = entry.display_number;
    const number = document.createElement("td");
    number.className = "board-number"; number.textContent = entry.display_number;
    const room = document.createElement("td");
    room.className = "board-room";
    room.textContent = (entry.counter ? entry.counter + " · " : "") + entry.department_name;
    tr.append(number, room);
    return tr;
  }

  let latest = "";
  function render(entries) {
    rows.replaceChildren(...entries.map(row));
    empty.hidden = entries.length > 0;
    // A new call (or a recall) flashes the top row so heads turn to the board.
    const first = entries[0];
    const key = first ? `${first.display_number}/${first.called_at}` : "";
    if (first && key !== latest && latest !== "") { rows.firstChild.classList.add("flash"); }
    latest = key;
  }

  const source = new EventSource(`/api/kiosk/${facility}/board/events`);
  source.addEventListener("board", (event) => {
    render(JSON.parse(event.data));
    status.textContent = "Cập nhật " + new Date().toLocaleTimeString("vi-VN");
  });
  source.addEventListener("error", () => { status.textContent = "Mất kết nối, đang thử lại…"; });

  function tick() {
    document.getElementById("clock").textContent = new Date().toLocaleTimeString("vi-VN", { hour: "2-digit", minute: "2-digit" });
  }
  tick(); setInterval(tick, 10000);
})();
