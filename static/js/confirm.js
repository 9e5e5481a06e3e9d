// Weighty actions ask first: a form carrying data-confirm="确定……吗？" is submitted only after the
// user agrees in the browser's confirmation dialog. The button that submits may carry its own
// data-confirm (a form with several buttons); an empty one on a button means "no question".
// Included from base.html on every page; no inline script (CSP).
(function () {
  "use strict";

  function question(form, submitter) {
    if (submitter && submitter.hasAttribute("data-confirm")) return submitter.getAttribute("data-confirm");
    return form.getAttribute("data-confirm");
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement)) return;
    var message = question(form, event.submitter);
    if (message && !window.confirm(message)) event.preventDefault();
  });
})();
