/** Report renderers: Markdown (PR comment), self-contained HTML, and JSON. */
export { escapeHtml, jsonForScript } from './escape-html.ts';
export { renderAgentComparisonMarkdown } from './render-agent-comparison.ts';
export { plotDataOf, type RenderHtmlReportOptions, renderHtmlReport } from './render-html-report.ts';
export { renderJsonReport } from './render-json-report.ts';
export { escapeMarkdown, renderHeadlineTable, renderMarkdownReport } from './render-markdown-report.ts';
