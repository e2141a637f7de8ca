def format_task(task):
    mark = "x" if task.done else " "
    return f"[{mark}] {task.id:>3}  {task.title}"


def format_tasks(tasks):
    if not tasks:
        return "nothing to do\n"
    return "".join(format_task(task) + "\n" for task in tasks)
