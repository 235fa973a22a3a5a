import { figureValue, type Goal, goals } from './goals.ts'

/**
 * An SVG bar chart of every headline figure against its goal: each bar is the figure divided by
 * its goal (for "at least" goals, the goal divided by the figure), so the goal is the line at 1
 * and shorter is better; a figure not measured yet is drawn as a grey placeholder.
 */
export function renderChart(values: Record<string, unknown>, generatedAt: string): string {
  const rowHeight = 28
  const labelWidth = 300
  const barWidth = 420
  const scaleMax = 3
  const top = 48
  const height = top + goals.length * rowHeight + 40
  const width = labelWidth + barWidth + 170
  const x = (ratio: number) => labelWidth + (Math.min(ratio, scaleMax) / scaleMax) * barWidth
  const rows = goals.map((goal: Goal, index) => {
    const y = top + index * rowHeight
    const value = figureValue(values, goal.key)
    const label = `<text x="${labelWidth - 8}" y="${y + 17}" text-anchor="end">${escapeXml(goal.key)}</text>`
    if (typeof value !== 'number')
      return `${label}<rect x="${labelWidth}" y="${y + 5}" width="${barWidth}" height="16" fill="#eee"/><text x="${labelWidth + 6}" y="${y + 17}" fill="#888">not measured yet</text>`
    const ratio = goal.toGoal(value)
    const colour = goal.met(value) ? '#2e7d32' : '#c62828'
    return `${label}<rect x="${labelWidth}" y="${y + 5}" width="${(x(ratio) - labelWidth).toFixed(1)}" height="16" fill="${colour}"/><text x="${labelWidth + barWidth + 8}" y="${y + 17}">${escapeXml(`${format(value)} (goal ${goal.goal})`)}</text>`
  })
  const goalLine = x(1)
  return `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" font-family="DejaVu Sans, sans-serif" font-size="13">
<title>BOCC benchmarks against their goals (npm run bench, ${escapeXml(generatedAt)})</title>
<rect width="100%" height="100%" fill="white"/>
<text x="12" y="24" font-size="15" font-weight="bold">BOCC benchmarks against their goals (shorter is better; the line is the goal)</text>
${rows.join('\n')}
<line x1="${goalLine}" y1="${top - 4}" x2="${goalLine}" y2="${top + goals.length * rowHeight}" stroke="#000" stroke-dasharray="4 3"/>
<text x="12" y="${height - 14}" fill="#555">npm run bench, ${escapeXml(generatedAt)}; bars are cut at ${scaleMax}× the goal</text>
</svg>
`
}

function format(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(value < 10 ? 3 : 1)
}

function escapeXml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;')
}
