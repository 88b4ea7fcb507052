// houniao web app, the instances page: a file chosen in the upload form is read here
// and put into the text field, which the form sends (no multipart upload needed).
"use strict";
(function () {
  var file = document.getElementById("instance-file");
  var text = document.getElementById("instance-text");
  if (!file || !text) {
    return;
  }
  file.addEventListener("change", function () {
    var chosen = file.files && file.files[0];
    if (chosen) {
      chosen.text().then(function (content) {
        text.value = content;
      });
    }
  });
})();
