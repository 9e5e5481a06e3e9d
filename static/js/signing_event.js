/* A signing event's cohort over the quarters since it was held (ECharts, served by the app):
   signed and arrived capital as bars (亿元), 开工率 and 投产率 as lines (%). Data comes from the
   json_script element "signing-event-chart-data" (figures/signing_events.py); numbers arrive as
   decimal strings and become numbers only here, for drawing. No inline script, no eval: the page's
   Content-Security-Policy forbids both. */
(function () {
  "use strict";

  var source = document.getElementById("signing-event-chart-data");
  var element = document.getElementById("chart-signing-event");
  if (!source || !element || !window.echarts) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Zen Hei", sans-serif';

  function numbers(values) {
    return values.map(function (value) { return value === null || value === undefined ? null : Number(value); });
  }

  var chart = window.echarts.init(element);
  chart.setOption({
    animation: false,
    textStyle: { fontFamily: FONT },
    legend: { top: 0 },
    // Rotated quarter names reach left of the first bar: room for them.
    grid: { left: 40, right: 16, top: 40, bottom: 8, containLabel: true },
    tooltip: {
      trigger: "axis",
      formatter: function (items) {
        var index = items.length ? items[0].dataIndex : 0;
        var lines = items.map(function (p) {
          var unit = p.seriesType === "line" ? "%" : " 亿元";
          return p.marker + p.seriesName + "：" + (p.value === null || p.value === undefined ? "–" : p.value + unit);
        });
        return [data.labels[index], "签约数：" + data.signed[index]].concat(lines).join("<br>");
      }
    },
    xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: data.labels.length > 6 ? 30 : 0 } },
    yAxis: [
      { type: "value", name: "亿元", min: 0 },
      { type: "value", name: "%", min: 0, max: 100, axisLabel: { formatter: "{value}%" }, splitLine: { show: false } }
    ],
    series: [
      { name: "签约额", type: "bar", barMaxWidth: 40, data: numbers(data.agreement_capital), itemStyle: { color: "#1f5fa8" } },
      { name: "到位资金", type: "bar", barMaxWidth: 40, data: numbers(data.arrived_capital), itemStyle: { color: "#1b7f3b" } },
      { name: "开工率", type: "line", yAxisIndex: 1, data: numbers(data.started_rate), itemStyle: { color: "#b7791f" } },
      { name: "投产率", type: "line", yAxisIndex: 1, data: numbers(data.producing_rate), itemStyle: { color: "#b22222" } }
    ]
  });
  element.setAttribute("data-rendered", "true");

  window.followPageWidth(function () { chart.resize(); });
}());
