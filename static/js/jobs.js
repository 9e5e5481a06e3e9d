// The reports page: while a generation job is queued or running, ask for its state every
// two seconds and show it; when a job finishes, read the page again and put its fresh list of
// bulletins in place of the old one, so the new bulletin is listed without a reload (and what
// the reviewer was doing on the page stays as it was). No inline script (CSP): this file is the
// whole behaviour.
(function () {
  "use strict";
  var INTERVAL = 2000;
  var live = document.getElementById("jobs-live");

  function pendingRows() {
    return Array.prototype.slice.call(document.querySelectorAll("tr[data-pending]"));
  }

  function say(text) {
    if (live) live.textContent = text;
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
    return job.finished;
  }

  function refreshBulletins() {
    return fetch(window.location.href, { headers: { Accept: "text/html" }, credentials: "same-origin" })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return response.text();
      })
      .then(function (html) {
        var fresh = new DOMParser().parseFromString(html, "text/html").getElementById("bulletin-list");
        var current = document.getElementById("bulletin-list");
        if (!fresh || !current) throw new Error("no bulletin list");
        current.replaceWith(document.importNode(fresh, true));
      });
  }

  function poll() {
    var rows = pendingRows();
    if (!rows.length) return;
    say("正在生成，本页自动更新状态……");
    Promise.all(rows.map(function (row) {
      return fetch(row.getAttribute("data-job-url"), { headers: { Accept: "application/json" }, credentials: "same-origin" })
        .then(function (response) {
          if (!response.ok) throw new Error("HTTP " + response.status);
          return response.json();
        })
        .then(function (job) { return show(row, job); });
    })).then(function (finished) {
      var more = pendingRows().length > 0;
      if (finished.indexOf(true) < 0) {
        window.setTimeout(poll, INTERVAL);
        return;
      }
      refreshBulletins().then(function () {
        say(more ? "已有任务完成，通报列表已更新；其余任务仍在生成……" : "生成已结束，通报列表已更新。");
      }, function () {
        say("生成已结束，但通报列表未能更新，请刷新本页。");
      });
      if (more) window.setTimeout(poll, INTERVAL);
    }).catch(function () {
      say("暂时无法获取任务状态，稍后自动重试。");
      window.setTimeout(poll, INTERVAL * 3);
    });
  }

  if (pendingRows().length) window.setTimeout(poll, INTERVAL);
})();
