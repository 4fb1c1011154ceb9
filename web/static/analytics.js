// The analytics page's charts (web/analytics.go): Apache ECharts over the figures
// the page embeds as JSON in #analytics-data.
(function () {
  'use strict';
  var el = document.getElementById('analytics-data');
  if (!el || !window.echarts) { return; }
  var d = JSON.parse(el.textContent);
  var pct = function (v) { return (v * 100).toFixed(0) + '%'; };
  // A null rate (no ratings that period) is a gap in the line, never 0%; count
  // axes step by whole numbers.
  var make = function (id) {
    var box = document.getElementById(id);
    if (!box) { return null; }
    box.style.height = '320px';
    return window.echarts.init(box);
  };
  var rateTip = { valueFormatter: function (v) { return v == null ? '–' : pct(v); } };
  var trend = make('chart-trend');
  if (trend) {
    trend.setOption({
      tooltip: { trigger: 'axis' },
      legend: { top: 0, data: [d.labels.total, d.labels.sat, d.labels.neg] },
      grid: { top: 48, left: 56, right: 56, bottom: 32 },
      xAxis: { type: 'category', data: d.periods || [] },
      yAxis: [{ type: 'value', name: d.labels.total, minInterval: 1 },
              { type: 'value', min: 0, max: 1, axisLabel: { formatter: pct } }],
      series: [
        { name: d.labels.total, type: 'bar', data: d.total || [] },
        { name: d.labels.sat, type: 'line', yAxisIndex: 1, connectNulls: false, showSymbol: true, symbolSize: 7, tooltip: rateTip, data: d.satisfaction_rate || [] },
        { name: d.labels.neg, type: 'line', yAxisIndex: 1, connectNulls: false, showSymbol: true, symbolSize: 7, tooltip: rateTip, data: d.negative_rate || [] }
      ]
    });
  }
  var aspects = make('chart-aspects');
  if (aspects) {
    aspects.setOption({
      tooltip: {},
      grid: { left: 110, right: 24, bottom: 24 },
      xAxis: { type: 'value', minInterval: 1 },
      yAxis: { type: 'category', data: (d.aspects || []).slice().reverse() },
      series: [{ name: d.labels.aspects, type: 'bar', data: (d.aspect_negative || []).slice().reverse() }]
    });
  }
  window.addEventListener('resize', function () {
    if (trend) { trend.resize(); }
    if (aspects) { aspects.resize(); }
  });
}());
