from .money import format_amount


def format_statement(account):
    lines = [f"Statement for {account.account_id} ({account.owner})"]
    running = 0
    for memo, amount in account.history:
        running += amount
        lines.append(f"{memo:<30} {format_amount(amount):>12} {format_amount(running):>12}")
    lines.append(f"{'balance':<30} {'':>12} {format_amount(account.balance):>12}")
    return "\n".join(lines)
