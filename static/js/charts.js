/* The dashboard's charts (ECharts, served by the app). Data comes from the json_script
   element "dashboard-chart-data"; numbers arrive as decimal strings and become numbers only here,
   for drawing. No inline script, no eval: the page's Content-Security-Policy forbids both. */
(function () {
  "use strict";

  var source = document.getElementById("dashboard-chart-data");
  if (!source || !window.echarts) {
    return;
  }
  var data = JSON.parse(source.textContent);
  var FONT = '"Noto Sans CJK SC", "Source Han Sans SC", "PingFang SC", "Microsoft YaHei", "WenQuanYi Zen Hei", sans-serif';
  var COLORS = {
    "progress-ahead": "#1b7f3b",
    "progress-behind": "#b7791f",
    "progress-far-behind": "#c53030",
    "progress-none": "#9aa5b1"
  };
  var BRAND = "#b22222";
  var LINK = "#1f5fa8";
  var charts = [];

  function number(value) {
    return value === null || value === undefined ? null : Number(value);
  }

  function draw(id, option) {
    var element = document.getElementById(id);
    if (!element) {
      return;
    }
    var chart = window.echarts.init(element);
    option.animation = false;
    option.textStyle = { fontFamily: FONT };
    chart.setOption(option);
    element.setAttribute("data-rendered", "true");
    charts.push(chart);
  }

  function completion(section, timeProgress) {
    var element = document.getElementById("chart-completion");
    if (element) {
      // One bar per unit, horizontal so the names stay readable; the box grows with the units.
      element.style.height = Math.max(300, section.units.length * 26 + 70) + "px";
    }
    var rates = section.rates.map(number);
    // One unit far ahead (a small target) would flatten every other bar: the axis stops at
    // twice the time progress (at least 150%), longer bars are cut there and keep their true label.
    var axisMax = Math.max(150, 2 * number(timeProgress));
    var bars = rates.map(function (rate, i) {
      return {
        value: rate === null ? null : Math.min(rate, axisMax),
        rate: rate,
        itemStyle: { color: COLORS[section.progress[i]] }
      };
    });
    draw("chart-completion", {
      grid: { left: 8, right: 72, top: 28, bottom: 8, containLabel: true },
      tooltip: {
        trigger: "item",
        formatter: function (p) {
          return p.name + "：" + (p.data.rate === null ? "–" : p.data.rate.toFixed(2) + "%");
        }
      },
      xAxis: { type: "value", max: axisMax, axisLabel: { formatter: "{value}%" } },
      yAxis: { type: "category", inverse: true, data: section.units, axisLabel: { interval: 0 } },
      series: [{
        name: "协议资金完成率",
        type: "bar",
        data: bars,
        label: {
          show: true,
          position: "right",
          formatter: function (p) { return p.data.rate === null ? "" : p.data.rate.toFixed(1) + "%"; }
        },
        markLine: {
          symbol: "none",
          silent: true,
          lineStyle: { type: "dashed", color: BRAND, width: 2 },
          label: { formatter: "序时进度 " + timeProgress + "%", position: "start", color: BRAND },
          data: [{ xAxis: number(timeProgress) }]
        }
      }]
    });
  }

  function quarters(section) {
    draw("chart-quarters", {
      grid: { left: 8, right: 16, top: 36, bottom: 16, containLabel: true },
      tooltip: { trigger: "axis", valueFormatter: function (value) { return value === null ? "–" : value.toFixed(2) + " 亿元"; } },
      xAxis: { type: "category", data: section.labels },
      yAxis: { type: "value", name: "亿元" },
      series: [{
        name: "协议资金（计入考核数）",
        type: "bar",
        data: section.values.map(number),
        itemStyle: { color: BRAND },
        label: { show: true, position: "top", formatter: function (p) { return p.value === null ? "" : p.value.toFixed(2); } }
      }]
    });
  }

  function groups(section) {
    draw("chart-groups", {
      grid: { left: 8, right: 8, top: 48, bottom: 8, containLabel: true },
      legend: { top: 0, data: ["协议资金（亿元）", "项目个数"] },
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      xAxis: { type: "category", data: section.groups, axisLabel: { interval: 0, rotate: 30 } },
      yAxis: [
        { type: "value", name: "亿元" },
        { type: "value", name: "个", minInterval: 1, splitLine: { show: false } }
      ],
      series: [
        { name: "协议资金（亿元）", type: "bar", data: section.capital.map(number), itemStyle: { color: BRAND } },
        { name: "项目个数", type: "line", yAxisIndex: 1, data: section.projects.map(number), itemStyle: { color: LINK } }
      ]
    });
  }

  completion(data.completion, data.timeProgress);
  quarters(data.quarters);
  groups(data.groups);

  window.followPageWidth(function () {
    charts.forEach(function (chart) { chart.resize(); });
  });
}());
