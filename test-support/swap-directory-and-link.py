"""Swaps a workspace entry between a real directory and a link to a host directory, as fast as it can.

Used by the host-boundary tests to race the file tools between a check and a use:
    python3 swap-directory-and-link.py WORKSPACE NAME HOST_DIR
Runs until killed; prints "ready" once the swapping has started.
"""

import os
import shutil
import sys

workspace, name, host_dir = sys.argv[1:4]
entry = os.path.join(workspace, name)
real = os.path.join(workspace, f".{name}-real")
link = os.path.join(workspace, f".{name}-link")
os.rename(entry, real)
os.symlink(host_dir, link)
print("ready", flush=True)


def move(source, destination):
    """Renames; a directory a tool created at `destination` meanwhile (write_file makes parents) is removed."""
    while True:
        try:
            os.rename(source, destination)
            return
        except OSError:
            shutil.rmtree(destination, ignore_errors=True)


while True:
    move(real, entry)
    move(entry, real)
    move(link, entry)
    move(entry, link)
