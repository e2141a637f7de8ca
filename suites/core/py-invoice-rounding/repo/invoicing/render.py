def _row(label, amount, currency):
    return f"{label:<32}{amount:>12} {currency}"


def render_invoice(invoice):
    currency = invoice.currency
    rows = [f"Invoice {invoice.number}", "-" * 48]
    for line in invoice.lines:
        rows.append(_row(f"{line.description} x{line.quantity}", line.total(currency), currency))
    rows.append("-" * 48)
    rows.append(_row("Subtotal", invoice.subtotal(), currency))
    if invoice.discount_percent:
        rows.append(_row(f"Discount {invoice.discount_percent}%", -invoice.discount(), currency))
    if invoice.tax_rate:
        rows.append(_row(f"VAT {invoice.tax_rate}%", invoice.tax(), currency))
    rows.append(_row("Total", invoice.total(), currency))
    return "\n".join(rows)
