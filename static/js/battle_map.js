/* The battle map's chart (ECharts, served by the app): leads by stage per chain, or target
   enterprises and leads per province. Data comes from the json_script element "battle-map-data"
   (figures/battle_map.py). No inline script, no eval: the page's Content-Security-Policy forbids both. */
(function () {
  "use strict";

  var source = document.getElementById("battle-map-data");
  var element = document.getElementById("chart-battle");
  if (!source || !element || !window.echarts) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Zen Hei", sans-serif';
  // 线索 → 拟签约 darker as a lead gets closer, 已签约 green; the provinces: brand red and link blue.
  var STAGE_COLORS = ["#c9d6e8", "#8fb0d9", "#4f7fbf", "#1f4f8a", "#1b7f3b"];
  var PROVINCE_COLORS = ["#b22222", "#1f5fa8"];

  // One bar per chain or province, horizontal so the names stay readable; the box grows with them.
  element.style.height = Math.max(300, data.names.length * 28 + 90) + "px";

  var stacked = data.kind === "chains";
  var colors = stacked ? STAGE_COLORS : PROVINCE_COLORS;
  var series = data.series.map(function (item, i) {
    return {
      name: item.name,
      type: "bar",
      stack: stacked ? "leads" : undefined,
      data: item.values,
      itemStyle: { color: colors[i % colors.length] },
      label: { show: !stacked, position: "right", formatter: function (p) { return p.value ? p.value : ""; } }
    };
  });

  var chart = window.echarts.init(element);
  chart.setOption({
    animation: false,
    textStyle: { fontFamily: FONT },
    legend: { top: 0 },
    grid: { left: 8, right: 40, top: 36, bottom: 8, containLabel: true },
    tooltip: {
      trigger: "axis",
      axisPointer: { type: "shadow" },
      formatter: function (items) {
        var index = items.length ? items[0].dataIndex : 0;
        var title = stacked && data.industries[index] ? data.industries[index] + " › " + data.names[index] : data.names[index];
        // Names are entered by users: escaped, the tooltip is HTML.
        return [window.echarts.format.encodeHTML(title)].concat(items.map(function (p) { return p.marker + p.seriesName + "：" + p.value; })).join("<br>");
      }
    },
    xAxis: { type: "value", minInterval: 1 },
    yAxis: { type: "category", inverse: true, data: data.names, axisLabel: { interval: 0 } },
    series: series
  });
  element.setAttribute("data-rendered", "true");

  window.followPageWidth(function () { chart.resize(); });
}());
