"""What happened in a campaign, read from the store only: status, results, export, report.

frames.py       the stored rows of one campaign as DataFrames (one consistent read)
results.py      the results table (one row per input row, or per placed call)
export.py       CSV / XLSX files of that table
status.py       a snapshot of where a campaign stands (+ status_view.py for terminals)
figures.py      the numbers of a report; report.py (terminal) and html.py render them
charts.py       SVG charts shared by the HTML report and the web pages
"""
