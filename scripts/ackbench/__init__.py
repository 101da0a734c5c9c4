"""ackbench's host-side analysis: one reader of run directories (reader), named records
(records), pure statistics (stats), and renderers: text/markdown/CSV tables (tables),
matplotlib plots in one style (plots), self-contained HTML reports (html).

Run as `PYTHONPATH=scripts /usr/bin/python3 -m ackbench COMMAND ...` (see __main__).
"""
