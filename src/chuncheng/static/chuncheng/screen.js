/* The big screen (大屏): polls its JSON endpoint and draws the headline figures, five ECharts charts (beds and
   nursing share by area, capability of residents, attainment, meals and visits per day) and the alarm tiles.
   Colours come from CSS custom properties of .cc-screen (app.css); no inline script or style in the page (strict
   CSP). */
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
    meals: colour("--cc-screen-meals"),
    visits: colour("--cc-screen-visits"),
    status: {
      attained: colour("--cc-screen-attained"),
      on_track: colour("--cc-screen-on-track"),
      at_risk: colour("--cc-screen-at-risk"),
      off_track: colour("--cc-screen-off-track"),
      no_value: colour("--cc-screen-no-value")
    },
    capability: {
      intact: colour("--cc-screen-cap-intact"),
      mild: colour("--cc-screen-cap-mild"),
      moderate: colour("--cc-screen-cap-moderate"),
      severe: colour("--cc-screen-cap-severe"),
      total: colour("--cc-screen-cap-total"),
      not_assessed: colour("--cc-screen-cap-none")
    }
  };
  function chart(id) { return echarts.init(document.getElementById(id), null, { renderer: "canvas" }); }
  var charts = {
    beds: chart("cc-chart-beds"),
    capability: chart("cc-chart-capability"),
    attainment: chart("cc-chart-attainment"),
    meals: chart("cc-chart-meals"),
    visits: chart("cc-chart-visits")
  };
  var axisLabel = { color: palette.text, fontSize: 15 };
  var splitLine = { lineStyle: { color: palette.grid } };

  function number(v) { return v === null || v === undefined ? "—" : (Math.round(v * 100) / 100).toLocaleString("zh-CN"); }
  function minutes(seconds) {
    return seconds === null || seconds === undefined ? "—" : (Math.round(seconds / 6) / 10).toLocaleString("zh-CN") + " " + root.dataset.labelMinutes;
  }
  function text(id, value) { document.getElementById(id).textContent = value; }

  function headline(h) {
    var box = document.createElement("div");
    box.className = "cc-screen-figure";
    box.setAttribute("data-key", h.key);
    var value = document.createElement("div");
    value.className = "cc-screen-figure-value";
    value.textContent = number(h.value);
    var label = document.createElement("div");
    label.className = "cc-screen-figure-label";
    label.textContent = h.name + (h.unit ? "（" + h.unit + "）" : "");
    label.title = label.textContent;
    box.appendChild(value);
    box.appendChild(label);
    return box;
  }

  function ring(items, colours) {
    return {
      tooltip: { trigger: "item", formatter: "{b}: {c} ({d}%)" },
      legend: { bottom: 0, itemGap: 8, itemWidth: 16, textStyle: { color: palette.text, fontSize: 14 } },
      series: [{
        type: "pie", radius: ["34%", "56%"], center: ["50%", "42%"], minAngle: 2, avoidLabelOverlap: true,
        label: { color: palette.text, fontSize: 15, formatter: "{c}" },
        labelLine: { lineStyle: { color: palette.muted } },
        data: items.map(function (c) { return { name: c.label, value: c.count, itemStyle: { color: colours(c) } }; })
      }]
    };
  }

  function daily(series, name, tint) {
    return {
      tooltip: { trigger: "axis" },
      grid: { left: 64, right: 18, top: 28, bottom: 34 },
      xAxis: { type: "category", data: series.map(function (d) { return d.date.slice(5); }),
               axisLabel: { color: palette.text, fontSize: 13, interval: 4 }, axisLine: { lineStyle: { color: palette.grid } } },
      yAxis: { type: "value", minInterval: 1, axisLabel: axisLabel, splitLine: splitLine },
      series: [{
        name: name, type: "bar", barMaxWidth: 14, data: series.map(function (d) { return d.count; }),
        itemStyle: { color: new echarts.graphic.LinearGradient(0, 0, 0, 1, [
          { offset: 0, color: tint }, { offset: 1, color: "rgba(6, 26, 51, 0.3)" }]) }
      }]
    };
  }

  function draw(data) {
    var list = document.getElementById("cc-screen-headlines");
    list.replaceChildren.apply(list, data.headlines.map(headline));
    charts.beds.setOption({
      textStyle: { color: palette.text },
      legend: { textStyle: { color: palette.text, fontSize: 15 }, top: 0 },
      grid: { left: 16, right: 16, top: 44, bottom: 4, containLabel: true },
      tooltip: { trigger: "axis" },
      xAxis: { type: "category", data: data.children.map(function (c) { return c.name; }),
               axisLabel: { color: palette.text, fontSize: 13, rotate: 32, interval: 0 } },
      yAxis: [
        { type: "value", axisLabel: axisLabel, splitLine: splitLine },
        { type: "value", max: 100, axisLabel: { color: palette.text, fontSize: 15, formatter: "{value}%" }, splitLine: { show: false } }
      ],
      series: [
        { name: root.dataset.labelBeds, type: "bar", barMaxWidth: 28, data: data.children.map(function (c) { return c.beds; }),
          itemStyle: { color: palette.bars } },
        { name: root.dataset.labelShare, type: "line", yAxisIndex: 1, data: data.children.map(function (c) { return c.nursing_share; }),
          itemStyle: { color: palette.line }, lineStyle: { color: palette.line, width: 3 }, connectNulls: false }
      ]
    });
    charts.capability.setOption(ring(data.capability, function (c) { return palette.capability[c.level] || palette.muted; }));
    charts.attainment.setOption(ring(data.attainment.counts, function (c) { return palette.status[c.status] || palette.muted; }));
    charts.meals.setOption(daily(data.meals, root.dataset.labelMeals, palette.meals));
    charts.visits.setOption(daily(data.visits, root.dataset.labelVisits, palette.visits));
    var a = data.alarms;
    text("cc-alarm-received", number(a.received_today));
    text("cc-alarm-closed", number(a.closed_today));
    text("cc-alarm-open-today", number(a.open_today));
    text("cc-alarm-open-now", number(a.open_now));
    text("cc-ack-median", minutes(a.acknowledge.median));
    text("cc-ack-p90", minutes(a.acknowledge.p90));
    text("cc-ack-count", number(a.acknowledge.count));
    text("cc-close-median", minutes(a.close.median));
    text("cc-close-p90", minutes(a.close.p90));
    text("cc-close-count", number(a.close.count));
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
  window.addEventListener("resize", function () {
    Object.keys(charts).forEach(function (k) { charts[k].resize(); });
  });
})();
