// Draws each chart of the transparency page with Apache ECharts, from the JSON the page
// holds beside it. The table under each chart is the source of truth (and what screen
// readers and readers without JavaScript get); the chart is drawn only for the eye.
// A hidden value ("fewer than 5") arrives as null: no bar or point (its number is not
// ours to show), but a hollow marker on the axis labelled with its words, so that it
// never reads as zero; its words are in the tooltip too.
(function () {
  "use strict";
  if (!window.echarts) return;

  function option(data) {
    var texts = data.texts;
    var tooltip = {
      trigger: data.kind === "pie" ? "item" : "axis",
      formatter: function (params) {
        var p = Array.isArray(params) ? params[0] : params;
        return p.name + ": " + texts[p.dataIndex] + " " + (data.values[p.dataIndex] === null ? "" : data.unit);
      },
    };
    if (data.kind === "pie") {
      return {
        tooltip: tooltip,
        series: [{
          type: "pie",
          radius: ["35%", "70%"],
          data: data.labels.map(function (label, i) { return { name: label, value: data.values[i] }; })
            .filter(function (d) { return d.value !== null && d.value > 0; }),
        }],
      };
    }
    return {
      tooltip: tooltip,
      grid: { left: 32, right: 16, top: 24, bottom: 8, containLabel: true },
      xAxis: { type: "category", data: data.labels, axisLabel: { interval: 0, rotate: data.labels.length > 8 ? 35 : 0 } },
      yAxis: { type: "value", name: data.unit },
      series: [{
        type: data.kind === "line" ? "line" : "bar",
        data: data.values,
        connectNulls: false,
        itemStyle: { color: "#1d5fa7" },
      }, {
        // The suppressed points: a marker at the foot of the axis with the words.
        type: "scatter",
        name: "suppressed",
        silent: true,
        tooltip: { show: false },
        symbol: "rect",
        symbolSize: [10, 10],
        itemStyle: { color: "#fff", borderColor: "#55606e", borderType: "dashed", borderWidth: 1 },
        label: { show: true, position: "top", rotate: 90, align: "left", color: "#55606e", formatter: function (p) { return texts[p.dataIndex]; } },
        data: data.values.map(function (v) { return v === null ? 0 : "-"; }),
      }],
    };
  }

  function draw(el) {
    var source = document.getElementById(el.getAttribute("data-chart"));
    if (!source) return;
    var data = JSON.parse(source.textContent);
    el.hidden = false;
    var chart = window.echarts.init(el, null, { renderer: "svg" });
    chart.setOption(option(data));
    window.addEventListener("resize", function () { chart.resize(); });
  }

  document.querySelectorAll("[data-chart]").forEach(draw);
})();
