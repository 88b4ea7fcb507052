// The roster board: drag a chip onto a highlighted cell to preview the move (checked by
// the server, nothing stored until "Keep this change"). The cells a chip may go to come
// from the server (data-slots × data-rows); the keyboard alternative is "Move…".
"use strict";
(function () {
  const board = document.getElementById("board");
  if (!board) return;
  const roster = board.dataset.roster;
  const back = board.dataset.back || "";
  let dragged = null;

  function csrf() {
    try {
      return JSON.parse(document.body.getAttribute("hx-headers") || "{}")["X-CSRF-Token"] || "";
    } catch (e) {
      return "";
    }
  }

  function targets(chip) {
    const slots = (chip.dataset.slots || "").split(" ").filter(Boolean);
    const rows = (chip.dataset.rows || "").split(" ").filter(Boolean);
    const cells = [];
    for (const slot of slots) {
      for (const row of rows) {
        const cell = document.getElementById("cell-" + slot + "-" + row);
        if (cell) cells.push(cell);
      }
    }
    return cells;
  }

  function clearMarks() {
    board.querySelectorAll("td.drop-ok, td.drop-over").forEach(function (cell) {
      cell.classList.remove("drop-ok", "drop-over");
    });
  }

  function clearProposal() {
    board.querySelectorAll(".chip.proposed").forEach(function (chip) { chip.remove(); });
  }

  board.addEventListener("dragstart", function (event) {
    const chip = event.target.closest && event.target.closest(".chip[draggable=true]");
    if (!chip) return;
    dragged = chip;
    chip.classList.add("dragging");
    event.dataTransfer.effectAllowed = "move";
    event.dataTransfer.setData("text/plain", chip.dataset.specialist || "");
    targets(chip).forEach(function (cell) { cell.classList.add("drop-ok"); });
  });

  board.addEventListener("dragend", function () {
    if (dragged) dragged.classList.remove("dragging");
    dragged = null;
    clearMarks();
  });

  board.addEventListener("dragover", function (event) {
    const cell = event.target.closest && event.target.closest("td.drop-ok");
    if (!cell || !dragged) return;
    event.preventDefault();
    event.dataTransfer.dropEffect = "move";
    board.querySelectorAll("td.drop-over").forEach(function (c) { c.classList.remove("drop-over"); });
    cell.classList.add("drop-over");
  });

  board.addEventListener("drop", function (event) {
    const cell = event.target.closest && event.target.closest("td.drop-ok");
    if (!cell || !dragged) return;
    event.preventDefault();
    const chip = dragged;
    clearMarks();
    if (cell.contains(chip)) return;
    const fields = new URLSearchParams();
    fields.set("op", "move");
    fields.set("specialist", chip.dataset.specialist);
    fields.set("date", chip.dataset.date);
    fields.set("session", chip.dataset.session);
    fields.set("activity", chip.dataset.activity);
    fields.set("to_date", cell.dataset.date);
    fields.set("to_session", cell.dataset.session);
    // A remote MDT seat keeps joining by video: no room for it.
    if (cell.dataset.room && !chip.classList.contains("remote")) fields.set("to_room", cell.dataset.room);
    fields.set("back", back);
    preview(fields, chip, cell);
  });

  function preview(fields, chip, cell) {
    clearProposal();
    const ghost = chip.cloneNode(true);
    ghost.classList.add("proposed");
    ghost.removeAttribute("draggable");
    ghost.querySelectorAll(".chip-actions").forEach(function (a) { a.remove(); });
    cell.appendChild(ghost);
    fetch("/app/rosters/" + encodeURIComponent(roster) + "/edits/preview", {
      method: "POST",
      headers: { "Content-Type": "application/x-www-form-urlencoded", "X-CSRF-Token": csrf(), "HX-Request": "true" },
      body: fields.toString(),
      credentials: "same-origin",
    }).then(function (response) { return response.text(); }).then(function (html) {
      const panel = document.getElementById("preview");
      panel.innerHTML = html;
      if (window.htmx) window.htmx.process(panel);
      const result = panel.querySelector(".preview");
      ghost.classList.add(result && result.dataset.valid === "yes" ? "good" : "bad");
    });
  }

  // A chip's Pin, Unpin and Move… buttons send the chip's entry (its data attributes).
  document.body.addEventListener("htmx:configRequest", function (event) {
    const source = event.detail.elt;
    const chip = source && source.closest && source.closest(".chip");
    if (!chip || !board.contains(chip)) return;
    const parameters = event.detail.parameters;
    parameters.specialist = chip.dataset.specialist;
    parameters.date = chip.dataset.date;
    parameters.session = chip.dataset.session;
    parameters.activity = chip.dataset.activity;
    if (chip.dataset.pin) parameters.pin = chip.dataset.pin;
    parameters.back = back;
  });

  document.addEventListener("click", function (event) {
    if (event.target.closest && event.target.closest("[data-board-discard]")) {
      document.getElementById("preview").innerHTML = "";
      clearProposal();
    }
  });
})();
