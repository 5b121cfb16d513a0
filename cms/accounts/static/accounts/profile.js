/*
 * The profile page, enhanced (everything works without it):
 * - the new API key's copy button: shown only where the Clipboard API is available; it copies
 *   the key and says so in an aria-live region;
 * - the avatar picker: a live preview of the chosen image before it is uploaded.
 */
(function () {
  "use strict";

  function setUpCopy(button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    var status = button.closest(".form-field").querySelector("[data-copy-status]");
    if (!field || !status || !navigator.clipboard || !window.isSecureContext) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      status.textContent = "";
      navigator.clipboard.writeText(field.value).then(
        function () {
          status.textContent = button.getAttribute("data-copied");
        },
        function () {
          field.select();
          status.textContent = button.getAttribute("data-copy-failed");
        }
      );
    });
  }

  function setUpAvatar(picker) {
    var input = picker.querySelector("input[type=file]");
    var frame = picker.querySelector("[data-avatar-frame]");
    var clear = picker.querySelector(".avatar-picker__clear input");
    if (!input || !frame || !window.URL || !URL.createObjectURL) return;
    var original = frame.innerHTML;
    var previewUrl = null;

    input.addEventListener("change", function () {
      if (previewUrl) URL.revokeObjectURL(previewUrl);
      previewUrl = null;
      var file = input.files && input.files[0];
      if (!file || file.type.indexOf("image/") !== 0) {
        frame.innerHTML = original;
        return;
      }
      previewUrl = URL.createObjectURL(file);
      var image = document.createElement("img");
      image.className = "avatar avatar-picker__preview";
      image.width = 96;
      image.height = 96;
      image.alt = picker.getAttribute("data-preview-alt");
      image.src = previewUrl;
      frame.replaceChildren(image);
      if (clear) clear.checked = false; // a new image replaces the old one: not both
    });
  }

  function start() {
    document.querySelectorAll("button[data-copy]").forEach(setUpCopy);
    document.querySelectorAll("[data-avatar-picker]").forEach(setUpAvatar);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
