// The review queue's 批量审核通过: a 全选 box for the page's rows, and the confirmation
// (data-confirm, asked by confirm.js) names how many projects are ticked. Without this
// file the boxes still work one by one. No inline script (CSP).
(function () {
  "use strict";
  var form = document.getElementById("bulk-approve");
  var all = document.querySelector(".review-queue .select-all");
  if (!form || !all) {
    return;
  }
  var boxes = Array.prototype.slice.call(document.querySelectorAll('input[name="project"][form="bulk-approve"]'));

  function update() {
    var ticked = boxes.filter(function (box) { return box.checked; }).length;
    all.checked = ticked > 0 && ticked === boxes.length;
    all.indeterminate = ticked > 0 && ticked < boxes.length;
    form.setAttribute("data-confirm", "确定审核通过选中的 " + ticked + " 个项目吗？");
  }

  all.hidden = false;
  all.addEventListener("change", function () {
    boxes.forEach(function (box) { box.checked = all.checked; });
    update();
  });
  boxes.forEach(function (box) { box.addEventListener("change", update); });
  update();
}());
