// houniao web app, what-if form: choosing an instance reloads the form for it, the
// change-kind select inserts that kind's commented [[changes]] skeleton into the
// scenario editor, and a chosen file is read into it.
// Without JavaScript the editor still takes pasted text. No external resources.
"use strict";
(function () {
  // Choosing another instance shows its scenarios at once.
  const instance = document.getElementById("whatif-instance");
  if (instance && instance.form) {
    instance.addEventListener("change", function () { instance.form.submit(); });
  }
  const text = document.getElementById("whatif-text");
  const kind = document.getElementById("whatif-kind");
  const insert = document.getElementById("whatif-insert");
  const file = document.getElementById("whatif-file");
  if (!text) return;
  if (insert && kind) {
    insert.addEventListener("click", function () {
      const option = kind.options[kind.selectedIndex];
      if (!option) return;
      let skeleton = option.getAttribute("data-skeleton") || "";
      if (text.value.trim() === "") {
        const name = (insert.getAttribute("data-name") || "scenario").replace(/["\\]/g, "");
        skeleton = "name = \"" + name + "\"\n" + skeleton;
      }
      const at = text.selectionEnd || text.value.length;
      const before = text.value.slice(0, at);
      const after = text.value.slice(at);
      const glue = before === "" || before.endsWith("\n") ? "" : "\n";
      text.value = before + glue + skeleton + after;
      text.focus();
      const end = (before + glue + skeleton).length;
      text.setSelectionRange(end, end);
    });
  }
  if (file) {
    file.addEventListener("change", function () {
      const chosen = file.files && file.files[0];
      if (!chosen) return;
      const reader = new FileReader();
      reader.onload = function () { text.value = String(reader.result || ""); };
      reader.readAsText(chosen);
    });
  }
})();
