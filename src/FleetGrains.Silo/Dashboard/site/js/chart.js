// Time charts on the vendored uPlot (vendor/uplot, see its VERSION file), in the page theme's colours.

function colour(name) {
  return getComputedStyle(document.documentElement).getPropertyValue(name).trim();
}

/**
 * A chart of series over time in a container; `series` is [{ label, values, dashed, colour }], `times` unix seconds.
 * Returns { update(times, series) } for live data; the chart follows the container's width and the theme.
 */
export function timeChart(container, { times, series, height = 220, yLabel = '' }) {
  const options = () => ({
    width: Math.max(320, container.clientWidth || 640),
    height,
    scales: { x: { time: true } },
    axes: [
      { stroke: colour('--fg'), grid: { stroke: colour('--border') } },
      { stroke: colour('--fg'), grid: { stroke: colour('--border') }, label: yLabel },
    ],
    series: [
      { label: 'time' },
      ...series.map(s => ({ label: s.label, stroke: colour(s.colour), width: 2, dash: s.dashed ? [8, 5] : undefined, spanGaps: true })),
    ],
  });
  let data = [times, ...series.map(s => s.values)];
  let plot = new uPlot(options(), data, container);

  const rebuild = () => {
    plot.destroy();
    plot = new uPlot(options(), data, container);
  };
  const resize = new ResizeObserver(() => plot.setSize({ width: Math.max(320, container.clientWidth), height }));
  resize.observe(container);
  window.addEventListener('fleetgrains:theme', rebuild);

  return {
    update(nextTimes, nextSeries) {
      data = [nextTimes, ...nextSeries.map(s => s.values)];
      plot.setData(data);
    },
    destroy() {
      resize.disconnect();
      window.removeEventListener('fleetgrains:theme', rebuild);
      plot.destroy();
    },
  };
}
