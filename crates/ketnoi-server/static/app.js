// ketnoi progressive enhancement. Every page works without this file; with it, following an
// account happens in place (no page reload), and the error summary takes focus so screen
// readers announce it.
(function () {
  "use strict";

  var summary = document.querySelector(".error-summary");
  if (summary) { summary.focus(); }

  document.querySelectorAll("form[data-follow]").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (!window.fetch) { return; }
      event.preventDefault();
      var button = form.querySelector("button");
      button.disabled = true;
      fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        headers: { "Accept": "application/json" },
        credentials: "same-origin"
      }).then(function (response) {
        if (!response.ok) { throw new Error(response.status); }
        return response.json();
      }).then(function (state) {
        var root = form.closest("[data-account]") || document;
        form.action = state.next_action;
        button.textContent = state.button_label;
        var status = root.querySelector("[data-follow-status]");
        if (status) { status.textContent = state.message; }
        var count = root.querySelector("[data-follower-count]");
        if (count) { count.textContent = state.follower_label; }
      }).catch(function () {
        // Fall back to the ordinary form post, which always works.
        form.submit();
      }).finally(function () {
        button.disabled = false;
      });
    });
  });
})();
