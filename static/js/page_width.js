/* Charts drawn at the page's width: `followPageWidth(resize)` calls `resize` when the window is
   resized and when printing lays the page out at the paper's width (A4 landscape, app.css)
   without a resize event, so the charts stay inside the page. */
window.followPageWidth = function (resize) {
  "use strict";
  window.addEventListener("resize", resize);
  window.addEventListener("beforeprint", resize);
  window.addEventListener("afterprint", resize);
  var print = window.matchMedia ? window.matchMedia("print") : null;
  if (print && print.addEventListener) {
    print.addEventListener("change", resize);
  }
};
