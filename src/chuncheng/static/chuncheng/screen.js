/* The big screen (大屏): polls its JSON endpoint and draws headline figures and two ECharts charts. Colours come from
   CSS custom properties of .cc-screen (app.css); no inline script or style in the page (strict CSP). */
(function () {
  "use strict";
  var root = document.getElementById("cc-screen");
  if (!root || !window.echarts) { return; }
  var css = getComputedStyle(root);
  function colour(name) { return css.getPropertyValue(name).trim(); }
  var palette = {
    text: colour("--cc-screen-text"),
    muted: colour("--cc-screen-muted"),
    grid: colour("--cc-screen-grid"),
    bars: colour("--cc-screen-bars"),
    line: colour("--cc-screen-line"),
    status: {
      attained: colour("--cc-screen-attained"),
      on_track: colour("--cc-screen-on-track"),
      at_risk: colour("--cc-screen-at-risk"),
      off_track: colour("--cc-screen-off-track"),
      no_value: colour("--cc-screen-no-value")
    }
  };
  var beds = echarts.init(document.getElementById("cc-chart-beds"), null, { renderer: "canvas" });
  var attainment = echarts.init(document.getElementById("cc-chart-attainment"), null, { renderer: "canvas" });
  var axisLabel = { color: palette.text, fontSize: 16 };
  var splitLine = { lineStyle: { color: palette.grid } };

  function headline(h) {
    var box = document.createElement("div");
    box.className = "cc-screen-figure";
    box.setAttribute("data-key", h.key);
    var value = document.createElement("div");
    value.className = "cc-screen-figure-value";
    value.textContent = h.value === null ? "—" : (Math.round(h.value * 100) / 100).toLocaleString("zh-CN");
    var label = document.createElement("div");
    label.className = "cc-screen-figure-label";
    label.textContent = h.name + (h.unit ? "（" + h.unit + "）" : "");
    box.appendChild(value);
    box.appendChild(label);
    return box;
  }

  function draw(data) {
    var list = document.getElementById("cc-screen-headlines");
    list.replaceChildren.apply(list, data.headlines.map(headline));
    var names = data.children.map(function (c) { return c.name; });
    beds.setOption({
      textStyle: { color: palette.text },
      legend: { textStyle: { color: palette.text, fontSize: 16 }, top: 0 },
      grid: { left: 70, right: 70, top: 50, bottom: 90 },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: names, axisLabel: { color: palette.text, fontSize: 14, rotate: 30 } },
      yAxis: [
        { type: "value", name: root.dataset.labelBeds, axisLabel: axisLabel, splitLine: splitLine, nameTextStyle: axisLabel },
        { type: "value", name: root.dataset.labelShare, max: 100, axisLabel: axisLabel, splitLine: { show: false }, nameTextStyle: axisLabel }
      ],
      series: [
        { name: root.dataset.labelBeds, type: "bar", data: data.children.map(function (c) { return c.beds; }),
          itemStyle: { color: palette.bars } },
        { name: root.dataset.labelShare, type: "line", yAxisIndex: 1, data: data.children.map(function (c) { return c.nursing_share; }),
          itemStyle: { color: palette.line }, lineStyle: { color: palette.line, width: 3 }, connectNulls: false }
      ]
    });
    attainment.setOption({
      tooltip: { trigger: "item" },
      legend: { bottom: 0, textStyle: { color: palette.text, fontSize: 16 } },
      series: [{
        type: "pie", radius: ["40%", "70%"], center: ["50%", "45%"],
        label: { color: palette.text, fontSize: 16, formatter: "{b}\n{c}" },
        data: data.attainment.counts.map(function (c) {
          return { name: c.label, value: c.count, itemStyle: { color: palette.status[c.status] || palette.muted } };
        })
      }]
    });
    document.getElementById("cc-screen-updated").textContent = data.generated_at.replace("T", " ").slice(0, 19);
    root.setAttribute("data-loaded", "1");
  }

  function load() {
    fetch(root.dataset.url, { credentials: "same-origin", headers: { Accept: "application/json" } })
      .then(function (r) { if (!r.ok) { throw new Error("screen data " + r.status); } return r.json(); })
      .then(draw)
      .catch(function (e) { root.setAttribute("data-error", String(e)); });
  }

  load();
  window.setInterval(load, Math.max(10, parseInt(root.dataset.refresh, 10) || 60) * 1000);
  window.addEventListener("resize", function () { beds.resize(); attainment.resize(); });
})();
