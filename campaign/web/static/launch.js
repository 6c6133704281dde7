/* New campaign page: drop a file on the upload form, and refuse one over the limit early. */
(function () {
  "use strict";
  var form = document.querySelector("[data-launch-upload]");
  if (!form) { return; }
  var zone = form.querySelector("[data-dropzone]");
  var input = form.querySelector("input[type=file]");
  var note = form.querySelector("[data-upload-note]");
  var limit = Number(form.getAttribute("data-limit")) || 0;

  function tooBig(file) {
    if (limit && file && file.size > limit) {
      note.textContent = "The file is larger than the " + Math.round(limit / 1048576) +
        " MB limit: split the list, or save it as CSV.";
      note.hidden = false;
      return true;
    }
    note.hidden = true;
    return false;
  }
  ["dragenter", "dragover"].forEach(function (name) {
    zone.addEventListener(name, function (event) { event.preventDefault(); zone.classList.add("over"); });
  });
  ["dragleave", "drop"].forEach(function (name) {
    zone.addEventListener(name, function () { zone.classList.remove("over"); });
  });
  zone.addEventListener("drop", function (event) {
    event.preventDefault();
    if (!event.dataTransfer || !event.dataTransfer.files.length) { return; }
    input.files = event.dataTransfer.files;
    if (!tooBig(input.files[0])) { form.submit(); }
  });
  input.addEventListener("change", function () { tooBig(input.files[0]); });
  form.addEventListener("submit", function (event) {
    if (tooBig(input.files[0])) { event.preventDefault(); }
  });
}());
