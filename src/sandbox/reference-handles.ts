/**
 * Refs or unrefs a child process and its pipes together: referenced, they keep shakedown's event loop alive (a command
 * is running); unreferenced, an idle helper process never holds shakedown open.
 */
export function referenceHandles(handles: readonly unknown[], referenced: boolean): void {
  for (const handle of handles) {
    const target = handle as { ref?: () => void; unref?: () => void } | null | undefined;
    if (referenced) target?.ref?.();
    else target?.unref?.();
  }
}
