// The analytics page's 差评热点 and 好评经验 bars (web/analytics_topics.go): Apache
// ECharts over the terms the page embeds as JSON in #topics-data.
(function () {
  'use strict';
  var el = document.getElementById('topics-data');
  if (!el) { return; }
  var draw = function () {
    if (!window.echarts) { return; }
    var d = JSON.parse(el.textContent);
    var bars = function (id, terms, series) {
      var box = document.getElementById(id);
      if (!box || !terms || !terms.length) { return null; }
      box.style.height = Math.max(160, 28 * terms.length + 60) + 'px';
      var c = window.echarts.init(box);
      c.setOption({
        tooltip: { trigger: 'axis', axisPointer: { type: 'shadow' } },
        legend: { top: 0 },
        grid: { top: 32, left: 96, right: 24, bottom: 24 },
        xAxis: { type: 'value', minInterval: 1 },
        yAxis: { type: 'category', data: terms.slice().reverse() },
        series: series.map(function (s) {
          return { name: s.name, type: 'bar', data: (s.data || []).slice().reverse(), itemStyle: { color: s.color } };
        })
      });
      return c;
    };
    var charts = [
      bars('chart-topics-hot', d.negative_terms, [
        { name: d.labels.now, data: d.negative_count, color: '#c0392b' },
        { name: d.labels.prev, data: d.negative_previous, color: '#bdc3c7' }]),
      bars('chart-topics-good', d.positive_terms, [{ name: d.labels.now, data: d.positive_count, color: '#27ae60' }])
    ];
    window.addEventListener('resize', function () {
      charts.forEach(function (c) { if (c) { c.resize(); } });
    });
  };
  if (document.readyState === 'complete') { draw(); } else { window.addEventListener('load', draw); }
}());
