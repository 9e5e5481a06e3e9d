// The reports page: while a generation job is queued or running, ask for its state every
// two seconds and show it; when every job has finished, reload once so the list of
// bulletins shows the new one. No inline script (CSP): this file is the whole behaviour.
(function () {
  "use strict";
  var INTERVAL = 2000;
  var live = document.getElementById("jobs-live");

  function pendingRows() {
    return Array.prototype.slice.call(document.querySelectorAll("tr[data-pending]"));
  }

  function show(row, job) {
    var state = row.querySelector("[data-job-state]");
    state.textContent = job.label;
    state.className = "badge job-" + job.state;
    var result = row.querySelector("[data-job-result]");
    result.textContent = "";
    if (job.state === "failed") {
      var error = document.createElement("span");
      error.className = "error-text";
      error.textContent = job.error;
      result.appendChild(error);
    } else {
      result.appendChild(document.createTextNode(job.outcome + " "));
      if (job.bulletin_url) {
        var link = document.createElement("a");
        link.href = job.bulletin_url;
        link.textContent = "查看";
        result.appendChild(link);
      }
    }
    if (job.finished) row.removeAttribute("data-pending");
  }

  function poll() {
    var rows = pendingRows();
    if (!rows.length) return;
    if (live) live.textContent = "正在生成，本页自动更新状态……";
    Promise.all(rows.map(function (row) {
      return fetch(row.getAttribute("data-job-url"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (job) { show(row, job); });
    })).then(function () {
      if (pendingRows().length) {
        window.setTimeout(poll, INTERVAL);
      } else {
        if (live) live.textContent = "生成已结束。";
        window.setTimeout(function () { window.location.reload(); }, 800);
      }
    }).catch(function () {
      if (live) live.textContent = "暂时无法获取任务状态，稍后自动重试。";
      window.setTimeout(poll, INTERVAL * 3);
    });
  }

  if (pendingRows().length) window.setTimeout(poll, INTERVAL);
})();
