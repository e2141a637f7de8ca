import argparse
import json
import os

from .formatting import format_tasks
from .models import Task

DEFAULT_FILE = "todos.json"


def cmd_add(args, out):
    tasks = []
    if os.path.exists(args.file):
        with open(args.file, encoding="utf-8") as handle:
            tasks = [Task.from_dict(item) for item in json.load(handle)]
    task = Task(id=max((t.id for t in tasks), default=0) + 1, title=args.title)
    tasks.append(task)
    with open(args.file, "w", encoding="utf-8") as handle:
        json.dump([t.to_dict() for t in tasks], handle, indent=2)
    out.write(f"added {task.id}\n")
    return 0


def cmd_list(args, out):
    tasks = []
    if os.path.exists(args.file):
        with open(args.file, encoding="utf-8") as handle:
            tasks = [Task.from_dict(item) for item in json.load(handle)]
    if not args.all:
        tasks = [t for t in tasks if not t.done]
    out.write(format_tasks(tasks))
    return 0


def cmd_done(args, out):
    tasks = []
    if os.path.exists(args.file):
        with open(args.file, encoding="utf-8") as handle:
            tasks = [Task.from_dict(item) for item in json.load(handle)]
    for task in tasks:
        if task.id == args.id:
            task.done = True
            break
    else:
        out.write(f"error: no task {args.id}\n")
        return 1
    with open(args.file, "w", encoding="utf-8") as handle:
        json.dump([t.to_dict() for t in tasks], handle, indent=2)
    out.write(f"completed {args.id}\n")
    return 0


def cmd_remove(args, out):
    tasks = []
    if os.path.exists(args.file):
        with open(args.file, encoding="utf-8") as handle:
            tasks = [Task.from_dict(item) for item in json.load(handle)]
    kept = [t for t in tasks if t.id != args.id]
    if len(kept) == len(tasks):
        out.write(f"error: no task {args.id}\n")
        return 1
    with open(args.file, "w", encoding="utf-8") as handle:
        json.dump([t.to_dict() for t in kept], handle, indent=2)
    out.write(f"removed {args.id}\n")
    return 0


def build_parser():
    parser = argparse.ArgumentParser(prog="todo")
    parser.add_argument("--file", default=DEFAULT_FILE)
    commands = parser.add_subparsers(dest="command", required=True)
    add = commands.add_parser("add")
    add.add_argument("title")
    add.set_defaults(handler=cmd_add)
    listing = commands.add_parser("list")
    listing.add_argument("--all", action="store_true")
    listing.set_defaults(handler=cmd_list)
    for name, handler in (("done", cmd_done), ("remove", cmd_remove)):
        command = commands.add_parser(name)
        command.add_argument("id", type=int)
        command.set_defaults(handler=handler)
    return parser


def main(argv, out):
    args = build_parser().parse_args(argv)
    return args.handler(args, out)
