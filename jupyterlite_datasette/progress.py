"""What downloads and copies print: one line that updates in place while bytes arrive, then where they went."""

from __future__ import annotations

#: Transfers bigger than this show their progress as they go.
PROGRESS_OVER = 8 << 20


class Progress:
    """The progress line of one transfer of `total` bytes (None: not known) of `name`."""

    def __init__(self, name: str, total: int | None = None):
        self.name = name
        self.total = total
        self.shown = False

    def update(self, done: int) -> None:
        if (self.total or done) <= PROGRESS_OVER:
            return
        shown = (
            f"{done / self.total:4.0%} of {self.total / 1e6:.1f} MB" if self.total else f"{done / 1e6:.1f} MB so far"
        )
        print(f"\r{self.name}: {shown}", end="", flush=True)
        self.shown = True

    def close(self) -> None:
        """End the progress line, if one was shown."""
        if self.shown:
            print()
            self.shown = False


def report_arrival(what: str, how: str, where: object, size: int, seconds: float) -> None:
    """The line that says a transfer is done: ``pets.db: downloaded to /tmp/… (3.1 MB in 0.4 s)``."""
    print(f"{what}: {how} to {where} ({size / 1e6:.1f} MB in {seconds:.1f} s)")
