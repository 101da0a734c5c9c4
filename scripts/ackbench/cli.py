"""What every command shares: an argparse parser whose -h prints the command's usage text
and whose errors are one line "PROG: what" with exit status 2, as the shell scripts did."""

import argparse
import sys


class UsageError(Exception):
    """A bad option value found after parsing: main() prints it as one line, exit 2."""


class Parser(argparse.ArgumentParser):
    def __init__(self, prog, usage_text):
        super().__init__(prog=prog, add_help=False, usage=argparse.SUPPRESS)
        self.usage_text = usage_text
        self.add_argument("-h", "--help", action="store_true")

    def error(self, message):
        print(f"{self.prog}: {message} (see -h)", file=sys.stderr)
        sys.exit(2)

    def parse(self, argv):
        """The options; -h/--help prints the usage text and exits 0."""
        a = self.parse_args(argv)
        if a.help:
            sys.stdout.write(self.usage_text)
            sys.exit(0)
        return a


def fail(prog, message, status=1):
    """One line on stderr; returns STATUS for main() to return."""
    print(f"{prog}: {message}", file=sys.stderr)
    return status


def num(x):
    """A number as a TSV cell: up to 10 significant digits, no trailing zeros; "-" for None."""
    if x is None:
        return "-"
    return format(x, ".10g")


def num1(x):
    """A number as "%.1f", "-" for None."""
    return "-" if x is None else f"{x:.1f}"
