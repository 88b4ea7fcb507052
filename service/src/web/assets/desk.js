// houniao call-centre desk: keyboard moves htmx does not cover. No external resources.
// ArrowDown/ArrowUp move between the Book buttons of the options; "Next patient"
// resets the search form, clears the patient's fields and the last answer, and puts the
// cursor back in the patient field (without script it reloads the desk).
"use strict";
document.addEventListener("keydown", function (event) {
  if (event.key !== "ArrowDown" && event.key !== "ArrowUp") return;
  const button = event.target;
  if (!(button instanceof HTMLButtonElement) || !button.closest("[data-desk-options]")) return;
  const result = button.closest(".desk-outcome") || document;
  const buttons = Array.from(result.querySelectorAll("[data-desk-options] button"));
  const at = buttons.indexOf(button);
  const next = buttons[at + (event.key === "ArrowDown" ? 1 : -1)];
  if (next) {
    next.focus();
    event.preventDefault();
  }
});
document.addEventListener("click", function (event) {
  const link = event.target instanceof Element && event.target.closest("[data-desk-next]");
  const form = document.getElementById("desk-search");
  if (!link || !form) return;
  event.preventDefault();
  form.reset();
  for (const name of ["patient", "expert"]) {
    const field = form.elements.namedItem(name);
    if (field) field.value = "";
  }
  const result = document.getElementById("desk-result");
  if (result) result.replaceChildren();
  const patient = document.getElementById("patient");
  if (patient) patient.focus();
});
