"""The real directory — police stations, 191 centres, officers, the provinces' multidisciplinary
team members and the agencies they refer people to — imported from an Excel workbook or CSV files:
sheets.py reads the sheets, checks.py checks every row, importing.py writes all rows or none and
report.py says what happened. The command line is tools/directory_import.py."""
