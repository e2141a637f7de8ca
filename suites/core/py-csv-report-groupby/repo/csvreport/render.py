def render_text(report):
    width = max([len(row.label) for row in report.rows] + [len("TOTAL")])
    lines = [f"{'':<{width}}  {report.sum_column:>12}"]
    for row in report.rows:
        lines.append(f"{row.label:<{width}}  {row.total:>12.2f}")
    lines.append(f"{'TOTAL':<{width}}  {report.total:>12.2f}")
    return "\n".join(lines) + "\n"
